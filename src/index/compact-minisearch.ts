import MiniSearch, { type Options } from 'minisearch';

/**
 * MiniSearch's saved form in parallel number arrays. MiniSearch's own form (toJSON / loadJS)
 * writes every posting as a property of a JSON object ({"field": {"docId": tf}}), and parsing
 * those objects and converting them back to Maps took about 550 ms of the 900 ms that loading a
 * 100k-passage index took; arrays of numbers parse several times faster and convert without
 * string keys. Same state, same search results: only the storage differs.
 */
export interface CompactEngine {
  readonly documentCount: number;
  readonly nextId: number;
  readonly dirtCount: number;
  readonly fieldIds: Record<string, number>;
  readonly averageFieldLength: number[];
  /** Short ids and the document ids they stand for. */
  readonly documentIds: [number[], unknown[]];
  /** Short ids and each document's field lengths. */
  readonly fieldLength: [number[], number[][]];
  /** Short ids and each document's stored fields. */
  readonly storedFields: [number[], Record<string, unknown>[]];
  /** Per term: per field, the short ids of the documents holding it and the term's frequency in each. */
  readonly index: [string, [number, number[], number[]][]][];
}

/** Per field id: the short ids of the documents holding a term, and the term's frequency in each. */
export type TermPostings = ReadonlyMap<number, ReadonlyMap<number, number>>;

/**
 * MiniSearch with the compact saved form, and read access to its postings for a scorer of our
 * own (lexical-index.ts): MiniSearch keeps its state in protected fields for subclasses like this
 * one. Its radix tree still serves exact and fuzzy term look-ups.
 */
export class CompactMiniSearch<T> extends MiniSearch<T> {
  /** The postings of one term, or undefined when no document holds it. */
  postings(term: string): TermPostings | undefined {
    return this._index.get(term);
  }

  /** Indexed terms within `maxDistance` edits of `term` (the term itself included, at distance 0), with their postings. */
  termsNear(term: string, maxDistance: number): Map<string, { postings: TermPostings; distance: number }> {
    const near = new Map<string, { postings: TermPostings; distance: number }>();
    for (const [found, [postings, distance]] of this._index.fuzzyGet(term, maxDistance)) near.set(found, { postings, distance });
    return near;
  }

  /** A field's id, by name. */
  fieldId(field: string): number {
    const id = this._fieldIds[field];
    if (id === undefined) throw new Error(`no field ${field}`);
    return id;
  }

  /** A field's average length in terms. */
  averageFieldLength(fieldId: number): number {
    return this._avgFieldLength[fieldId] ?? 0;
  }

  /** A document's field lengths (by field id), by short id. */
  fieldLengths(shortId: number): readonly number[] | undefined {
    return this._fieldLength.get(shortId);
  }

  /** The document id a short id stands for. */
  documentId(shortId: number): unknown {
    return this._documentIds.get(shortId);
  }

  toCompact(): CompactEngine {
    return { ...this.compactHead(), index: [...this.compactIndexEntries()] };
  }

  /** The compact form's terms, one at a time (its bulk: a caller can serialise them in slices). */
  *compactIndexEntries(): Generator<CompactEngine['index'][number]> {
    for (const [term, fields] of this._index) {
      yield [term, [...fields].map(([fieldId, frequencies]) => [fieldId, [...frequencies.keys()], [...frequencies.values()]])];
    }
  }

  /** The compact form without its terms; `index` is its last key. */
  compactHead(): Omit<CompactEngine, 'index'> {
    return {
      documentCount: this._documentCount,
      nextId: this._nextId,
      dirtCount: this._dirtCount,
      fieldIds: this._fieldIds,
      averageFieldLength: this._avgFieldLength,
      documentIds: [[...this._documentIds.keys()], [...this._documentIds.values()]],
      fieldLength: [[...this._fieldLength.keys()], [...this._fieldLength.values()]],
      storedFields: [[...this._storedFields.keys()], [...this._storedFields.values()]],
    };
  }

  /** Restores an engine saved by `toCompact`, with the options it was built with. */
  static fromCompact<T>(stored: CompactEngine, options: Options<T>): CompactMiniSearch<T> {
    const engine = new CompactMiniSearch<T>(options);
    engine._documentCount = stored.documentCount;
    engine._nextId = stored.nextId;
    engine._dirtCount = stored.dirtCount;
    engine._fieldIds = stored.fieldIds;
    engine._avgFieldLength = stored.averageFieldLength;
    engine._documentIds = zip(stored.documentIds);
    engine._idToShortId = new Map([...engine._documentIds].map(([shortId, id]) => [id, shortId]));
    engine._fieldLength = zip(stored.fieldLength);
    engine._storedFields = zip(stored.storedFields);
    for (const [term, fields] of stored.index) {
      const byField = new Map<number, Map<number, number>>();
      for (const [fieldId, shortIds, frequencies] of fields) byField.set(fieldId, zip([shortIds, frequencies]));
      engine._index.set(term, byField);
    }
    return engine;
  }
}

function zip<K, V>([keys, values]: [K[], V[]]): Map<K, V> {
  if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length) throw new Error('malformed compact index: keys and values differ in length');
  const map = new Map<K, V>();
  for (let i = 0; i < keys.length; i++) map.set(keys[i]!, values[i]!);
  return map;
}

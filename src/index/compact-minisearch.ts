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

/**
 * MiniSearch with the compact saved form. MiniSearch keeps its state in protected fields for
 * subclasses like this one; search itself is MiniSearch's, untouched.
 */
export class CompactMiniSearch<T> extends MiniSearch<T> {
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

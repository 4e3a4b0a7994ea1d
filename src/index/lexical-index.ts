import type { Options, Query, SearchOptions } from 'minisearch';
import type { Passage } from '../articles/article.ts';
import { CompactMiniSearch, type CompactEngine } from './compact-minisearch.ts';
import { ANALYZER_VERSION, analyze, Decompounder, partTerms, processTerm, questionTermWeight, tokenize } from './text-analysis.ts';

/** A lexical match: the passage's label (its position in the store) and its BM25 score. */
export interface LexicalHit {
  readonly label: number;
  readonly score: number;
}

interface LexicalDocument {
  id: number;
  text: string;
  title: string;
  category: string;
}

/**
 * BM25 over passage text, with the article title and category as extra fields (a question often
 * names the article's subject, which the paragraph leaves implicit), and the parts of compound
 * words as a fourth field, so that "Truppen" finds "Friedenstruppen" without outweighing exact
 * matches. Weights were tuned on the XQuAD-de dev questions (see README, "Retrieval quality").
 */
const FIELDS = ['text', 'title', 'category', 'parts'] as const;

/**
 * How much a compound part counts against a whole word, on both sides: the parts field of a
 * passage, and the parts of a question's compounds ("Paketkopf" asks about "Paket" too).
 */
const PART_WEIGHT = 0.3;

/**
 * Stems of at least this many letters also match terms within a small edit distance (one edit
 * up to 7 letters, two from 8): it bridges what stemming leaves apart ("südkalifornische" and
 * "Südkalifornien", "Entdecker" and "entdeckte") and English cognates of German words
 * ("Parliament", "university"). MiniSearch weighs such matches at 0.45 of an exact one. Shorter
 * stems are too ambiguous, and more than two edits cost latency for no gain.
 */
const FUZZY_MIN_LENGTH = 5;
const FUZZY_DISTANCE = 0.2;
const FUZZY_MAX_EDITS = 2;

const SEARCH_OPTIONS: SearchOptions = {
  boost: { text: 1, title: 0.3, category: 0.2, parts: PART_WEIGHT },
  combineWith: 'OR',
  bm25: { k: 1.2, b: 0.6, d: 0.5 },
  fuzzy: (term) => (term.length >= FUZZY_MIN_LENGTH ? FUZZY_DISTANCE : false),
  maxFuzzy: FUZZY_MAX_EDITS,
  // Queries are made of terms already analysed (see `queryTerms`): taken as they are.
  tokenize: (term) => [term],
  processTerm: (term) => term,
};

/** The saved form's layout; another one (MiniSearch's own JSON, before) is rebuilt, not read. */
const STORAGE = 'compact-1';

interface StoredLexicalIndex {
  analyzerVersion: number;
  storage: string;
  vocabulary: string[];
  documentFrequency: Record<string, number>;
  engine: CompactEngine;
}

export class LexicalIndex {
  private serialized: string | null = null;

  private constructor(
    private readonly engine: CompactMiniSearch<LexicalDocument>,
    private readonly decompounder: Decompounder,
    private readonly vocabulary: readonly string[],
    private readonly documentFrequency: ReadonlyMap<string, number>,
  ) {}

  private static options(decompounder: Decompounder): Options<LexicalDocument> {
    return {
      fields: [...FIELDS],
      storeFields: [],
      extractField: (document, field) => (field === 'parts' ? document.text : String(document[field as keyof LexicalDocument])),
      tokenize,
      processTerm: (token, field) => {
        const term = processTerm(token);
        if (term === null || field !== 'parts') return term;
        const parts = partTerms(token, decompounder, term);
        return parts.length > 0 ? parts : null;
      },
    };
  }

  static build(passages: readonly Passage[]): LexicalIndex {
    const { engine, decompounder, vocabulary } = LexicalIndex.prepare(passages);
    engine.addAll(passages.map(toDocument));
    return new LexicalIndex(engine, decompounder, vocabulary, documentFrequencies(passages));
  }

  /**
   * Builds in slices that yield to the event loop, each a few milliseconds of work, so that a
   * bot reindexing in the background keeps answering questions at once (issue #12: the event
   * loop never waits 100 ms).
   */
  static async buildAsync(passages: readonly Passage[]): Promise<LexicalIndex> {
    const vocabulary = await Decompounder.vocabularyOfAsync(passages.map((passage) => passage.text));
    const decompounder = new Decompounder(new Set(vocabulary));
    const engine = new CompactMiniSearch<LexicalDocument>(LexicalIndex.options(decompounder));
    await engine.addAllAsync(passages.map(toDocument), { chunkSize: 20 });
    const frequencies = new Map<string, number>();
    for (let start = 0; start < passages.length; start += 100) {
      countDocumentFrequencies(passages.slice(start, start + 100), frequencies);
      await yieldToEventLoop();
    }
    return new LexicalIndex(engine, decompounder, vocabulary, frequencies);
  }

  private static prepare(passages: readonly Passage[]): { engine: CompactMiniSearch<LexicalDocument>; decompounder: Decompounder; vocabulary: string[] } {
    const vocabulary = Decompounder.vocabularyOf(passages.map((passage) => passage.text));
    const decompounder = new Decompounder(new Set(vocabulary));
    return { engine: new CompactMiniSearch<LexicalDocument>(LexicalIndex.options(decompounder)), decompounder, vocabulary };
  }

  /**
   * Restores a saved index; throws when it was made by another analyzer version or saved in
   * another layout (rebuild it from the passages then: see `isCurrent`).
   */
  static fromJSON(json: string): LexicalIndex {
    const stored = JSON.parse(json) as StoredLexicalIndex;
    if (!LexicalIndex.isCurrent(stored)) {
      throw new Error(`lexical index made by analyzer version ${String(stored.analyzerVersion)} in layout ${String(stored.storage)}, expected ${ANALYZER_VERSION} in ${STORAGE}`);
    }
    return LexicalIndex.fromStored(stored);
  }

  /**
   * Restores a saved index, or builds it again from the passages when it was made by another
   * analyzer version or saved in another layout: the passages are intact, only the terms or
   * their layout differ. Throws when the JSON itself is damaged.
   */
  static restore(json: string, passages: readonly Passage[]): LexicalIndex {
    const stored = JSON.parse(json) as StoredLexicalIndex;
    return LexicalIndex.isCurrent(stored) ? LexicalIndex.fromStored(stored) : LexicalIndex.build(passages);
  }

  private static fromStored(stored: StoredLexicalIndex): LexicalIndex {
    if (!Array.isArray(stored.vocabulary)) throw new Error('malformed lexical index: no vocabulary');
    const decompounder = new Decompounder(new Set(stored.vocabulary));
    const engine = CompactMiniSearch.fromCompact<LexicalDocument>(stored.engine, LexicalIndex.options(decompounder));
    return new LexicalIndex(engine, decompounder, stored.vocabulary, new Map(Object.entries(stored.documentFrequency)));
  }

  /** Whether a saved index (parsed JSON) was made by this analyzer in this layout, so that `fromJSON` can read it. */
  static isCurrent(stored: unknown): boolean {
    const { analyzerVersion, storage } = (stored ?? {}) as Partial<StoredLexicalIndex>;
    return analyzerVersion === ANALYZER_VERSION && storage === STORAGE;
  }

  get size(): number {
    return this.engine.documentCount;
  }

  /** The `k` best passages for a query, best first; empty when no term matches. */
  search(query: string, k: number): LexicalHit[] {
    if (k <= 0 || this.engine.documentCount === 0) return [];
    const { words, parts } = this.queryTerms(query);
    if (words.length === 0) return [];
    const queries: Query[] = [{ queries: words, boostTerm: questionTermWeight }];
    // Parts are a loose match already: matching them fuzzily too found nothing more and cost time.
    if (parts.length > 0) queries.push({ queries: parts, boostTerm: () => PART_WEIGHT, fuzzy: false });
    return this.engine
      .search({ combineWith: 'OR', queries }, SEARCH_OPTIONS)
      .slice(0, k)
      // MiniSearch's own saved form handed ids back as strings; labels are numbers everywhere.
      .map((result) => ({ label: Number(result.id), score: result.score }));
  }

  /** A question's terms as the index has them, and the parts of its compounds. */
  private queryTerms(query: string): { words: string[]; parts: string[] } {
    const words: string[] = [];
    const parts: string[] = [];
    for (const token of tokenize(query)) {
      const term = processTerm(token);
      if (term === null) continue;
      words.push(term);
      parts.push(...partTerms(token, this.decompounder, term));
    }
    return { words, parts };
  }

  /**
   * The question's total IDF over its distinct terms: roughly what a passage matching every term
   * once would score. Dividing a BM25 score by it gives a score comparable across questions of
   * different lengths (a long question's scores are not "more relevant"), and a term the corpus
   * never uses weighs most, as it should: no passage answers it. Question-frame words count at
   * their weight in the search, so that "Wie heißt …" does not lower every passage's relevance.
   */
  idfMass(question: string): number {
    let total = 0;
    for (const term of new Set(analyze(question))) total += this.idf(term) * questionTermWeight(term);
    return total;
  }

  private idf(term: string): number {
    const n = this.engine.documentCount;
    const df = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The saved form; computed once, since the index never changes after it is built. */
  toJSON(): string {
    this.serialized ??= this.serialize();
    return this.serialized;
  }

  /** {@link toJSON} in slices that yield to the event loop (the same text; a build prepares it in the background). */
  async toJSONAsync(): Promise<string> {
    if (this.serialized !== null) return this.serialized;
    const { engine: _engine, ...head } = this.stored({ ...this.engine.compactHead(), index: [] });
    const terms: string[] = [];
    for (const entry of this.engine.compactIndexEntries()) {
      terms.push(JSON.stringify(entry));
      if (terms.length % 1000 === 0) await yieldToEventLoop();
    }
    // `engine` is the stored form's last key, and `index` the engine's.
    const engineHead = JSON.stringify(this.engine.compactHead());
    this.serialized ??= `${JSON.stringify(head).slice(0, -1)},"engine":${engineHead.slice(0, -1)},"index":[${terms.join(',')}]}}`;
    return this.serialized;
  }

  private stored(engine: CompactEngine): StoredLexicalIndex {
    return {
      analyzerVersion: ANALYZER_VERSION,
      storage: STORAGE,
      vocabulary: [...this.vocabulary],
      documentFrequency: Object.fromEntries(this.documentFrequency),
      engine,
    };
  }

  private serialize(): string {
    return JSON.stringify(this.stored(this.engine.toCompact()));
  }
}

function toDocument(passage: Passage, label: number): LexicalDocument {
  return { id: label, text: passage.text, title: passage.title, category: passage.category ?? '' };
}

/** In how many passages (text or title) each term occurs, for IDF weights. */
function documentFrequencies(passages: readonly Passage[]): Map<string, number> {
  const frequencies = new Map<string, number>();
  countDocumentFrequencies(passages, frequencies);
  return frequencies;
}

function countDocumentFrequencies(passages: readonly Passage[], frequencies: Map<string, number>): void {
  for (const passage of passages) {
    for (const term of new Set([...analyze(passage.text), ...analyze(passage.title)])) {
      frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    }
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}


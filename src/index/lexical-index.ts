import type { Options } from 'minisearch';
import type { Passage } from '../articles/article.ts';
import { Analyzer, Decompounder } from './analyzer.ts';
import { CompactMiniSearch, type CompactEngine, type TermPostings } from './compact-minisearch.ts';
import { TimeSlices } from '../time-slices.ts';

/**
 * A lexical match: the passage's label (its position in the store), its BM25 score, and how
 * well it matches each of the question's terms (see `LexicalIndex.search`).
 */
export interface LexicalHit {
  readonly label: number;
  readonly score: number;
  /** Per term of `queryTerms(question)`, in that order: 1 for a match in the text, less for a weaker one, 0 for none. */
  readonly matches: readonly number[];
}

/** How much a question's term counts in a search (query policy: retrieval/query-policy.ts); 1 by default. */
export type TermWeight = (term: string) => number;

/** One distinct term of a question, as this index matches it, with what decides its weight. */
export interface QueryTerm {
  /** The word as the question wrote it (its first occurrence). */
  readonly token: string;
  /** The index term; a spelling without umlauts ("oesterreich") is read with them when only that is indexed. */
  readonly term: string;
  /** The terms of its compound parts (none for a simple word). */
  readonly parts: readonly string[];
  /** Its weight in the question (the query policy's), times nothing else. */
  readonly weight: number;
  /** Its inverse document frequency, smoothed with the general-language prior. */
  readonly idf: number;
  /** The chance that a passage of general German text as long as this corpus's holds it (the prior alone). */
  readonly chance: number;
}

/** How a saved index can be restored: as it was, or rebuilt from the passages (and why). */
export interface RestoredLexicalIndex {
  readonly index: LexicalIndex;
  /** Why the saved form could not be used as it was; null when it was. */
  readonly rebuiltBecause: string | null;
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
 * matches. Boosts were tuned on the XQuAD-de dev questions (see README, "Retrieval quality").
 */
const FIELDS = ['text', 'title', 'category', 'parts'] as const;

/**
 * How much a compound part counts against a whole word, on both sides: the parts field of a
 * passage, and the parts of a question's compounds ("Paketkopf" asks about "Paket" too).
 */
const PART_WEIGHT = 0.3;
const FIELD_BOOST: Readonly<Record<(typeof FIELDS)[number], number>> = { text: 1, title: 0.3, category: 0.2, parts: PART_WEIGHT };

const BM25 = { k: 1.2, b: 0.6, d: 0.5 };

/**
 * Stems of at least this many letters also match terms within a small edit distance (one edit
 * up to 7 letters, two from 8): it bridges what stemming leaves apart ("südkalifornische" and
 * "Südkalifornien", "Entdecker" and "entdeckte") and English cognates of German words
 * ("Parliament", "university"), at FUZZY_WEIGHT of an exact match (less with each edit, as
 * MiniSearch weighs them). Shorter stems are too ambiguous, and more than two edits cost latency
 * for no gain.
 */
const FUZZY_MIN_LENGTH = 5;
const FUZZY_DISTANCE = 0.2;
const FUZZY_MAX_EDITS = 2;
const FUZZY_WEIGHT = 0.45;

/**
 * The general-language prior's weight, in passages: a term's chance of being in a passage is
 * (df + PRIOR_PASSAGES · prior) / (N + PRIOR_PASSAGES). One article (a handful of passages) then
 * takes its term weights mostly from the language (a word it never uses, such as "Ort", is as
 * common as German makes it, not infinitely rare), while a corpus of thousands of passages
 * speaks for itself.
 */
const PRIOR_PASSAGES = 100;

/** The saved form's layout; another one is rebuilt, not read. */
const STORAGE = 'compact-2';

interface StoredLexicalIndex {
  analyzerId: string;
  storage: string;
  vocabulary: string[];
  documentFrequency: Record<string, number>;
  engine: CompactEngine;
}

/** A question's term as the scorer uses it: a word or a compound part, with its weight. */
interface SourceTerm {
  readonly term: string;
  readonly weight: number;
  readonly fuzzy: boolean;
  /** The question word this term belongs to (its own index for a word; the compound's for a part). */
  readonly word: number;
  /** How much a match of this term shows of its word: 1 for the word itself, PART_WEIGHT for a part. */
  readonly strength: number;
}

export class LexicalIndex {
  private serialized: string | null = null;
  private readonly textField: number;
  private readonly fieldBoosts: readonly { id: number; boost: number }[];
  private readonly averageTokens: number;

  private constructor(
    private readonly engine: CompactMiniSearch<LexicalDocument>,
    /** The analyzer with this corpus's vocabulary for compound splitting. */
    readonly analyzer: Analyzer,
    private readonly vocabulary: readonly string[],
    private readonly documentFrequency: ReadonlyMap<string, number>,
  ) {
    this.textField = engine.fieldId('text');
    this.fieldBoosts = FIELDS.map((field) => ({ id: engine.fieldId(field), boost: FIELD_BOOST[field] }));
    this.averageTokens = engine.averageFieldLength(this.textField) / (1 - analyzer.stopwordShare());
  }

  private static options(analyzer: Analyzer): Options<LexicalDocument> {
    return {
      fields: [...FIELDS],
      storeFields: [],
      extractField: (document, field) => (field === 'parts' ? document.text : String(document[field as keyof LexicalDocument])),
      tokenize: (text) => analyzer.tokenize(text),
      processTerm: (token, field) => {
        const term = analyzer.term(token);
        if (term === null || field !== 'parts') return term;
        const parts = analyzer.partTerms(token, term);
        return parts.length > 0 ? parts : null;
      },
    };
  }

  /** Builds the index of the passages; `analyzer` defaults to a freshly loaded one (pass one to share its word lists). */
  static build(passages: readonly Passage[], analyzer: Analyzer = Analyzer.load()): LexicalIndex {
    const { engine, corpusAnalyzer, vocabulary } = LexicalIndex.prepare(passages, analyzer);
    engine.addAll(passages.map(toDocument));
    return new LexicalIndex(engine, corpusAnalyzer, vocabulary, documentFrequencies(passages, corpusAnalyzer));
  }

  /**
   * Builds in slices that yield to the event loop, each a few milliseconds of work, so that a
   * bot reindexing in the background keeps answering questions at once (issue #12: the event
   * loop never waits 100 ms).
   */
  static async buildAsync(passages: readonly Passage[], analyzer: Analyzer = Analyzer.load()): Promise<LexicalIndex> {
    const slices = new TimeSlices();
    const vocabulary = await Decompounder.vocabularyOfAsync(
      passages.map((passage) => passage.text),
      slices,
    );
    const corpusAnalyzer = analyzer.withVocabulary(new Set(vocabulary));
    const engine = new CompactMiniSearch<LexicalDocument>(LexicalIndex.options(corpusAnalyzer));
    for (const [label, passage] of passages.entries()) {
      engine.add(toDocument(passage, label));
      await slices.pause();
    }
    const frequencies = new Map<string, number>();
    for (const passage of passages) {
      countDocumentFrequencies(passage, corpusAnalyzer, frequencies);
      await slices.pause();
    }
    return new LexicalIndex(engine, corpusAnalyzer, vocabulary, frequencies);
  }

  private static prepare(passages: readonly Passage[], analyzer: Analyzer): { engine: CompactMiniSearch<LexicalDocument>; corpusAnalyzer: Analyzer; vocabulary: string[] } {
    const vocabulary = Decompounder.vocabularyOf(passages.map((passage) => passage.text));
    const corpusAnalyzer = analyzer.withVocabulary(new Set(vocabulary));
    return { engine: new CompactMiniSearch<LexicalDocument>(LexicalIndex.options(corpusAnalyzer)), corpusAnalyzer, vocabulary };
  }

  /**
   * Restores a saved index; throws when it was made by another analyzer or saved in another
   * layout (`restore` rebuilds it from the passages then).
   */
  static fromJSON(json: string, analyzer: Analyzer = Analyzer.load()): LexicalIndex {
    const stored = JSON.parse(json) as StoredLexicalIndex;
    const problem = LexicalIndex.mismatch(stored, analyzer);
    if (problem) throw new Error(problem);
    return LexicalIndex.fromStored(stored, analyzer);
  }

  /**
   * Restores a saved index, or builds it again from the passages when it was made by another
   * analyzer or saved in another layout: the passages are intact, only the terms or their layout
   * differ. Throws when the JSON itself is damaged.
   */
  static restore(json: string, passages: readonly Passage[], analyzer: Analyzer = Analyzer.load()): LexicalIndex {
    return LexicalIndex.restoreWithReason(json, passages, analyzer).index;
  }

  /** `restore`, saying why the index was rebuilt, so that the caller can log it (and save the rebuilt index). */
  static restoreWithReason(json: string, passages: readonly Passage[], analyzer: Analyzer = Analyzer.load()): RestoredLexicalIndex {
    const stored = JSON.parse(json) as StoredLexicalIndex;
    const problem = LexicalIndex.mismatch(stored, analyzer);
    return problem ? { index: LexicalIndex.build(passages, analyzer), rebuiltBecause: problem } : { index: LexicalIndex.fromStored(stored, analyzer), rebuiltBecause: null };
  }

  private static fromStored(stored: StoredLexicalIndex, analyzer: Analyzer): LexicalIndex {
    if (!Array.isArray(stored.vocabulary)) throw new Error('malformed lexical index: no vocabulary');
    const corpusAnalyzer = analyzer.withVocabulary(new Set(stored.vocabulary));
    const engine = CompactMiniSearch.fromCompact<LexicalDocument>(stored.engine, LexicalIndex.options(corpusAnalyzer));
    return new LexicalIndex(engine, corpusAnalyzer, stored.vocabulary, new Map(Object.entries(stored.documentFrequency)));
  }

  /** Why a saved index (parsed JSON) cannot be read by this analyzer, or null when it can. */
  private static mismatch(stored: unknown, analyzer: Analyzer): string | null {
    const { analyzerId, storage } = (stored ?? {}) as Partial<StoredLexicalIndex>;
    if (storage !== STORAGE) return `the lexical index was saved in layout ${String(storage)}, this version reads ${STORAGE}`;
    if (analyzerId !== analyzer.id) return `the lexical index was made by analyzer ${String(analyzerId)}, this one is ${analyzer.id}`;
    return null;
  }

  get size(): number {
    return this.engine.documentCount;
  }

  /** The question's distinct terms as this index matches them, each with its weight, smoothed IDF and chance. */
  queryTerms(question: string, weightOf: TermWeight = () => 1): QueryTerm[] {
    const terms = new Map<string, QueryTerm>();
    for (const token of this.analyzer.tokenize(question)) {
      const term = this.resolve(token);
      if (term === null || terms.has(term)) continue;
      terms.set(term, { token, term, parts: this.analyzer.partTerms(token, term), weight: weightOf(term), idf: this.idf(term), chance: this.generalChance(term) });
    }
    return [...terms.values()];
  }

  /**
   * A token's index term. Chat questions often lack umlauts ("oesterreich", "fuer"): when the
   * plain spelling's term is not indexed, the spelling with umlauts is taken instead, if that
   * one is indexed or is a stop word ("fuer" → "für").
   */
  private resolve(token: string): string | null {
    const term = this.analyzer.term(token);
    if (term === null || this.engine.postings(term)) return term;
    const spelling = this.analyzer.umlautSpelling(token);
    const variant = spelling === null ? undefined : this.analyzer.term(spelling);
    if (variant === null || (variant !== undefined && this.engine.postings(variant))) return variant;
    if (this.analyzer.isKnownWord(token) || (spelling !== null && this.analyzer.isKnownWord(spelling))) return term;
    return this.nearestIndexedTerm(term) ?? term;
  }

  /**
   * A misspelt word's likely intent ("gewerkschft", "poltik", "streikt"): the indexed term
   * fewest edits away (within the fuzzy distance), the most frequent of those. Only for words
   * neither this corpus nor the word-frequency lists know, so real words are never "corrected".
   */
  private nearestIndexedTerm(term: string): string | null {
    if (term.length < FUZZY_MIN_LENGTH) return null;
    let best: { term: string; distance: number; df: number } | null = null;
    for (const [found, { distance }] of this.engine.termsNear(term, maxEdits(term))) {
      const df = this.documentFrequency.get(found) ?? 0;
      if (!best || distance < best.distance || (distance === best.distance && df > best.df)) best = { term: found, distance, df };
    }
    return best?.term ?? null;
  }

  /**
   * The `k` best passages for a question, best first; empty when no term matches. The score is
   * BM25 (k1 1.2, b 0.6, BM25+ δ 0.5) summed over the fields and the question's terms, each term
   * counted at its weight, with IDF smoothed by the general-language prior, times the share of
   * the question's terms (words and compound parts) the passage matches: a passage that matches
   * more of them ranks higher, and as a share it does not grow with the question's length.
   * `matches` says how well the passage holds each term: a term matched in the text counts 1,
   * in the title or as a compound part as much as those fields are boosted, fuzzily as much as
   * the fuzzy match is worth.
   */
  search(question: string, k: number, weightOf: TermWeight = () => 1): LexicalHit[] {
    if (k <= 0 || this.engine.documentCount === 0) return [];
    const words = this.queryTerms(question, weightOf);
    if (words.length === 0) return [];
    const sources: SourceTerm[] = [];
    words.forEach((word, i) => {
      sources.push({ term: word.term, weight: word.weight, fuzzy: word.term.length >= FUZZY_MIN_LENGTH, word: i, strength: 1 });
      // Parts are a loose match already: matching them fuzzily too found nothing more and cost time.
      for (const part of word.parts) sources.push({ term: part, weight: PART_WEIGHT, fuzzy: false, word: i, strength: PART_WEIGHT });
    });

    const accumulators = new Map<number, { score: number; matched: Set<number>; strength: Float64Array }>();
    sources.forEach((source, sourceIndex) => {
      for (const { postings, distance } of this.realizations(source)) {
        const termWeight = distance === 0 ? 1 : (FUZZY_WEIGHT * source.term.length) / (source.term.length + distance);
        const idf = this.idf(source.term);
        for (const { id: fieldId, boost } of this.fieldBoosts) {
          const documents = postings.get(fieldId);
          if (!documents) continue;
          const averageLength = this.engine.averageFieldLength(fieldId) || 1;
          for (const [shortId, frequency] of documents) {
            const length = this.engine.fieldLengths(shortId)?.[fieldId] ?? averageLength;
            const saturation = BM25.d + (frequency * (BM25.k + 1)) / (frequency + BM25.k * (1 - BM25.b + (BM25.b * length) / averageLength));
            let accumulator = accumulators.get(shortId);
            if (!accumulator) accumulators.set(shortId, (accumulator = { score: 0, matched: new Set(), strength: new Float64Array(words.length) }));
            accumulator.score += source.weight * termWeight * boost * idf * saturation;
            accumulator.matched.add(sourceIndex);
            const strength = source.strength * termWeight * (fieldId === this.textField ? 1 : boost);
            if (strength > accumulator.strength[source.word]!) accumulator.strength[source.word] = strength;
          }
        }
      }
    });

    const hits: LexicalHit[] = [];
    for (const [shortId, { score, matched, strength }] of accumulators) {
      hits.push({ label: Number(this.engine.documentId(shortId)), score: (score * matched.size) / sources.length, matches: Array.from(strength, (value) => Math.min(1, value)) });
    }
    // Ties keep the order of the labels, so that equal scores rank the same way every time.
    return hits.sort((a, b) => b.score - a.score || a.label - b.label).slice(0, k);
  }

  /** The labels of the passages that hold the term itself (no near spelling, no compound part) in their text or title. */
  passagesHolding(term: string): number[] {
    const postings = this.engine.postings(term);
    if (!postings) return [];
    const labels = new Set<number>();
    for (const field of ['text', 'title'] as const) {
      for (const shortId of postings.get(this.engine.fieldId(field))?.keys() ?? []) labels.add(Number(this.engine.documentId(shortId)));
    }
    return [...labels];
  }

  /** The index terms a source term matches: itself, and near spellings when it may match fuzzily. */
  private realizations(source: SourceTerm): { postings: TermPostings; distance: number }[] {
    if (!source.fuzzy) {
      const postings = this.engine.postings(source.term);
      return postings ? [{ postings, distance: 0 }] : [];
    }
    return [...this.engine.termsNear(source.term, maxEdits(source.term)).values()];
  }

  /**
   * The chance that a passage of this corpus holds the term: its document frequency, smoothed
   * with PRIOR_PASSAGES pseudo-passages at the general-language rate (a passage of the corpus's
   * average length, with the term at the share the word-frequency list gives it).
   */
  chance(term: string): number {
    const df = this.documentFrequency.get(term) ?? 0;
    return (df + PRIOR_PASSAGES * this.generalChance(term)) / (this.engine.documentCount + PRIOR_PASSAGES);
  }

  /** The chance that a passage of general German text, as long as this corpus's passages, holds the term. */
  generalChance(term: string): number {
    return 1 - Math.exp(-this.averageTokens * this.analyzer.generalShare(term));
  }

  /** BM25's IDF over the smoothed document frequency (`chance`). */
  idf(term: string): number {
    const n = this.engine.documentCount + PRIOR_PASSAGES;
    const df = this.chance(term) * n;
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
    const slices = new TimeSlices();
    const { engine: _engine, ...head } = this.stored({ ...this.engine.compactHead(), index: [] });
    const terms: string[] = [];
    for (const entry of this.engine.compactIndexEntries()) {
      terms.push(JSON.stringify(entry));
      await slices.pause();
    }
    // `engine` is the stored form's last key, and `index` the engine's.
    const engineHead = JSON.stringify(this.engine.compactHead());
    this.serialized ??= `${JSON.stringify(head).slice(0, -1)},"engine":${engineHead.slice(0, -1)},"index":[${terms.join(',')}]}}`;
    return this.serialized;
  }

  private stored(engine: CompactEngine): StoredLexicalIndex {
    return {
      analyzerId: this.analyzer.id,
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

/** How many edits a fuzzy match of the term may make. */
function maxEdits(term: string): number {
  return Math.min(FUZZY_MAX_EDITS, Math.round(term.length * FUZZY_DISTANCE));
}

function toDocument(passage: Passage, label: number): LexicalDocument {
  return { id: label, text: passage.text, title: passage.title, category: passage.category ?? '' };
}

/** In how many passages (text or title) each term occurs, for IDF weights. */
function documentFrequencies(passages: readonly Passage[], analyzer: Analyzer): Map<string, number> {
  const frequencies = new Map<string, number>();
  for (const passage of passages) countDocumentFrequencies(passage, analyzer, frequencies);
  return frequencies;
}

function countDocumentFrequencies(passage: Passage, analyzer: Analyzer, frequencies: Map<string, number>): void {
  for (const term of new Set([...analyzer.analyze(passage.text), ...analyzer.analyze(passage.title)])) {
    frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  }
}

import MiniSearch, { type Options, type SearchOptions } from 'minisearch';
import type { Passage } from '../articles/article.ts';
import { processTerm, tokenize } from './text-analysis.ts';

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
 * BM25 over passage text, with the article title and category as extra, boosted fields: a
 * question often names the article's subject, which the paragraph itself leaves implicit.
 */
const FIELDS = ['text', 'title', 'category'] as const;

const INDEX_OPTIONS: Options<LexicalDocument> = {
  fields: [...FIELDS],
  storeFields: [],
  tokenize,
  processTerm,
};

const SEARCH_OPTIONS: SearchOptions = {
  boost: { text: 1, title: 0.5, category: 0.2 },
  combineWith: 'OR',
  bm25: { k: 1.2, b: 0.75, d: 0.5 },
};

export class LexicalIndex {
  private constructor(private readonly engine: MiniSearch<LexicalDocument>) {}

  static build(passages: readonly Passage[]): LexicalIndex {
    const engine = new MiniSearch<LexicalDocument>(INDEX_OPTIONS);
    engine.addAll(passages.map((passage, label) => toDocument(passage, label)));
    return new LexicalIndex(engine);
  }

  /**
   * Builds in chunks that yield to the event loop, so that a bot reindexing in the background
   * keeps answering interactions within Discord's 3-second deadline.
   */
  static async buildAsync(passages: readonly Passage[]): Promise<LexicalIndex> {
    const engine = new MiniSearch<LexicalDocument>(INDEX_OPTIONS);
    await engine.addAllAsync(passages.map((passage, label) => toDocument(passage, label)), { chunkSize: 200 });
    return new LexicalIndex(engine);
  }

  static fromJSON(json: string): LexicalIndex {
    return new LexicalIndex(MiniSearch.loadJSON<LexicalDocument>(json, INDEX_OPTIONS));
  }

  get size(): number {
    return this.engine.documentCount;
  }

  /** The `k` best passages for a query, best first; empty when no term matches. */
  search(query: string, k: number): LexicalHit[] {
    if (k <= 0 || this.engine.documentCount === 0) return [];
    return this.engine
      .search(query, SEARCH_OPTIONS)
      .slice(0, k)
      .map((result) => ({ label: result.id as number, score: result.score }));
  }

  toJSON(): string {
    return JSON.stringify(this.engine);
  }
}

function toDocument(passage: Passage, label: number): LexicalDocument {
  return { id: label, text: passage.text, title: passage.title, category: passage.category ?? '' };
}

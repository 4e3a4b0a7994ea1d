import type { Article, Passage } from '../articles/article.ts';
import type { LexicalIndex } from './lexical-index.ts';
import type { Manifest } from './manifest.ts';
import type { VectorIndex } from './vector-index.ts';

/** An article as the index knows it (what citations and /articles show): its paragraphs live on as passages. */
export interface IndexedArticle extends Omit<Article, 'paragraphs'> {
  readonly passages: number;
}

/**
 * One loaded index generation, all in memory: passages are labelled by their position, and
 * both the lexical and the vector index refer to passages by that label.
 */
export interface SearchIndex {
  readonly manifest: Manifest;
  readonly articles: readonly IndexedArticle[];
  readonly passages: readonly Passage[];
  readonly lexical: LexicalIndex;
  /** Null for an index built in lexical mode, or loaded without its vectors. */
  readonly vectors: VectorIndex | null;
  /** Why a hybrid index was loaded without its vectors (a damaged vector file), with the fix. */
  readonly vectorsProblem?: string | null;
}

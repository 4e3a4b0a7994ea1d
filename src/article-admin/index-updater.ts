import type { SearchIndex } from '../index/search-index.ts';
import type { IndexSummary } from '../indexer/run-indexer.ts';

/** The result of bringing the index up to date. */
export interface IndexUpdate {
  readonly summary: IndexSummary;
  /** The index now serving (or saved, for the command line). */
  readonly index: SearchIndex;
}

/**
 * Brings the index up to date with the seeds folder after a change: the bot's coalescing,
 * one-build-at-a-time updater, or the command line's own build. Unchanged passages keep their
 * vectors.
 */
export interface IndexUpdater {
  /** Resolves once a build that started after this call has finished (and, in the bot, serves). */
  update(): Promise<IndexUpdate>;
  /** The index serving now, or null (titles for lists and suggestions). */
  current(): SearchIndex | null;
}

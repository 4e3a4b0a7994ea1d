import type { Embedder } from '../embedding/embedder.ts';
import type { ModelSettings } from '../embedding/model-settings.ts';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { describeError } from '../errors.ts';
import { loadIndex } from '../index/index-store.ts';
import type { SearchIndex } from '../index/search-index.ts';
import type { Logger } from '../logger.ts';
import type { FusionSettings } from './fuse-rankings.ts';
import type { RelevanceThresholds } from './relevance.ts';
import { Retriever, type SearchMode } from './retriever.ts';

export interface OpenRetrieverOptions {
  readonly indexDir: string;
  readonly modelSettings: ModelSettings;
  /** In lexical mode no model is loaded at all, which keeps start-up fast. */
  readonly mode: SearchMode;
  /** A model already loaded by the caller (reused across reindexes). */
  readonly embedder?: Embedder | null;
  /** With `embedder: null`: why the caller's model failed to load; it is then not loaded again. */
  readonly embedderUnavailableReason?: string | null;
  readonly relevance?: RelevanceThresholds;
  readonly fusion?: FusionSettings;
  /** Hears what loading the index has to say (a lexical index rebuilt for a new analyzer, and saved). */
  readonly logger?: Logger;
}

/**
 * Loads the index and, when the index has vectors and the mode needs them, the model.
 * A model that cannot be loaded, or that does not match the index, or a damaged vector file,
 * leaves a lexical retriever that says why. Lexical mode does not read the vectors at all.
 */
export async function openRetriever(options: OpenRetrieverOptions): Promise<Retriever> {
  const index = await loadIndex(options.indexDir, { vectors: options.mode === 'lexical' ? 'skip' : 'optional', ...(options.logger ? { logger: options.logger } : {}) });
  return retrieverFor(index, options);
}

export async function retrieverFor(index: SearchIndex, options: Omit<OpenRetrieverOptions, 'indexDir'>): Promise<Retriever> {
  const relevance = { ...(options.relevance ? { relevance: options.relevance } : {}), ...(options.fusion ? { fusion: options.fusion } : {}) };
  if (options.mode === 'lexical' || !index.vectors) return new Retriever(index, null, relevance);
  const { embedder, unavailableReason } =
    options.embedder != null
      ? { embedder: options.embedder, unavailableReason: null }
      : options.embedder === null && options.embedderUnavailableReason
        ? { embedder: null, unavailableReason: options.embedderUnavailableReason }
        : await openEmbedder(options.modelSettings);
  if (!embedder) return new Retriever(index, null, { ...relevance, embedderUnavailableReason: unavailableReason });
  try {
    return new Retriever(index, embedder, relevance);
  } catch (error) {
    return new Retriever(index, null, { ...relevance, embedderUnavailableReason: describeError(error) });
  }
}

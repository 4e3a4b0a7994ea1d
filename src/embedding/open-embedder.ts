import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Embedder } from './embedder.ts';
import type { ModelSettings } from './model-settings.ts';
import { startWorkerEmbedder } from './worker-embedder.ts';

export interface OpenedEmbedder {
  readonly embedder: Embedder | null;
  /** Why there is no embedder (the load error with its fix), for the user. */
  readonly unavailableReason: string | null;
}

/**
 * Loads the embedding model in its inference worker, or explains why it could not: callers then
 * fall back to lexical mode and show the reason instead of failing.
 */
export async function openEmbedder(settings: ModelSettings, logger?: Logger): Promise<OpenedEmbedder> {
  try {
    return { embedder: await startWorkerEmbedder(settings, logger ? { logger } : {}), unavailableReason: null };
  } catch (error) {
    return { embedder: null, unavailableReason: describeError(error) };
  }
}

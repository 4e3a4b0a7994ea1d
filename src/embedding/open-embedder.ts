import { describeError } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import type { ModelSettings } from './model-settings.ts';
import { loadTransformersEmbedder } from './transformers-embedder.ts';

export interface OpenedEmbedder {
  readonly embedder: Embedder | null;
  /** Why there is no embedder (the load error with its fix), for the user. */
  readonly unavailableReason: string | null;
}

/**
 * Loads the embedding model, or explains why it could not: callers then fall back to lexical
 * mode and show the reason instead of failing.
 */
export async function openEmbedder(settings: ModelSettings): Promise<OpenedEmbedder> {
  try {
    return { embedder: await loadTransformersEmbedder(settings), unavailableReason: null };
  } catch (error) {
    return { embedder: null, unavailableReason: describeError(error) };
  }
}

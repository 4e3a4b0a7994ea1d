/**
 * Turns text into unit vectors. Queries and passages are embedded separately because asymmetric
 * models (e5) expect different prefixes for each.
 */
export interface Embedder {
  /** Identifies the model (and its variant) in the index manifest; vectors of different ids never mix. */
  readonly modelId: string;
  readonly dimension: number;
  embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array>;
  /** Embeds in batches; `onProgress` receives the number of texts done so far. */
  embedPassages(texts: readonly string[], options?: EmbedPassagesOptions): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export interface EmbedPassagesOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

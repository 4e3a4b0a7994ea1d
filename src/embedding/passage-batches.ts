import { estimateTokens } from '../articles/chunk-article.ts';

export interface BatchLimits {
  /** Most passages in a batch. */
  readonly batchSize: number;
  /** Most tokens in a batch, counting the padding to its longest passage. */
  readonly batchTokens: number;
}

/**
 * Splits passages into batches for the model, longest first. A batch is padded to its longest
 * text, so texts of similar length go together and the padding costs little; a batch holds at
 * most `batchSize` passages and `batchTokens` tokens with its padding (one passage over that is a
 * batch of its own), which keeps every batch short enough that a question waiting for it is not
 * kept long. Returns the texts' indices, batch by batch.
 */
export function passageBatches(texts: readonly string[], limits: BatchLimits): number[][] {
  const tokens = texts.map((text) => estimateTokens(text));
  const order = texts.map((_, i) => i).sort((a, b) => tokens[b]! - tokens[a]! || a - b);
  const batches: number[][] = [];
  let batch: number[] = [];
  let longest = 0;
  for (const index of order) {
    const width = Math.max(longest, tokens[index]!);
    if (batch.length > 0 && (batch.length + 1 > limits.batchSize || (batch.length + 1) * width > limits.batchTokens)) {
      batches.push(batch);
      batch = [];
    }
    if (batch.length === 0) longest = tokens[index]!;
    batch.push(index);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

import { estimateTokens } from '../articles/chunk-article.ts';

export interface BatchLimits {
  /** Most passages in a batch. */
  readonly batchSize: number;
  /** Most tokens in a batch, counting the padding to its longest passage. */
  readonly batchTokens: number;
}

/**
 * Cuts passages into batches for the model, longest first, one batch at a time. A batch is padded
 * to its longest text, so texts of similar length go together and the padding costs little; a
 * batch holds at most `batchSize` passages and `batchTokens` tokens with its padding (one passage
 * over that is a batch of its own), which keeps every batch short enough that a question waiting
 * for it is not kept long. The limits are given per batch, so that a build can cut smaller
 * batches while members are asking and larger ones while nobody is.
 */
export class PassageBatcher {
  private readonly tokens: number[];
  private readonly order: number[];
  private next = 0;

  constructor(texts: readonly string[]) {
    this.tokens = texts.map((text) => estimateTokens(text));
    this.order = texts.map((_, i) => i).sort((a, b) => this.tokens[b]! - this.tokens[a]! || a - b);
  }

  /** The texts' indices of the next batch, or undefined when every passage has had its batch. */
  nextBatch(limits: BatchLimits): number[] | undefined {
    if (this.next >= this.order.length) return undefined;
    const batch: number[] = [];
    // Longest first: the batch's first passage is its widest.
    const width = this.tokens[this.order[this.next]!]!;
    while (this.next < this.order.length && (batch.length === 0 || (batch.length + 1 <= limits.batchSize && (batch.length + 1) * width <= limits.batchTokens))) {
      batch.push(this.order[this.next++]!);
    }
    return batch;
  }
}

/** Every batch of `texts` under fixed limits (see {@link PassageBatcher}); the texts' indices, batch by batch. */
export function passageBatches(texts: readonly string[], limits: BatchLimits): number[][] {
  const batcher = new PassageBatcher(texts);
  const batches: number[][] = [];
  for (let batch = batcher.nextBatch(limits); batch; batch = batcher.nextBatch(limits)) batches.push(batch);
  return batches;
}

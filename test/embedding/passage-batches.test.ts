import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/articles/chunk-article.ts';
import { PassageBatcher, passageBatches } from '../../src/embedding/passage-batches.ts';

const text = (tokens: number): string => 'abcd'.repeat(tokens); // estimateTokens: one per four characters

describe('passageBatches', () => {
  it('puts every passage in exactly one batch, longest first, texts of similar length together', () => {
    const lengths = [5, 300, 40, 41, 7, 300, 120, 6];
    const texts = lengths.map(text);
    const batches = passageBatches(texts, { batchSize: 4, batchTokens: 10_000 });
    expect(batches.flat().sort((a, b) => a - b)).toEqual(texts.map((_, i) => i));
    expect(batches.flat().map((i) => lengths[i])).toEqual([...lengths].sort((a, b) => b - a));
    expect(batches.map((batch) => batch.length)).toEqual([4, 4]);
  });

  it('bounds a batch by its padded tokens: long passages go alone or in pairs, short ones in many', () => {
    const texts = [...Array.from({ length: 4 }, () => text(400)), ...Array.from({ length: 6 }, () => text(200)), ...Array.from({ length: 40 }, () => text(20))];
    const batches = passageBatches(texts, { batchSize: 64, batchTokens: 512 });
    for (const batch of batches) {
      const width = Math.max(...batch.map((i) => estimateTokens(texts[i]!)));
      expect(batch.length * width).toBeLessThanOrEqual(512);
    }
    expect(batches.slice(0, 4).map((batch) => batch.length)).toEqual([1, 1, 1, 1]);
    expect(batches[4]).toHaveLength(2);
    expect(batches.at(-1)!.length).toBeGreaterThan(10);
  });

  it('a passage longer than the budget is a batch of its own, not dropped', () => {
    expect(passageBatches([text(900), text(10)], { batchSize: 8, batchTokens: 512 })).toEqual([[0], [1]]);
  });

  it('cuts each batch with the limits it is given: smaller ones while members ask, larger ones after', () => {
    const texts = Array.from({ length: 40 }, () => text(50));
    const batcher = new PassageBatcher(texts);
    const large = { batchSize: 16, batchTokens: 800 };
    const small = { batchSize: 16, batchTokens: 100 };
    const sizes = [large, small, small, large, large].map((limits) => batcher.nextBatch(limits)!.length);
    expect(sizes).toEqual([16, 2, 2, 16, 4]);
    expect(batcher.nextBatch(large)).toBeUndefined();
  });
});

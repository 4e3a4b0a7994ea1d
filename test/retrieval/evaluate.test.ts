/**
 * Evaluation: the metric arithmetic on hand-made outcomes. The quality gates over the shared eval
 * sets (their test halves) are in eval-gates.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { percentile, summarizeOutcomes, type EvalOutcome } from '../../src/retrieval/evaluate.ts';

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 · n) of the sorted values', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 91)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile([42], 50)).toBe(42);
    expect(percentile([3, 1], 50)).toBe(1);
  });

  it('is 0 for no values and does not reorder its input', () => {
    expect(percentile([], 50)).toBe(0);
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarizeOutcomes', () => {
  it('computes recall@1/5/10, MRR@10 and latency percentiles', () => {
    const outcomes: EvalOutcome[] = [
      { goldRank: 1, latencyMs: 1 },
      { goldRank: 2, latencyMs: 2 },
      { goldRank: 5, latencyMs: 3 },
      { goldRank: 10, latencyMs: 4 },
      { goldRank: 11, latencyMs: 5 },
      { goldRank: null, latencyMs: 6 },
      { goldRank: 1, latencyMs: 7 },
      { goldRank: 6, latencyMs: 100 },
    ];
    expect(summarizeOutcomes(outcomes)).toEqual({
      n: 8,
      'recall@1': 0.25,
      'recall@5': 0.5,
      'recall@10': 0.75,
      // (1 + 1/2 + 1/5 + 1/10 + 0 + 0 + 1 + 1/6) / 8 = 2.9667 / 8
      'mrr@10': 0.371,
      p50_ms: 4,
      p95_ms: 100,
    });
  });

  it('rounds recall and MRR to 3 digits and latencies to 2', () => {
    const metrics = summarizeOutcomes([
      { goldRank: 1, latencyMs: 0.123456 },
      { goldRank: 3, latencyMs: 0.123456 },
      { goldRank: null, latencyMs: 0.123456 },
    ]);
    expect(metrics['recall@1']).toBe(0.333);
    expect(metrics['recall@5']).toBe(0.667);
    expect(metrics['mrr@10']).toBe(0.444);
    expect(metrics.p50_ms).toBe(0.12);
  });

  it('is all zeros for no outcomes', () => {
    expect(summarizeOutcomes([])).toEqual({ n: 0, 'recall@1': 0, 'recall@5': 0, 'recall@10': 0, 'mrr@10': 0, p50_ms: 0, p95_ms: 0 });
  });
});

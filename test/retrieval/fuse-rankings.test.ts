import { describe, expect, it } from 'vitest';
import { DEFAULT_RRF_K, fuseRankings } from '../../src/retrieval/fuse-rankings.ts';

const list = (...labels: number[]) => labels.map((label) => ({ label }));

describe('fuseRankings (reciprocal rank fusion)', () => {
  it('uses the k tuned for the product\'s model (3) by default', () => {
    expect(DEFAULT_RRF_K).toBe(3);
    expect(fuseRankings([list(1, 2)])).toEqual([
      { label: 1, score: 1 / 4, ranks: [1] },
      { label: 2, score: 1 / 5, ranks: [2] },
    ]);
  });

  it('sums 1/(k + rank) over the rankings and orders by that sum', () => {
    const fused = fuseRankings([list(1, 2, 3), list(3, 1)], 60);
    expect(fused).toEqual([
      { label: 1, score: 1 / 61 + 1 / 62, ranks: [1, 2] },
      { label: 3, score: 1 / 63 + 1 / 61, ranks: [3, 1] },
      { label: 2, score: 1 / 62, ranks: [2, null] },
    ]);
  });

  it('rewards agreement: an item second in both beats one first in only one', () => {
    const fused = fuseRankings([list(7, 8), list(9, 8)], 10);
    expect(fused.map((item) => item.label)).toEqual([8, 7, 9]);
    expect(fused[0]!.score).toBeCloseTo(2 / 12, 15);
    expect(fused[1]!.score).toBeCloseTo(1 / 11, 15);
  });

  it('breaks ties by the smaller label', () => {
    expect(fuseRankings([list(5, 2), list(2, 5)]).map((item) => item.label)).toEqual([2, 5]);
  });

  it('applies per-ranking weights', () => {
    const fused = fuseRankings([list(1), list(2)], 60, [1, 2]);
    expect(fused).toEqual([
      { label: 2, score: 2 / 61, ranks: [null, 1] },
      { label: 1, score: 1 / 61, ranks: [1, null] },
    ]);
  });

  it('handles no rankings and empty rankings', () => {
    expect(fuseRankings([])).toEqual([]);
    expect(fuseRankings([[], []])).toEqual([]);
    expect(fuseRankings([[], list(4, 6)], 60)).toEqual([
      { label: 4, score: 1 / 61, ranks: [null, 1] },
      { label: 6, score: 1 / 62, ranks: [null, 2] },
    ]);
  });

  it('counts an item listed twice in one ranking once, at its best rank', () => {
    const fused = fuseRankings([list(5, 5, 7)], 60);
    expect(fused).toEqual([
      { label: 5, score: 1 / 61, ranks: [1] },
      { label: 7, score: 1 / 63, ranks: [3] },
    ]);
    const twoLists = fuseRankings([list(5, 9, 5), list(5)], 60);
    expect(twoLists[0]).toEqual({ label: 5, score: 2 / 61, ranks: [1, 1] });
  });
});

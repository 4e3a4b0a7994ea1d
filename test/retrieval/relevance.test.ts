/**
 * The "nothing relevant" signals: the lexical relevance (score above the candidates'
 * background, over the question's IDF mass) and the dense z-scores.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RELEVANCE, denseZScores, lexicalRelevance } from '../../src/retrieval/relevance.ts';

describe('lexicalRelevance', () => {
  it('is the score over the IDF mass when the list is too short to reach the background (ranks 11–50)', () => {
    expect(lexicalRelevance([8, 4, 2], 4)).toEqual([2, 1, 0.5]);
  });

  it('subtracts the mean score of ranks 11–50, counting ranks the list does not reach as 0', () => {
    const top = [30, 20, 10, 10, 10, 10, 10, 10, 10, 10];
    // Ranks 11–30 score 4 each, ranks 31–50 are missing: the background is 20 · 4 / 40 = 2.
    const relevance = lexicalRelevance([...top, ...Array<number>(20).fill(4)], 2);
    expect(relevance[0]).toBeCloseTo((30 - 2) / 2, 12);
    expect(relevance[10]).toBeCloseTo((4 - 2) / 2, 12);
    // Ranks beyond 50 do not move the background.
    const longer = lexicalRelevance([...top, ...Array<number>(40).fill(4), ...Array<number>(100).fill(3.9)], 2);
    expect(longer[0]).toBeCloseTo((30 - 4) / 2, 12);
  });

  it('the same best score is less relevant in a corpus that matches the question widely by chance', () => {
    const sparse = lexicalRelevance([12, 3, 2], 6)[0]!;
    const crowded = lexicalRelevance([12, ...Array<number>(60).fill(9)], 6)[0]!;
    expect(sparse).toBeGreaterThanOrEqual(DEFAULT_RELEVANCE.minLexicalScore);
    expect(crowded).toBeLessThan(DEFAULT_RELEVANCE.minLexicalScore);
  });

  it('is null for every candidate when the question has no indexed term', () => {
    expect(lexicalRelevance([1, 2], 0)).toEqual([null, null]);
    expect(lexicalRelevance([], 3)).toEqual([]);
  });
});

describe('denseZScores', () => {
  it('measures each similarity against the mean and deviation of ranks 6 onwards', () => {
    const similarities = [0.9, 0.8, 0.7, 0.6, 0.5, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1];
    const z = denseZScores(similarities)!;
    // Background: 0.3, 0.1 alternating (mean 0.2, deviation 0.1).
    expect(z[0]).toBeCloseTo(7, 9);
    expect(z[5]).toBeCloseTo(1, 9);
  });

  it('is null when fewer than five candidates make the background', () => {
    expect(denseZScores([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])).toBeNull();
  });
});

/**
 * The article context of lexical candidates: a share of the best other paragraph of the same
 * article among the first candidates is added, and the candidates are ranked again.
 */
import { describe, expect, it } from 'vitest';
import { CONTEXT_DEPTH, CONTEXT_WEIGHT, withArticleContext, type PassageOrigin } from '../../src/retrieval/article-context.ts';

/** Labels → origin: `origins[label]`. */
const originFrom = (origins: readonly PassageOrigin[]) => (label: number): PassageOrigin => origins[label]!;

describe('withArticleContext', () => {
  it('adds CONTEXT_WEIGHT times the best other paragraph of the same article, and ranks again', () => {
    const origins = [
      { articleId: 'lonely', paragraph: 1 },
      { articleId: 'topic', paragraph: 1 },
      { articleId: 'topic', paragraph: 2 },
      { articleId: 'topic', paragraph: 3 },
    ];
    const ranked = withArticleContext(
      [
        { label: 0, score: 10 },
        { label: 1, score: 9 },
        { label: 2, score: 8.5 },
        { label: 3, score: 2 },
      ],
      originFrom(origins),
    );
    expect(ranked.map((hit) => hit.label)).toEqual([1, 2, 0, 3]);
    expect(ranked[0]!.score).toBeCloseTo(9 + CONTEXT_WEIGHT * 8.5, 12);
    expect(ranked[1]!.score).toBeCloseTo(8.5 + CONTEXT_WEIGHT * 9, 12);
    expect(ranked[2]!.score).toBe(10);
    expect(ranked[3]!.score).toBeCloseTo(2 + CONTEXT_WEIGHT * 9, 12);
  });

  it('parts of the same paragraph are not context for each other', () => {
    const origins = [
      { articleId: 'long', paragraph: 4 },
      { articleId: 'long', paragraph: 4 },
    ];
    const ranked = withArticleContext([{ label: 0, score: 5 }, { label: 1, score: 4 }], originFrom(origins));
    expect(ranked.map((hit) => hit.score)).toEqual([5, 4]);
  });

  it('takes its evidence from the first CONTEXT_DEPTH candidates only, so k does not change the ranking', () => {
    const origins = Array.from({ length: CONTEXT_DEPTH + 2 }, (_, i) => ({ articleId: i < CONTEXT_DEPTH ? `a${i}` : 'late', paragraph: i }));
    origins[0] = { articleId: 'late', paragraph: 0 };
    const candidates = origins.map((_, label) => ({ label, score: 100 - label }));
    const ranked = withArticleContext(candidates, originFrom(origins));
    // The first candidate shares its article only with candidates beyond the depth: no bonus.
    expect(ranked.find((hit) => hit.label === 0)!.score).toBe(100);
    // The late ones get a bonus from it, as it is within the depth.
    expect(ranked.find((hit) => hit.label === CONTEXT_DEPTH)!.score).toBeCloseTo(100 - CONTEXT_DEPTH + CONTEXT_WEIGHT * 100, 12);
  });

  it('keeps the given order between equal scores, keeps extra fields and leaves its input alone', () => {
    const origins = [
      { articleId: 'x', paragraph: 1 },
      { articleId: 'y', paragraph: 1 },
    ];
    const input = [
      { label: 1, score: 3, note: 'first' },
      { label: 0, score: 3, note: 'second' },
    ];
    const ranked = withArticleContext(input, originFrom(origins));
    expect(ranked).toEqual(input);
    expect(ranked[0]).not.toBe(input[0]);
    expect(withArticleContext([], originFrom(origins))).toEqual([]);
  });
});

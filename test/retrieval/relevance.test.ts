/**
 * The "nothing relevant" signals: the lexical relevance (the share of the question's information
 * a passage holds, above the chance background of the term model) and the dense z-scores.
 */
import { describe, expect, it } from 'vitest';
import { chanceCoverage, DEFAULT_RELEVANCE, denseZScores, LexicalRelevance } from '../../src/retrieval/relevance.ts';

const RARE = { weight: 1, chance: 1e-4 };
const COMMON = { weight: 1, chance: 0.05 };

describe('chanceCoverage', () => {
  it('is 0 for one passage, for no terms, and for rare terms in a small corpus', () => {
    expect(chanceCoverage([RARE, COMMON], 1)).toBe(0);
    expect(chanceCoverage([], 1000)).toBe(0);
    expect(chanceCoverage([RARE, RARE], 20)).toBe(0);
  });

  it('grows with the corpus: more passages hold the common terms by chance', () => {
    const terms = [RARE, COMMON, COMMON];
    const small = chanceCoverage(terms, 10);
    const large = chanceCoverage(terms, 10_000);
    expect(small).toBe(0);
    expect(large).toBeGreaterThan(0);
    // A common term's share of the information: one in 20 passages holds it, so among 10,000 both do.
    const information = terms.map((term) => -Math.log(term.chance));
    const commonShare = information[1]! / information.reduce((sum, value) => sum + value, 0);
    expect(large).toBeCloseTo(2 * commonShare, 2);
  });

  it('counts a term at its weight: a question-frame word at 0 adds nothing', () => {
    expect(chanceCoverage([RARE, { weight: 0, chance: 0.5 }], 10_000)).toBe(chanceCoverage([RARE], 10_000));
  });
});

describe('LexicalRelevance', () => {
  it('is the share of the information a passage matches when the background is 0, whatever the question\'s length', () => {
    const two = new LexicalRelevance([RARE, RARE], 10);
    expect(two.background).toBe(0);
    expect(two.of([1, 1])).toBeCloseTo(1, 12);
    expect(two.of([1, 0])).toBeCloseTo(0.5, 12);
    const ten = new LexicalRelevance(Array<typeof RARE>(10).fill(RARE), 10);
    expect(ten.of([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])).toBeCloseTo(0.5, 12);
  });

  it('weighs rare terms above common ones, and weaker matches less', () => {
    const relevance = new LexicalRelevance([RARE, COMMON], 10);
    expect(relevance.of([1, 0])!).toBeGreaterThan(relevance.of([0, 1])!);
    expect(relevance.of([0.3, 0])!).toBeCloseTo(0.3 * relevance.of([1, 0])!, 12);
  });

  it('measures above half the best chance match, so a passage matching only common words in a large corpus falls below the threshold', () => {
    const terms = [RARE, COMMON, COMMON];
    const large = new LexicalRelevance(terms, 100_000);
    expect(large.background).toBeCloseTo(0.5 * chanceCoverage(terms, 100_000), 12);
    expect(large.of([0, 1, 1])!).toBeLessThan(new LexicalRelevance(terms, 10).of([0, 1, 1])!);
    expect(large.of([1, 1, 1])).toBeCloseTo(1, 12);
    expect(large.of([0, 0, 0])!).toBeLessThan(0);
  });

  it('is null when the question has no term', () => {
    expect(new LexicalRelevance([], 100).of([])).toBeNull();
  });

  it('the default threshold asks for about a quarter of the question\'s information', () => {
    expect(DEFAULT_RELEVANCE.minLexicalScore).toBeGreaterThan(0.1);
    expect(DEFAULT_RELEVANCE.minLexicalScore).toBeLessThan(0.5);
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

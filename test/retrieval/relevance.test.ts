/**
 * The "nothing relevant" signals: the lexical relevance (the share of the question's information
 * a passage holds, above the chance background of the term model), the dense z-scores (kept for
 * the deprecated QUELLE_MIN_DENSE_Z), and the rule that joins them with the dense calibration.
 */
import { describe, expect, it } from 'vitest';
import type { DenseCalibration } from '../../src/index/manifest.ts';
import { chanceCoverage, DEFAULT_RELEVANCE, denseZScores, LexicalRelevance, RelevanceRule } from '../../src/retrieval/relevance.ts';

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

/** A calibration as an index holds it (the figures are e5's on the seed + 10kGNAD dev index). */
function calibration(overrides: Partial<DenseCalibration> = {}): DenseCalibration {
  return {
    version: 1,
    modelId: 'local:e5@q8',
    corpus: 'c',
    vouches: true,
    reason: null,
    threshold: 0.84,
    englishOffset: 0.03,
    unit: 0.02,
    separation: { auc: 0.83, translationsMatched: 0.98, offTopicDeclined: 0.36 },
    samples: { pseudoQuestions: 200, offTopic: 128, passages: 7826 },
    seconds: 9,
    ...overrides,
  };
}

describe('RelevanceRule', () => {
  const evidence = (lexical: number | null, cosine: number | null, z: number | null = null) => ({ lexical, cosine, z });

  it('hybrid, calibrated: each side\'s distance from its threshold in its own units, summed', () => {
    const rule = new RelevanceRule(DEFAULT_RELEVANCE, calibration());
    expect(rule.dense).toEqual({ kind: 'joint', source: 'calibration', threshold: 0.84, englishOffset: 0.03, unit: 0.02 });
    // Exactly at both thresholds: 0 + 0.
    expect(rule.isRelevant('hybrid', evidence(0.24, 0.84), 'de')).toBe(true);
    // No lexical evidence at all (−1 unit) needs one dense unit above the threshold.
    expect(rule.isRelevant('hybrid', evidence(null, 0.86), 'de')).toBe(true);
    expect(rule.isRelevant('hybrid', evidence(null, 0.859), 'de')).toBe(false);
    expect(rule.isRelevant('hybrid', evidence(0, 0.859), 'de')).toBe(false);
    // A strong lexical match carries a dense side below its threshold, and the other way round.
    expect(rule.isRelevant('hybrid', evidence(0.6, 0.82), 'de')).toBe(true);
    expect(rule.isRelevant('hybrid', evidence(0.3, 0.82), 'de')).toBe(false);
    // A lexical match alone is not enough when the meaning is far off: not "either side vouches".
    expect(rule.isRelevant('hybrid', evidence(0.3, 0.80), 'de')).toBe(false);
  });

  it('English questions meet the threshold lowered by the calibrated language gap; an unknown language meets the German one', () => {
    const rule = new RelevanceRule(DEFAULT_RELEVANCE, calibration());
    expect(rule.isRelevant('dense', evidence(null, 0.815), 'en')).toBe(true);
    expect(rule.isRelevant('dense', evidence(null, 0.815), 'de')).toBe(false);
    expect(rule.isRelevant('dense', evidence(null, 0.815), null)).toBe(false);
    expect(rule.isRelevant('dense', evidence(null, 0.805), 'en')).toBe(false);
  });

  it('lexical mode decides by the lexical threshold alone, whatever the dense side says', () => {
    const rule = new RelevanceRule(DEFAULT_RELEVANCE, calibration());
    expect(rule.isRelevant('lexical', evidence(0.24, null), 'de')).toBe(true);
    expect(rule.isRelevant('lexical', evidence(0.23, 0.99), 'de')).toBe(false);
  });

  it('a model that failed its calibration, or an index without one, does not vouch: hybrid is the lexical decision, dense declines', () => {
    for (const failed of [calibration({ vouches: false, reason: 'it compares words, not meaning' }), null]) {
      const rule = new RelevanceRule(DEFAULT_RELEVANCE, failed);
      expect(rule.denseVouches).toBe(false);
      expect(rule.dense).toMatchObject({ kind: 'none', cause: failed ? 'failed-calibration' : 'not-calibrated' });
      expect(rule.isRelevant('hybrid', evidence(0.1, 0.999), 'de')).toBe(false);
      expect(rule.isRelevant('hybrid', evidence(0.24, 0.1), 'de')).toBe(true);
      expect(rule.isRelevant('dense', evidence(null, 0.999), 'de')).toBe(false);
    }
    expect(new RelevanceRule(DEFAULT_RELEVANCE, calibration({ vouches: false, reason: 'it compares words, not meaning' })).dense).toMatchObject({ reason: expect.stringContaining('it compares words, not meaning') });
  });

  it('QUELLE_MIN_DENSE_SCORE replaces the calibrated threshold (keeping its unit and language gap); without a calibration either side vouches', () => {
    const set = new RelevanceRule({ ...DEFAULT_RELEVANCE, minDenseScore: 0.9 }, calibration());
    expect(set.dense).toEqual({ kind: 'joint', source: 'QUELLE_MIN_DENSE_SCORE', threshold: 0.9, englishOffset: 0.03, unit: 0.02 });
    expect(set.isRelevant('dense', evidence(null, 0.89), 'de')).toBe(false);
    expect(set.isRelevant('dense', evidence(null, 0.87), 'en')).toBe(true);
    const alone = new RelevanceRule({ ...DEFAULT_RELEVANCE, minDenseScore: 0.9 }, null);
    expect(alone.dense).toEqual({ kind: 'either', source: 'QUELLE_MIN_DENSE_SCORE', threshold: 0.9, englishOffset: 0 });
    expect(alone.isRelevant('hybrid', evidence(null, 0.9), 'de')).toBe(true);
    expect(alone.isRelevant('hybrid', evidence(0.24, 0.1), 'de')).toBe(true);
    expect(alone.isRelevant('hybrid', evidence(0.2, 0.89), 'de')).toBe(false);
  });

  it('the deprecated QUELLE_MIN_DENSE_Z still works as it did: either side vouches, the dense one by its z-score', () => {
    const rule = new RelevanceRule({ ...DEFAULT_RELEVANCE, minDenseZ: 3 }, calibration());
    expect(rule.dense).toEqual({ kind: 'z-score', source: 'QUELLE_MIN_DENSE_Z', minZ: 3 });
    expect(rule.isRelevant('hybrid', evidence(0, 0.5, 3), 'de')).toBe(true);
    expect(rule.isRelevant('hybrid', evidence(0, 0.99, 2.9), 'de')).toBe(false);
    expect(rule.isRelevant('hybrid', evidence(0.3, 0.5, null), 'de')).toBe(true);
  });
});

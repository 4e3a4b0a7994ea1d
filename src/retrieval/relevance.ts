import type { DenseCalibration } from '../index/manifest.ts';
import type { QuestionLanguage } from './question-language.ts';

/**
 * Deciding that nothing answers a question. A fixed cosine cut-off is meaningless (e5 scores
 * crowd between 0.7 and 1.0, and each model, corpus and question language has its own band), and
 * raw BM25 grows with the question's length and with the corpus, so each side gets a normalised
 * signal with a calibrated threshold:
 * - lexical: the share of the question's information a passage holds, above the coverage a
 *   chance match reaches in a corpus of its size (`LexicalRelevance`);
 * - dense: the cosine similarity against the threshold calibrated for the index's own passages
 *   and model when it was built (calibration/dense-calibration.ts), lower for English questions
 *   by the calibrated language gap.
 * With both sides calibrated, a passage is relevant by their joint evidence: each side's distance
 * from its threshold in units of its own scale, summed (`RelevanceRule`). A dense side that
 * cannot vouch (no calibration, or a model that failed it) leaves the decision to the lexical
 * side. Whatever the signals say, a passage whose article lacks a number the question names
 * (a year, an amount, a model number) does not answer it (specifics.ts). A question is declined
 * when no passage is relevant.
 */
export interface RelevanceThresholds {
  /** Minimum lexical relevance (see `LexicalRelevance`). */
  readonly minLexicalScore: number;
  /**
   * QUELLE_MIN_DENSE_SCORE: the cosine a German question's passage must reach, instead of the
   * index's calibrated threshold (English questions: lower by the calibrated language gap). From
   * `npm run eval -- … --calibrate` on labelled questions, for instance.
   */
  readonly minDenseScore?: number | null;
  /**
   * Deprecated (QUELLE_MIN_DENSE_Z, before the calibration): the dense side vouches on its own
   * for a passage this many standard deviations above the candidate list's background.
   */
  readonly minDenseZ?: number | null;
}

/**
 * The lexical threshold was calibrated on the German dev halves in lexical mode: the highest
 * value (rounded down) that declines at most 3% of the answerable questions in every one of
 * XQuAD-de alone (0.359), XQuAD-de + 10kGNAD (0.352), the chat-style set on 10kGNAD + seed
 * (0.259), each chat-style dev article alone (0.266) and beside 20 other articles (0.241), and
 * each XQuAD-de dev article alone (0.363): `npx tsx test/fixtures/eval/dev-matrix.ts --sweep`.
 * 3% rather than 5%, because the rate on new questions scatters by a few points. The dense
 * threshold comes from each index's calibration.
 */
export const DEFAULT_RELEVANCE: RelevanceThresholds = { minLexicalScore: 0.24 };

/**
 * The lexical side's unit of evidence in the joint decision: a passage whose lexical relevance
 * stands this far above (or below) the threshold counts as much as one dense unit. It is the
 * default threshold itself, so a passage with no lexical evidence at all counts −1: its cosine
 * must then stand one calibrated unit above the dense threshold. Chosen on the dev halves
 * (README, "Tuning record": 0.12, 0.24, 0.36, 0.48, 0.72 and 1 were tried).
 */
export const LEXICAL_UNIT = 0.24;

/** How the dense side takes part in the decision, and on whose word. */
export type DenseJudgement =
  | {
      /** Joint evidence with the lexical side (calibrated scale), or alone in dense mode. */
      readonly kind: 'joint';
      readonly source: 'calibration' | 'QUELLE_MIN_DENSE_SCORE';
      readonly threshold: number;
      readonly englishOffset: number;
      readonly unit: number;
    }
  | {
      /** A set threshold without a calibrated unit to weigh it against the lexical side: either side vouches. */
      readonly kind: 'either';
      readonly source: 'QUELLE_MIN_DENSE_SCORE';
      readonly threshold: number;
      readonly englishOffset: number;
    }
  | { readonly kind: 'z-score'; readonly source: 'QUELLE_MIN_DENSE_Z'; readonly minZ: number }
  | { readonly kind: 'none'; readonly cause: 'not-calibrated' | 'failed-calibration'; readonly reason: string };

/** What one passage shows for one question; null where a side did not look at it. */
export interface PassageEvidence {
  readonly lexical: number | null;
  readonly cosine: number | null;
  readonly z: number | null;
  /** The question's specifics (its numbers: years, amounts, model numbers) that the passage's article does not hold (specifics.ts); none when absent. */
  readonly missingSpecifics?: readonly string[];
}

/**
 * Whether a passage answers a question, from both sides' evidence: the lexical threshold, and the
 * dense calibration of the index (or the thresholds set in the environment, which win).
 */
export class RelevanceRule {
  readonly dense: DenseJudgement;

  constructor(
    readonly thresholds: RelevanceThresholds,
    /** The index's calibration, when it is the loaded model's. */
    calibration: DenseCalibration | null | undefined,
    /** The lexical unit of evidence (tuning only: test/fixtures/eval/dev-matrix.ts sweeps it). */
    private readonly lexicalUnit = LEXICAL_UNIT,
  ) {
    this.dense = denseJudgement(thresholds, calibration);
  }

  /** Whether the dense side can vouch for anything. */
  get denseVouches(): boolean {
    return this.dense.kind !== 'none';
  }

  /**
   * Whether a passage is relevant in `mode` (lexical: its own threshold; dense: the dense one;
   * hybrid: the joint rule, or either side for thresholds without a calibrated unit). Questions
   * of unknown language meet the German dense threshold, the stricter one. In every mode, a
   * passage whose article lacks one of the question's specifics is not relevant: it is about
   * another year or another thing of the same name (specifics.ts).
   */
  isRelevant(mode: 'hybrid' | 'dense' | 'lexical', evidence: PassageEvidence, language: QuestionLanguage | null): boolean {
    if ((evidence.missingSpecifics?.length ?? 0) > 0) return false;
    const lexical = evidence.lexical !== null && evidence.lexical >= this.thresholds.minLexicalScore;
    if (mode === 'lexical') return lexical;
    const dense = this.dense;
    if (dense.kind === 'none') return mode === 'hybrid' && lexical;
    if (dense.kind === 'z-score') return (mode === 'hybrid' && lexical) || (evidence.z !== null && evidence.z >= dense.minZ);
    if (evidence.cosine === null) return mode === 'hybrid' && lexical;
    const threshold = dense.threshold - (language === 'en' ? dense.englishOffset : 0);
    if (mode === 'dense') return evidence.cosine >= threshold;
    if (dense.kind === 'either') return lexical || evidence.cosine >= threshold;
    const denseEvidence = (evidence.cosine - threshold) / dense.unit;
    const lexicalEvidence = ((evidence.lexical ?? 0) - this.thresholds.minLexicalScore) / this.lexicalUnit;
    return denseEvidence + lexicalEvidence >= 0;
  }
}

function denseJudgement(thresholds: RelevanceThresholds, calibration: DenseCalibration | null | undefined): DenseJudgement {
  const calibrated = calibration?.vouches === true && calibration.unit > 0 ? calibration : null;
  if (thresholds.minDenseScore != null) {
    const englishOffset = calibrated?.englishOffset ?? 0;
    return calibrated
      ? { kind: 'joint', source: 'QUELLE_MIN_DENSE_SCORE', threshold: thresholds.minDenseScore, englishOffset, unit: calibrated.unit }
      : { kind: 'either', source: 'QUELLE_MIN_DENSE_SCORE', threshold: thresholds.minDenseScore, englishOffset };
  }
  if (thresholds.minDenseZ != null) return { kind: 'z-score', source: 'QUELLE_MIN_DENSE_Z', minZ: thresholds.minDenseZ };
  if (calibrated) return { kind: 'joint', source: 'calibration', threshold: calibrated.threshold, englishOffset: calibrated.englishOffset, unit: calibrated.unit };
  return {
    kind: 'none',
    cause: calibration ? 'failed-calibration' : 'not-calibrated',
    reason: calibration
      ? `the model failed the dense calibration: ${calibration.reason ?? 'it does not separate questions about the articles from off-topic ones'}`
      : 'the index has no dense calibration (it was built before Quelle calibrated at index time); rebuild it to calibrate',
  };
}

/** What the lexical relevance needs of one question term (see lexical-index.ts, `QueryTerm`). */
export interface TermEvidence {
  /** The term's weight in the question. */
  readonly weight: number;
  /** The chance that a passage of general German text holds the term (the word-frequency prior). */
  readonly chance: number;
}

/** The resolution of the chance-coverage distribution: coverage is counted in steps of 1/COVERAGE_STEPS. */
const COVERAGE_STEPS = 200;

/**
 * The share of the best chance match's coverage (`chanceCoverage`) that a passage must pass
 * before its coverage counts as evidence; tuned on the dev halves among 0.3, 0.4, 0.5, 0.7 and 1
 * (1 — the whole — declined the chat-style questions on 10kGNAD far more than the small corpora;
 * see README, "Tuning record").
 */
const CHANCE_SHARE = 0.5;

/**
 * Each term's information: its weight times its general-language surprisal (−ln of its chance).
 * The language, not the corpus, says how much a word tells: an article's own subject ("Putin"
 * in every paragraph) has a low IDF in that article, yet a question naming it is about it.
 */
function informationOf(terms: readonly TermEvidence[]): number[] {
  return terms.map((term) => term.weight * -Math.log(Math.min(1 - 1e-9, Math.max(1e-12, term.chance))));
}

/**
 * The coverage the best of `passages` passages reaches by chance: the share of the question's
 * information that a passage unrelated to the question holds, when each term turns up on its
 * own with its general-language chance (independent terms), taken at the highest level that
 * one passage in `passages` is expected to reach. It grows with the corpus, as the best chance match does, and is
 * 0 for a small corpus and a question of rare words. It comes from the term model, not from the
 * candidate list, so that it holds for one article as for a million passages.
 */
export function chanceCoverage(terms: readonly TermEvidence[], passages: number): number {
  const information = informationOf(terms);
  const total = information.reduce((sum, value) => sum + value, 0);
  if (!(total > 0) || passages <= 1) return 0;
  let distribution = new Float64Array(COVERAGE_STEPS + 1);
  distribution[0] = 1;
  terms.forEach(({ chance }, i) => {
    const step = Math.round((information[i]! / total) * COVERAGE_STEPS);
    const next = new Float64Array(COVERAGE_STEPS + 1);
    distribution.forEach((probability, level) => {
      if (probability === 0) return;
      const reached = Math.min(COVERAGE_STEPS, level + step);
      next[level] = next[level]! + probability * (1 - chance);
      next[reached] = next[reached]! + probability * chance;
    });
    distribution = next;
  });
  // The highest level that one passage in `passages` is expected to reach (its tail, the chance of reaching it, times the passages is 1 or more).
  let tail = 0;
  for (let level = COVERAGE_STEPS; level > 0; level--) {
    tail += distribution[level]!;
    if (tail * passages >= 1) return level / COVERAGE_STEPS;
  }
  return 0;
}

/**
 * Scores passages' lexical relevance for one question. A passage's coverage is the share of
 * the question's information it holds (each term's information times how well the passage
 * matches it, 1 for a match in the text); its relevance is how far that coverage stands above
 * the background, CHANCE_SHARE of what the best chance match would cover, as a share of what
 * the background leaves: (coverage − background) / (1 − background). 1 is a passage holding
 * every term of the question, 0 one no better than the background; it is a share, so questions
 * of 1 and of 30 words, and corpora of one article or thousands, meet one threshold.
 */
export class LexicalRelevance {
  private readonly information: readonly number[];
  private readonly total: number;
  /** The background coverage. */
  readonly background: number;

  constructor(terms: readonly TermEvidence[], passages: number) {
    this.information = informationOf(terms);
    this.total = this.information.reduce((sum, value) => sum + value, 0);
    this.background = CHANCE_SHARE * chanceCoverage(terms, passages);
  }

  /** The share of the question's information a passage holds, from its per-term matches (0 when the question has no term). */
  coverage(matches: readonly number[]): number {
    if (!(this.total > 0)) return 0;
    let covered = 0;
    this.information.forEach((information, i) => (covered += information * (matches[i] ?? 0)));
    return covered / this.total;
  }

  /** A passage's relevance, from its per-term matches; null when the question has no term. */
  of(matches: readonly number[]): number | null {
    if (!(this.total > 0)) return null;
    return (this.coverage(matches) - this.background) / (1 - this.background);
  }
}

/** Ranks from which the dense background is measured: the likely answers above are left out. */
const BACKGROUND_FROM = 5;

/**
 * z-scores of dense similarities against the background of the same candidate list (ranks 6
 * onwards). Null when the list is too short to estimate a background. Only the deprecated
 * QUELLE_MIN_DENSE_Z decides by it: it cannot exist for a corpus of a few passages, and it
 * forgets how similar the best passage is in absolute terms, which is what the calibration keeps.
 */
export function denseZScores(similarities: readonly number[]): number[] | null {
  const background = similarities.slice(BACKGROUND_FROM);
  if (background.length < 5) return null;
  const mean = background.reduce((sum, value) => sum + value, 0) / background.length;
  const variance = background.reduce((sum, value) => sum + (value - mean) ** 2, 0) / background.length;
  const deviation = Math.sqrt(variance) || 1e-6;
  return similarities.map((value) => (value - mean) / deviation);
}

import { calibrateThreshold } from '../evaluate.ts';
import type { SearchMode } from '../retriever.ts';
import type { QuestionSignals } from './run-evaluation.ts';

/**
 * Shares of answerable questions a calibrated threshold may decline. The defaults use 3%: the
 * rate on questions not calibrated on scatters by a few points, and 5% is the most it may reach.
 */
export const CALIBRATION_SHARES: readonly number[] = [0.03, 0.05];

export type ThresholdSetting = 'QUELLE_MIN_LEXICAL_SCORE' | 'QUELLE_MIN_DENSE_Z';

export interface ThresholdProposal {
  readonly setting: ThresholdSetting;
  /** The share of answerable questions it is allowed to decline. */
  readonly share: number;
  readonly threshold: number;
  /** What it declines of the answerable and unanswerable questions (null without any). */
  readonly answerableDeclined: number | null;
  readonly unanswerableDeclined: number | null;
}

/**
 * Per relevance signal the mode uses, the thresholds that decline at most each share of the
 * answerable questions, and what they would decline of each kind. `mode` is the mode actually
 * used: after a fallback to lexical search there is no dense signal to calibrate.
 */
export function proposeThresholds(answerable: readonly QuestionSignals[], unanswerable: readonly QuestionSignals[], mode: SearchMode, shares = CALIBRATION_SHARES): ThresholdProposal[] {
  const proposals: ThresholdProposal[] = [];
  const propose = (setting: ThresholdSetting, pick: (s: QuestionSignals) => number): void => {
    for (const share of shares) {
      const threshold = calibrateThreshold(answerable.map(pick), share);
      const below = (list: readonly QuestionSignals[]): number | null => (list.length === 0 ? null : list.filter((s) => pick(s) < threshold).length / list.length);
      proposals.push({ setting, share, threshold, answerableDeclined: below(answerable), unanswerableDeclined: below(unanswerable) });
    }
  };
  if (mode !== 'dense') propose('QUELLE_MIN_LEXICAL_SCORE', (s) => s.lexicalScore);
  if (mode !== 'lexical') propose('QUELLE_MIN_DENSE_Z', (s) => s.denseZ);
  return proposals;
}

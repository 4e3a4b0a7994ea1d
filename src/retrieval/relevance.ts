/**
 * Deciding that nothing answers a question. A fixed cosine cut-off is meaningless (e5 scores
 * crowd between 0.7 and 1.0, and each model has its own scale), and raw BM25 grows with the
 * question's length, so each side gets a normalised signal with a calibrated threshold:
 * - lexical: the passage's BM25 score divided by the question's IDF mass (`lexicalScore`), so
 *   that questions of any length share one scale;
 * - dense: how far a passage's similarity stands above the background of the candidate list,
 *   in standard deviations (`denseZ`), which is scale-free across models.
 * A passage is relevant when either side vouches for it; a question is declined when no passage is.
 */
export interface RelevanceThresholds {
  /** Minimum normalised lexical score. */
  readonly minLexicalScore: number;
  /** Minimum dense z-score. */
  readonly minDenseZ: number;
}

/**
 * Calibrated on the XQuAD-de dev questions (lexical mode, 10kGNAD distractors) against the
 * dev half of test/fixtures/eval/unanswerable.jsonl: the highest score that declines at most
 * 5% of the answerable questions. Reproduce with `npm run eval -- … --split dev --calibrate`.
 * The dense threshold is a conservative prior (3 standard deviations above the background);
 * calibrate it for your model with the same command in dense mode and set QUELLE_MIN_DENSE_Z.
 */
export const DEFAULT_RELEVANCE: RelevanceThresholds = { minLexicalScore: 1.2, minDenseZ: 3 };

/** Ranks from which the dense background is measured: the likely answers above are left out. */
const BACKGROUND_FROM = 5;

/**
 * z-scores of dense similarities against the background of the same candidate list (ranks 6
 * onwards). Null when the list is too short to estimate a background.
 */
export function denseZScores(similarities: readonly number[]): number[] | null {
  const background = similarities.slice(BACKGROUND_FROM);
  if (background.length < 5) return null;
  const mean = background.reduce((sum, value) => sum + value, 0) / background.length;
  const variance = background.reduce((sum, value) => sum + (value - mean) ** 2, 0) / background.length;
  const deviation = Math.sqrt(variance) || 1e-6;
  return similarities.map((value) => (value - mean) / deviation);
}

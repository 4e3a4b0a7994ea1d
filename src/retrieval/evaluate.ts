/**
 * Retrieval metrics over labelled questions: recall@k (the gold paragraph among the first k)
 * and MRR@10 (the mean of 1/rank of the gold paragraph, 0 beyond rank 10).
 */
export interface EvalOutcome {
  /** 1-based rank of the gold paragraph, or null when it was not retrieved. */
  readonly goldRank: number | null;
  readonly latencyMs: number;
}

export interface EvalMetrics {
  readonly n: number;
  readonly 'recall@1': number;
  readonly 'recall@5': number;
  readonly 'recall@10': number;
  readonly 'mrr@10': number;
  readonly p50_ms: number;
  readonly p95_ms: number;
}

export function summarizeOutcomes(outcomes: readonly EvalOutcome[]): EvalMetrics {
  const n = outcomes.length;
  const share = (predicate: (outcome: EvalOutcome) => boolean): number =>
    n === 0 ? 0 : outcomes.filter(predicate).length / n;
  const recallAt = (k: number): number => share((o) => o.goldRank !== null && o.goldRank <= k);
  const mrr = n === 0 ? 0 : outcomes.reduce((sum, o) => sum + (o.goldRank !== null && o.goldRank <= 10 ? 1 / o.goldRank : 0), 0) / n;
  const latencies = outcomes.map((o) => o.latencyMs);
  return {
    n,
    'recall@1': round(recallAt(1)),
    'recall@5': round(recallAt(5)),
    'recall@10': round(recallAt(10)),
    'mrr@10': round(mrr),
    p50_ms: round(percentile(latencies, 50), 2),
    p95_ms: round(percentile(latencies, 95), 2),
  };
}

/** The nearest-rank percentile; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Which half of a labelled set an item belongs to: tuning uses only `dev`, and figures are
 * reported for `test` too. Questions split by article (FNV-1a of its id), so no article's
 * paragraphs are tuned on and tested at once.
 */
export function evalSplitOf(key: string): 'dev' | 'test' {
  let hash = 0x811c9dc5;
  for (const char of key) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 2 === 0 ? 'dev' : 'test';
}

/**
 * The highest threshold under which at most `maxShare` of the answerable questions' scores fall:
 * those questions would be declined. Scores are each question's best relevance signal.
 */
export function calibrateThreshold(answerableScores: readonly number[], maxShare: number): number {
  if (answerableScores.length === 0) return 0;
  const sorted = [...answerableScores].sort((a, b) => a - b);
  const allowed = Math.floor(maxShare * sorted.length);
  // Declining exactly the `allowed` lowest: the threshold sits at the next score.
  return sorted[Math.min(allowed, sorted.length - 1)]!;
}

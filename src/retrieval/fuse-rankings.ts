/**
 * Reciprocal rank fusion: each ranking contributes 1 / (k + rank) for every item it holds.
 * It needs no score normalisation, which matters because BM25 scores are unbounded while
 * cosine similarities crowd into a narrow band.
 */
export interface RankedItem {
  readonly label: number;
}

export interface FusedItem {
  readonly label: number;
  readonly score: number;
  /** 1-based rank in each input ranking, or null when the ranking did not hold the item. */
  readonly ranks: readonly (number | null)[];
}

/**
 * Tuned for the product's model, multilingual-e5-small, on the dev halves (README, "Tuning
 * record"): of RRF k 1–100 × dense weight 0.25–3, k 3 with equal weights had the best mean
 * MRR@10 over XQuAD-de (German and English questions, alone and with 10kGNAD) and the chat-style
 * set (German and English), German rows counting twice as askers are expected to ask (k 5 was
 * within 0.0001). A sharp k lets each side's first ranks decide.
 */
export const DEFAULT_RRF_K = 3;

/**
 * How the dense and lexical rankings are fused: RRF's k (larger flattens the advantage of the
 * first ranks) and the dense ranking's weight against the lexical one's 1. Another model's own
 * are found with `npm run eval -- --tune-fusion` on the dev questions and set with QUELLE_RRF_K
 * and QUELLE_RRF_DENSE_WEIGHT.
 */
export interface FusionSettings {
  readonly k: number;
  readonly denseWeight: number;
}

export const DEFAULT_FUSION: FusionSettings = { k: DEFAULT_RRF_K, denseWeight: 1 };

export function fuseRankings(rankings: readonly (readonly RankedItem[])[], k = DEFAULT_RRF_K, weights?: readonly number[]): FusedItem[] {
  const fused = new Map<number, { score: number; ranks: (number | null)[] }>();
  rankings.forEach((ranking, which) => {
    const weight = weights?.[which] ?? 1;
    ranking.forEach((item, position) => {
      let entry = fused.get(item.label);
      if (!entry) {
        entry = { score: 0, ranks: rankings.map(() => null) };
        fused.set(item.label, entry);
      }
      // A ranking may list an item twice (split paragraphs); only its best rank counts.
      if (entry.ranks[which] !== null) return;
      entry.ranks[which] = position + 1;
      entry.score += weight / (k + position + 1);
    });
  });
  return [...fused.entries()]
    .map(([label, entry]) => ({ label, score: entry.score, ranks: entry.ranks }))
    .sort((a, b) => b.score - a.score || a.label - b.label);
}

import type { Embedder } from '../../embedding/embedder.ts';
import type { SearchIndex } from '../../index/search-index.ts';
import { summarizeOutcomes, type EvalMetrics } from '../evaluate.ts';
import type { FusionSettings } from '../fuse-rankings.ts';
import type { RelevanceThresholds } from '../relevance.ts';
import { Retriever } from '../retriever.ts';
import type { LabelledQuestion } from './labelled-set.ts';
import { goldRankOf } from './run-evaluation.ts';

/** The grid fusion tuning searches: RRF k from sharp to flat, and the dense side's weight against the lexical side's 1. */
export const FUSION_GRID: { readonly k: readonly number[]; readonly denseWeight: readonly number[] } = {
  k: [1, 3, 5, 10, 20, 40, 60, 100],
  denseWeight: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2],
};

export interface FusionTrial {
  readonly fusion: FusionSettings;
  readonly metrics: EvalMetrics;
}

export interface TuneFusionInput {
  readonly index: SearchIndex;
  readonly embedder: Embedder;
  readonly questions: readonly LabelledQuestion[];
  readonly k: number;
  readonly relevance: RelevanceThresholds;
  readonly grid?: typeof FUSION_GRID;
}

/**
 * Every fusion setting of the grid, ranked by MRR@10 (then recall@1) over the questions, through
 * the same Retriever the bot uses. Each question is embedded once: only the fusion differs.
 */
export async function tuneFusion(input: TuneFusionInput): Promise<FusionTrial[]> {
  const vectors = new Map<string, Float32Array>();
  const { embedder } = input;
  const cached: Embedder = {
    modelId: embedder.modelId,
    dimension: embedder.dimension,
    embedPassages: (texts, options) => embedder.embedPassages(texts, options),
    dispose: async () => {},
    embedQuery: async (text, signal) => {
      let vector = vectors.get(text);
      if (!vector) vectors.set(text, (vector = await embedder.embedQuery(text, signal)));
      return vector;
    },
  };
  const grid = input.grid ?? FUSION_GRID;
  const trials: FusionTrial[] = [];
  for (const rrfK of grid.k) {
    for (const denseWeight of grid.denseWeight) {
      const fusion = { k: rrfK, denseWeight };
      const retriever = new Retriever(input.index, cached, { fusion, relevance: input.relevance });
      const outcomes = [];
      for (const item of input.questions) outcomes.push({ goldRank: goldRankOf(await retriever.search(item.question, { k: input.k, mode: 'hybrid' }), item), latencyMs: 0 });
      trials.push({ fusion, metrics: summarizeOutcomes(outcomes) });
    }
  }
  return trials.sort((a, b) => b.metrics['mrr@10'] - a.metrics['mrr@10'] || b.metrics['recall@1'] - a.metrics['recall@1']);
}

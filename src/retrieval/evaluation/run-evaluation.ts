import { performance } from 'node:perf_hooks';
import { summarizeOutcomes, type EvalMetrics } from '../evaluate.ts';
import type { SearchMode, SearchResponse, Retriever } from '../retriever.ts';
import type { EvalSet, LabelledQuestion } from './labelled-set.ts';

/** What evaluation needs of a retriever (the bot's Retriever, or a stand-in in tests). */
export type EvaluatedRetriever = Pick<Retriever, 'search' | 'denseUnavailableReason'>;

/** A question's best relevance signals over its hits, and whether it was declined: what calibration works on. */
export interface QuestionSignals {
  readonly lexicalScore: number;
  readonly denseZ: number;
  readonly declined: boolean;
}

export interface AnswerableResult {
  readonly item: LabelledQuestion;
  /** 1-based rank of the gold paragraph among the hits, or null. */
  readonly goldRank: number | null;
  readonly latencyMs: number;
  readonly signals: QuestionSignals;
  /** The first hit, for listing failures. */
  readonly top: { readonly article: string; readonly paragraph: number; readonly text: string } | null;
}

export interface EvaluationRun {
  readonly requestedMode: SearchMode;
  /** The mode the retriever actually used. */
  readonly mode: SearchMode;
  /** Why `mode` differs from the requested one, or null. */
  readonly fallbackReason: string | null;
  readonly k: number;
  readonly answerable: readonly AnswerableResult[];
  readonly unanswerable: readonly QuestionSignals[];
}

export interface EvaluationOptions {
  /** Hits retrieved per question (at least 10, for recall@10 and MRR@10). */
  readonly k: number;
  readonly mode: SearchMode;
  /** Why the model could not be loaded, when it could not: a truer fallback reason than the retriever's (which sees only an index without vectors). */
  readonly modelProblem?: string | null;
}

/** The signals calibration reads from one response: the best lexical relevance and dense z-score among its hits. */
export function signalsOf(response: SearchResponse): QuestionSignals {
  return {
    lexicalScore: Math.max(0, ...response.hits.map((hit) => hit.lexicalScore ?? 0)),
    denseZ: Math.max(-Infinity, ...response.hits.map((hit) => hit.denseZ ?? -Infinity)),
    declined: response.declined,
  };
}

/** 1-based rank of the question's gold paragraph among the hits, or null. */
export function goldRankOf(response: SearchResponse, item: LabelledQuestion): number | null {
  const position = response.hits.findIndex((hit) => hit.passage.articleId === item.article && hit.passage.paragraph === item.paragraph);
  return position === -1 ? null : position + 1;
}

/** Runs every question of the set through the retriever, as the bot would ask it. */
export async function runEvaluation(retriever: EvaluatedRetriever, set: EvalSet, options: EvaluationOptions): Promise<EvaluationRun> {
  const k = Math.max(10, options.k);
  const modes = new Set<SearchMode>();
  const answerable: AnswerableResult[] = [];
  for (const item of set.answerable) {
    const started = performance.now();
    const response = await retriever.search(item.question, { k, mode: options.mode });
    const latencyMs = performance.now() - started;
    modes.add(response.mode);
    const first = response.hits[0]?.passage;
    answerable.push({
      item,
      goldRank: goldRankOf(response, item),
      latencyMs,
      signals: signalsOf(response),
      top: first ? { article: first.articleId, paragraph: first.paragraph, text: first.text } : null,
    });
  }
  const unanswerable = [];
  for (const item of set.unanswerable) {
    const response = await retriever.search(item.question, { k, mode: options.mode });
    modes.add(response.mode);
    unanswerable.push(signalsOf(response));
  }
  const denseProblem = retriever.denseUnavailableReason();
  // The retriever falls back the same way for every question; with no question asked, say what it would do.
  const mode = [...modes][0] ?? (options.mode === 'hybrid' && denseProblem ? 'lexical' : options.mode);
  const fallbackReason = mode === options.mode ? null : (options.modelProblem ?? denseProblem ?? 'the requested mode is not available');
  return { requestedMode: options.mode, mode, fallbackReason, k, answerable, unanswerable };
}

export interface EvaluationSummary extends EvalMetrics {
  /** Share of the answerable questions declined as "nothing relevant". */
  readonly declined: number;
  readonly unanswerable_n?: number;
  readonly unanswerable_declined?: number;
  /** The mode actually used. */
  readonly mode: SearchMode;
  /** Only after a fallback: why the requested mode was not used. */
  readonly fallback_reason?: string;
}

/** The figures `npm run eval` reports (its `--json` document). */
export function summarizeEvaluation(run: EvaluationRun, options: { readonly reportUnanswerable: boolean }): EvaluationSummary {
  return {
    ...summarizeOutcomes(run.answerable.map(({ goldRank, latencyMs }) => ({ goldRank, latencyMs }))),
    declined: round(declinedShare(run.answerable.map((result) => result.signals))),
    ...(options.reportUnanswerable ? { unanswerable_n: run.unanswerable.length, unanswerable_declined: round(declinedShare(run.unanswerable)) } : {}),
    mode: run.mode,
    ...(run.fallbackReason ? { fallback_reason: run.fallbackReason } : {}),
  };
}

/** The answerable questions whose gold paragraph was not ranked first, or that were declined. */
export function evaluationFailures(run: EvaluationRun): AnswerableResult[] {
  return run.answerable.filter((result) => result.goldRank !== 1 || result.signals.declined);
}

/** The share of questions declined, 0 for none. */
export function declinedShare(signals: readonly QuestionSignals[]): number {
  return signals.length === 0 ? 0 : signals.filter((s) => s.declined).length / signals.length;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { runIndexer } from '../indexer/run-indexer.ts';
import type { Embedder } from '../embedding/embedder.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { calibrateThreshold, evalSplitOf, summarizeOutcomes, type EvalMetrics, type EvalOutcome } from '../retrieval/evaluate.ts';
import type { FusionSettings } from '../retrieval/fuse-rankings.ts';
import type { RelevanceThresholds } from '../retrieval/relevance.ts';
import { retrieverFor } from '../retrieval/open-retriever.ts';
import { Retriever, SEARCH_MODES, type SearchResponse } from '../retrieval/retriever.ts';
import { parseCliArgs, printable, runCli, UsageError } from '../command-line.ts';
import { ErrorCode, QuelleError } from '../errors.ts';
import { formatSeconds, loadCliConfig, parseChoice, parsePositiveInt, stderrLogger } from './cli-support.ts';

const USAGE = `Usage: npm run eval -- --seeds DIR --questions FILE.jsonl [--k 10] [--mode hybrid|dense|lexical]
                      [--distractors DIR] [--split dev|test|all] [--unanswerable FILE.jsonl]
                      [--failures] [--calibrate] [--tune-fusion] [--json]

Builds a temporary index of the articles in DIR and measures how well questions find their
gold paragraph. Each line of FILE is {"question": "...", "article": "<file name without extension>",
"paragraph": <1-based body paragraph>}.
  --k N                how many results to retrieve per question (default 10)
  --mode MODE          hybrid (default), dense or lexical
  --distractors DIR    add another article folder to the index (it has no questions); repeatable
  --split SPLIT        dev or test: half of the questions, split by article (default all)
  --unanswerable FILE  questions the articles cannot answer ({"question": "..."} per line; split
                       by question): reports how many are declined
  --failures           list the questions whose gold paragraph was not ranked first
  --calibrate          print the relevance thresholds that decline at most 3% (the defaults'
                       margin) and 5% of the answerable questions, and what they decline of
                       the unanswerable ones
  --tune-fusion        hybrid mode: rank the fusion settings (RRF k × dense weight) by MRR@10 and
                       print the best as QUELLE_RRF_K and QUELLE_RRF_DENSE_WEIGHT (use --split dev)
  --json               print {"n","recall@1","recall@5","recall@10","mrr@10","p50_ms","p95_ms",
                       "declined", and with --unanswerable "unanswerable_n","unanswerable_declined"}`;

const questionSchema = z.object({
  question: z.string().min(1),
  article: z.string().min(1),
  paragraph: z.number().int().positive(),
});
const unanswerableSchema = z.object({ question: z.string().min(1) });

/** What calibration needs of one question: its best relevance signals over the retrieved hits. */
interface Signals {
  readonly lexicalScore: number;
  readonly denseZ: number;
  readonly declined: boolean;
}

runCli(async () => {
  const { values } = parseCliArgs(
    {
      seeds: { type: 'string' },
      questions: { type: 'string' },
      k: { type: 'string' },
      mode: { type: 'string' },
      distractors: { type: 'string', multiple: true },
      split: { type: 'string' },
      unanswerable: { type: 'string' },
      failures: { type: 'boolean' },
      calibrate: { type: 'boolean' },
      'tune-fusion': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (!values.seeds || !values.questions) throw new UsageError(`--seeds and --questions are required.\n\n${USAGE}`);
  const config = loadCliConfig();
  const mode = parseChoice(values.mode, 'mode', SEARCH_MODES, config.mode);
  const split = parseChoice(values.split, 'split', ['dev', 'test', 'all'] as const, 'all');
  const k = Math.max(10, parsePositiveInt(values.k, 'k', 10));
  const inSplit = (key: string): boolean => split === 'all' || evalSplitOf(key) === split;
  const questions = (await readJsonLines(values.questions, questionSchema, '{"question": text, "article": text, "paragraph": number ≥ 1}')).filter((q) => inSplit(q.article));
  const unanswerable = values.unanswerable
    ? (await readJsonLines(values.unanswerable, unanswerableSchema, '{"question": text}')).filter((q) => inSplit(q.question))
    : [];
  if (questions.length === 0) throw new UsageError(`No questions in ${values.questions} for --split ${split}.`);
  if (values['tune-fusion'] && mode !== 'hybrid') throw new UsageError('--tune-fusion tunes hybrid search: add --mode hybrid (and a model).');
  const logger = stderrLogger();

  const { embedder, unavailableReason } = mode === 'lexical' ? { embedder: null, unavailableReason: null } : await openEmbedder(config.model);
  if (mode === 'dense' && !embedder) throw new QuelleError(ErrorCode.ModelUnavailable, `Dense evaluation needs the model: ${unavailableReason}`);
  const indexDir = await mkdtemp(path.join(os.tmpdir(), 'quelle-eval-'));
  try {
    const { summary, index } = await runIndexer({
      seedsDir: [values.seeds, ...(values.distractors ?? [])],
      indexDir,
      mode: embedder ? 'hybrid' : 'lexical',
      modelSettings: config.model,
      embedder,
      logger,
    });
    logger.info(`Indexed ${summary.articles} articles, ${summary.passages} passages in ${formatSeconds(summary.seconds)} (${summary.passagesPerSecond.toFixed(1)} passages/s)`);
    const retriever = await retrieverFor(index, { mode, modelSettings: config.model, embedder, relevance: config.relevance, fusion: config.fusion });
    const signalsOf = (response: SearchResponse): Signals => ({
      lexicalScore: Math.max(0, ...response.hits.map((hit) => hit.lexicalScore ?? 0)),
      denseZ: Math.max(-Infinity, ...response.hits.map((hit) => hit.denseZ ?? -Infinity)),
      declined: response.declined,
    });

    const outcomes: EvalOutcome[] = [];
    const answerableSignals: Signals[] = [];
    const failures: string[] = [];
    for (const item of questions) {
      const started = performance.now();
      const response = await retriever.search(item.question, { k, mode });
      const latencyMs = performance.now() - started;
      const goldRank = goldRankOf(response, item);
      outcomes.push({ goldRank, latencyMs });
      answerableSignals.push(signalsOf(response));
      if (goldRank !== 1 || response.declined) {
        const top = response.hits[0]?.passage;
        failures.push(
          `- ${printable(item.question)}${response.declined ? ' (declined)' : ''}\n    gold ${printable(item.article)} ¶${item.paragraph} ${goldRank === null ? `not in the top ${k}` : `at rank ${goldRank}`}; first: ${top ? `${printable(top.articleId)} ¶${top.paragraph}: ${printable(top.text.slice(0, 100))}…` : 'nothing'}`,
        );
      }
    }
    const unanswerableSignals: Signals[] = [];
    for (const item of unanswerable) unanswerableSignals.push(signalsOf(await retriever.search(item.question, { k, mode })));

    const share = (list: readonly Signals[]): number => (list.length === 0 ? 0 : list.filter((s) => s.declined).length / list.length);
    const metrics = {
      ...summarizeOutcomes(outcomes),
      declined: round(share(answerableSignals)),
      ...(values.unanswerable ? { unanswerable_n: unanswerable.length, unanswerable_declined: round(share(unanswerableSignals)) } : {}),
    };
    if (values.failures) process.stderr.write(`${failures.length} questions not answered first:\n${failures.join('\n')}\n`);
    if (values.calibrate) process.stderr.write(calibration(answerableSignals, unanswerableSignals, mode));
    if (values['tune-fusion']) {
      if (!embedder || retriever.denseUnavailableReason()) throw new Error(`--tune-fusion needs the model: ${retriever.denseUnavailableReason() ?? unavailableReason}`);
      process.stderr.write(await tuneFusion(index, embedder, questions, k, config.fusion, config.relevance));
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(metrics)}\n`);
    } else {
      process.stdout.write(
        `${metrics.n} questions (split ${split}), mode ${retriever.denseUnavailableReason() && mode !== 'lexical' ? 'lexical (fallback)' : mode}\n` +
          `recall@1 ${metrics['recall@1'].toFixed(3)}  recall@5 ${metrics['recall@5'].toFixed(3)}  recall@10 ${metrics['recall@10'].toFixed(3)}  MRR@10 ${metrics['mrr@10'].toFixed(3)}\n` +
          `latency p50 ${metrics.p50_ms.toFixed(2)} ms  p95 ${metrics.p95_ms.toFixed(2)} ms\n` +
          `answerable questions declined: ${(metrics.declined * 100).toFixed(1)}%\n` +
          (values.unanswerable ? `unanswerable questions declined: ${(share(unanswerableSignals) * 100).toFixed(1)}% of ${unanswerable.length}\n` : ''),
      );
    }
  } finally {
    await embedder?.dispose();
    await rm(indexDir, { recursive: true, force: true });
  }
});

type LabelledQuestion = z.infer<typeof questionSchema>;

/** 1-based rank of the question's gold paragraph among the hits, or null. */
function goldRankOf(response: SearchResponse, item: LabelledQuestion): number | null {
  const position = response.hits.findIndex((hit) => hit.passage.articleId === item.article && hit.passage.paragraph === item.paragraph);
  return position === -1 ? null : position + 1;
}

/** The grid --tune-fusion searches: RRF k from sharp to flat, and the dense side's weight against the lexical side's 1. */
const FUSION_GRID = { k: [1, 3, 5, 10, 20, 40, 60, 100], denseWeight: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2] };

/**
 * Ranks every fusion setting of the grid by MRR@10 (then recall@1) over the questions, through
 * the same Retriever the bot uses. Each question is embedded once: only the fusion differs.
 */
async function tuneFusion(
  index: SearchIndex,
  embedder: Embedder,
  questions: readonly LabelledQuestion[],
  k: number,
  current: FusionSettings,
  relevance: RelevanceThresholds,
): Promise<string> {
  const vectors = new Map<string, Float32Array>();
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
  const rows: { fusion: FusionSettings; metrics: EvalMetrics }[] = [];
  for (const rrfK of FUSION_GRID.k) {
    for (const denseWeight of FUSION_GRID.denseWeight) {
      const fusion = { k: rrfK, denseWeight };
      const retriever = new Retriever(index, cached, { fusion, relevance });
      const outcomes: EvalOutcome[] = [];
      for (const item of questions) outcomes.push({ goldRank: goldRankOf(await retriever.search(item.question, { k, mode: 'hybrid' }), item), latencyMs: 0 });
      rows.push({ fusion, metrics: summarizeOutcomes(outcomes) });
    }
  }
  rows.sort((a, b) => b.metrics['mrr@10'] - a.metrics['mrr@10'] || b.metrics['recall@1'] - a.metrics['recall@1']);
  const line = ({ fusion, metrics }: (typeof rows)[number]): string =>
    `  k ${String(fusion.k).padStart(3)}  dense weight ${fusion.denseWeight.toFixed(2)}  MRR@10 ${metrics['mrr@10'].toFixed(3)}  recall@1 ${metrics['recall@1'].toFixed(3)}  recall@5 ${metrics['recall@5'].toFixed(3)}`;
  const currentRow = rows.find((row) => row.fusion.k === current.k && row.fusion.denseWeight === current.denseWeight);
  const best = rows[0]!;
  return [
    `fusion settings by MRR@10 (${questions.length} questions; best 5 of ${rows.length}):`,
    ...rows.slice(0, 5).map(line),
    currentRow ? `current (QUELLE_RRF_K ${current.k}, QUELLE_RRF_DENSE_WEIGHT ${current.denseWeight}):\n${line(currentRow)}` : `current (k ${current.k}, dense weight ${current.denseWeight}) is off the grid`,
    `best: QUELLE_RRF_K=${best.fusion.k} QUELLE_RRF_DENSE_WEIGHT=${best.fusion.denseWeight}`,
    '',
  ].join('\n');
}

/**
 * Shares of answerable questions a calibrated threshold may decline. The defaults use 3%: the
 * rate on questions not calibrated on scatters by a few points, and 5% is the most it may reach.
 */
const CALIBRATION_SHARES = [0.03, 0.05];

/** Per signal, the thresholds that decline at most each calibration share of the answerable questions, and their effect. */
function calibration(answerable: readonly Signals[], unanswerable: readonly Signals[], mode: string): string {
  const lines = [`calibration (${mode}, ${answerable.length} answerable, ${unanswerable.length} unanswerable questions):`];
  const report = (name: string, pick: (s: Signals) => number): void => {
    for (const share of CALIBRATION_SHARES) {
      const threshold = calibrateThreshold(answerable.map(pick), share);
      const below = (list: readonly Signals[]): string => (list.length === 0 ? '–' : `${((list.filter((s) => pick(s) < threshold).length / list.length) * 100).toFixed(1)}%`);
      lines.push(`  ${name} ≥ ${threshold.toFixed(3)}: declines ${below(answerable)} of answerable, ${below(unanswerable)} of unanswerable`);
    }
  };
  if (mode !== 'dense') report('QUELLE_MIN_LEXICAL_SCORE', (s) => s.lexicalScore);
  if (mode !== 'lexical') report('QUELLE_MIN_DENSE_Z', (s) => s.denseZ);
  return `${lines.join('\n')}\n`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function readJsonLines<T>(file: string, schema: z.ZodType<T>, shape: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the questions file ${file}: ${(error as Error).message}`);
  }
  const rows: T[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${index + 1} is not valid JSON.`);
    }
    const parsed = schema.safeParse(row);
    if (!parsed.success) throw new UsageError(`${file}:${index + 1} needs ${shape}.`);
    rows.push(parsed.data);
  });
  if (rows.length === 0) throw new UsageError(`${file} holds no questions.`);
  return rows;
}

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { runIndexer } from '../indexer/run-indexer.ts';
import { calibrateThreshold, evalSplitOf, summarizeOutcomes, type EvalOutcome } from '../retrieval/evaluate.ts';
import { retrieverFor } from '../retrieval/open-retriever.ts';
import { SEARCH_MODES, type SearchResponse } from '../retrieval/retriever.ts';
import { formatSeconds, loadCliConfig, parseChoice, parseCliArgs, parsePositiveInt, runCli, stderrLogger, UsageError } from './cli-support.ts';

const USAGE = `Usage: npm run eval -- --seeds DIR --questions FILE.jsonl [--k 10] [--mode hybrid|dense|lexical]
                      [--distractors DIR] [--split dev|test|all] [--unanswerable FILE.jsonl]
                      [--failures] [--calibrate] [--json]

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
  const logger = stderrLogger();

  const { embedder, unavailableReason } = mode === 'lexical' ? { embedder: null, unavailableReason: null } : await openEmbedder(config.model);
  if (mode === 'dense' && !embedder) throw new Error(`Dense evaluation needs the model: ${unavailableReason}`);
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
    const retriever = await retrieverFor(index, { mode, modelSettings: config.model, embedder, relevance: config.relevance });
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
      const position = response.hits.findIndex((hit) => hit.passage.articleId === item.article && hit.passage.paragraph === item.paragraph);
      const goldRank = position === -1 ? null : position + 1;
      outcomes.push({ goldRank, latencyMs });
      answerableSignals.push(signalsOf(response));
      if (goldRank !== 1 || response.declined) {
        const top = response.hits[0]?.passage;
        failures.push(
          `- ${item.question}${response.declined ? ' (declined)' : ''}\n    gold ${item.article} ¶${item.paragraph} ${goldRank === null ? `not in the top ${k}` : `at rank ${goldRank}`}; first: ${top ? `${top.articleId} ¶${top.paragraph}: ${top.text.slice(0, 100)}…` : 'nothing'}`,
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

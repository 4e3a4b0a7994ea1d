import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { runIndexer } from '../indexer/run-indexer.ts';
import { summarizeOutcomes, type EvalOutcome } from '../retrieval/evaluate.ts';
import { retrieverFor } from '../retrieval/open-retriever.ts';
import { SEARCH_MODES } from '../retrieval/retriever.ts';
import { formatSeconds, loadCliConfig, parseChoice, parseCliArgs, parsePositiveInt, runCli, stderrLogger, UsageError } from './cli-support.ts';

const USAGE = `Usage: npm run eval -- --seeds DIR --questions FILE.jsonl [--k 10] [--mode hybrid|dense|lexical]
                      [--distractors DIR] [--failures] [--json]

Builds a temporary index of the articles in DIR and measures how well questions find their
gold paragraph. Each line of FILE is {"question": "...", "article": "<file name without extension>",
"paragraph": <1-based body paragraph>}.
  --k N              how many results to retrieve per question (default 10)
  --mode MODE        hybrid (default), dense or lexical
  --distractors DIR  add another article folder to the index (it has no questions)
  --failures         list the questions whose gold paragraph was not ranked first
  --json             print {"n","recall@1","recall@5","recall@10","mrr@10","p50_ms","p95_ms"}`;

const questionSchema = z.object({
  question: z.string().min(1),
  article: z.string().min(1),
  paragraph: z.number().int().positive(),
});
type LabelledQuestion = z.infer<typeof questionSchema>;

runCli(async () => {
  const { values } = parseCliArgs(
    {
      seeds: { type: 'string' },
      questions: { type: 'string' },
      k: { type: 'string' },
      mode: { type: 'string' },
      distractors: { type: 'string', multiple: true },
      failures: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (!values.seeds || !values.questions) throw new UsageError(`--seeds and --questions are required.\n\n${USAGE}`);
  const config = loadCliConfig();
  const mode = parseChoice(values.mode, 'mode', SEARCH_MODES, config.mode);
  const k = Math.max(10, parsePositiveInt(values.k, 'k', 10));
  const questions = await readQuestions(values.questions);
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
    const retriever = await retrieverFor(index, { mode, modelSettings: config.model, embedder });

    const outcomes: EvalOutcome[] = [];
    const failures: string[] = [];
    for (const item of questions) {
      const started = performance.now();
      const response = await retriever.search(item.question, { k, mode });
      const latencyMs = performance.now() - started;
      const position = response.hits.findIndex((hit) => hit.passage.articleId === item.article && hit.passage.paragraph === item.paragraph);
      const goldRank = position === -1 ? null : position + 1;
      outcomes.push({ goldRank, latencyMs });
      if (goldRank !== 1) {
        const top = response.hits[0]?.passage;
        failures.push(
          `- ${item.question}\n    gold ${item.article} ¶${item.paragraph} ${goldRank === null ? `not in the top ${k}` : `at rank ${goldRank}`}; first: ${top ? `${top.articleId} ¶${top.paragraph}: ${top.text.slice(0, 100)}…` : 'nothing'}`,
        );
      }
    }
    const metrics = summarizeOutcomes(outcomes);
    if (values.failures) process.stderr.write(`${failures.length} questions not answered first:\n${failures.join('\n')}\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(metrics)}\n`);
    } else {
      process.stdout.write(
        `${metrics.n} questions, mode ${retriever.denseUnavailableReason() && mode !== 'lexical' ? 'lexical (fallback)' : mode}\n` +
          `recall@1 ${metrics['recall@1'].toFixed(3)}  recall@5 ${metrics['recall@5'].toFixed(3)}  recall@10 ${metrics['recall@10'].toFixed(3)}  MRR@10 ${metrics['mrr@10'].toFixed(3)}\n` +
          `latency p50 ${metrics.p50_ms.toFixed(2)} ms  p95 ${metrics.p95_ms.toFixed(2)} ms\n`,
      );
    }
  } finally {
    await embedder?.dispose();
    await rm(indexDir, { recursive: true, force: true });
  }
});

async function readQuestions(file: string): Promise<LabelledQuestion[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the questions file ${file}: ${(error as Error).message}`);
  }
  const questions: LabelledQuestion[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${index + 1} is not valid JSON.`);
    }
    const parsed = questionSchema.safeParse(row);
    if (!parsed.success) throw new UsageError(`${file}:${index + 1} needs {"question": text, "article": text, "paragraph": number ≥ 1}.`);
    questions.push(parsed.data);
  });
  if (questions.length === 0) throw new UsageError(`${file} holds no questions.`);
  return questions;
}

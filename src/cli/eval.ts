import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { runIndexer } from '../indexer/run-indexer.ts';
import { proposeThresholds, type ThresholdProposal } from '../retrieval/evaluation/calibrate.ts';
import { carriesLanguage, EVAL_LANGUAGES, EvalSetError, filterEvalSet, parseEvalSet, type EvalSet } from '../retrieval/evaluation/labelled-set.ts';
import { evaluationFailures, runEvaluation, summarizeEvaluation, type EvaluationRun } from '../retrieval/evaluation/run-evaluation.ts';
import { tuneFusion, type FusionTrial } from '../retrieval/evaluation/tune-fusion.ts';
import type { FusionSettings } from '../retrieval/fuse-rankings.ts';
import { retrieverFor } from '../retrieval/open-retriever.ts';
import { SEARCH_MODES } from '../retrieval/retriever.ts';
import { parseCliArgs, printable, runCli, UsageError } from '../command-line.ts';
import { ErrorCode, QuelleError } from '../errors.ts';
import { formatSeconds, loadCliConfig, parseChoice, parsePositiveInt, stderrLogger } from './cli-support.ts';

const USAGE = `Usage: npm run eval -- --seeds DIR --questions FILE.jsonl [--k 10] [--mode hybrid|dense|lexical]
                      [--distractors DIR] [--split dev|test|all] [--lang de|en] [--unanswerable FILE.jsonl]
                      [--failures] [--calibrate] [--tune-fusion] [--json]

Builds a temporary index of the articles in DIR and measures how well questions find their
gold paragraph. Each line of FILE is {"question": "...", "article": "<file name without extension>",
"paragraph": <1-based body paragraph>}, or {"question": "...", "unanswerable": true} for a question
the articles cannot answer (as \`npm run feedback -- export\` writes them).
  --k N                how many results to retrieve per question (default 10)
  --mode MODE          hybrid (default), dense or lexical
  --distractors DIR    add another article folder to the index (it has no questions); repeatable
  --split SPLIT        dev or test: half of the questions, split by article (default all)
  --lang LANG          de or en: only the rows whose "lang" (or "language") is LANG
  --unanswerable FILE  questions the articles cannot answer ({"question": "..."} per line; split
                       by question): reports how many are declined
  --failures           list the questions whose gold paragraph was not ranked first
  --calibrate          print the relevance thresholds that decline at most 3% (the defaults'
                       margin) and 5% of the answerable questions, and what they decline of
                       the unanswerable ones
  --tune-fusion        hybrid mode: rank the fusion settings (RRF k × dense weight) by MRR@10 and
                       print the best as QUELLE_RRF_K and QUELLE_RRF_DENSE_WEIGHT (use --split dev)
  --json               print {"n","recall@1","recall@5","recall@10","mrr@10","p50_ms","p95_ms",
                       "declined","mode", after a fallback "fallback_reason", and with unanswerable
                       questions "unanswerable_n","unanswerable_declined"}`;

runCli(async () => {
  const { values } = parseCliArgs(
    {
      seeds: { type: 'string' },
      questions: { type: 'string' },
      k: { type: 'string' },
      mode: { type: 'string' },
      distractors: { type: 'string', multiple: true },
      split: { type: 'string' },
      lang: { type: 'string' },
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
  const lang = values.lang === undefined ? undefined : parseChoice(values.lang, 'lang', EVAL_LANGUAGES, 'de');
  const k = Math.max(10, parsePositiveInt(values.k, 'k', 10));
  if (values['tune-fusion'] && mode !== 'hybrid') throw new UsageError('--tune-fusion tunes hybrid search: add --mode hybrid (and a model).');

  const questionsFile = await readEvalSet(values.questions, 'questions', lang);
  const unanswerableFile = values.unanswerable ? await readEvalSet(values.unanswerable, 'unanswerable', lang) : null;
  const set = filterEvalSet(
    { answerable: questionsFile.answerable, unanswerable: [...questionsFile.unanswerable, ...(unanswerableFile?.unanswerable ?? [])] },
    { split, lang },
  );
  if (set.answerable.length === 0) {
    throw new UsageError(`No answerable questions (rows with "article" and "paragraph") in ${values.questions} for --split ${split}${lang ? ` --lang ${lang}` : ''}.`);
  }
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
    const run = await runEvaluation(retriever, set, { k, mode, modelProblem: unavailableReason });
    const reportUnanswerable = values.unanswerable !== undefined || set.unanswerable.length > 0;
    const metrics = summarizeEvaluation(run, { reportUnanswerable });

    if (values.failures) process.stderr.write(formatFailures(run));
    if (values.calibrate) process.stderr.write(formatCalibration(proposeThresholds(run.answerable.map((result) => result.signals), run.unanswerable, run.mode), run));
    if (values['tune-fusion']) {
      const denseProblem = retriever.denseUnavailableReason();
      if (!embedder || denseProblem) throw new QuelleError(ErrorCode.ModelUnavailable, `--tune-fusion needs the model: ${denseProblem ?? unavailableReason}`);
      const trials = await tuneFusion({ index, embedder, questions: set.answerable, k, relevance: config.relevance });
      process.stderr.write(formatFusionTrials(trials, config.fusion, set.answerable.length));
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(metrics)}\n`);
    } else {
      const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
      process.stdout.write(
        `${metrics.n} questions (split ${split}${lang ? `, lang ${lang}` : ''}), mode ${run.mode}${run.fallbackReason ? ` (fallback from ${run.requestedMode}: ${printable(run.fallbackReason)})` : ''}\n` +
          `recall@1 ${metrics['recall@1'].toFixed(3)}  recall@5 ${metrics['recall@5'].toFixed(3)}  recall@10 ${metrics['recall@10'].toFixed(3)}  MRR@10 ${metrics['mrr@10'].toFixed(3)}\n` +
          `latency p50 ${metrics.p50_ms.toFixed(2)} ms  p95 ${metrics.p95_ms.toFixed(2)} ms\n` +
          `answerable questions declined: ${percent(metrics.declined)}\n` +
          (reportUnanswerable ? `unanswerable questions declined: ${percent(metrics.unanswerable_declined ?? 0)} of ${metrics.unanswerable_n ?? 0}\n` : ''),
      );
    }
  } finally {
    await embedder?.dispose();
    await rm(indexDir, { recursive: true, force: true });
  }
});

/** Reads a question file; a malformed one is a usage error naming the line. `--lang` on a file without languages is one too. */
async function readEvalSet(file: string, kind: 'questions' | 'unanswerable', lang: string | undefined): Promise<EvalSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the ${kind} file ${file}: ${(error as Error).message}`);
  }
  try {
    const set = parseEvalSet(text, file, kind);
    if (lang && !carriesLanguage(set)) throw new UsageError(`--lang ${lang}: no row of ${file} says its language ("lang": "de" or "en"). Leave out --lang for this file.`);
    return set;
  } catch (error) {
    if (error instanceof EvalSetError) throw new UsageError(error.message);
    throw error;
  }
}

function formatFailures(run: EvaluationRun): string {
  const failures = evaluationFailures(run);
  const lines = failures.map(({ item, goldRank, signals, top }) => {
    const where = goldRank === null ? `not in the top ${run.k}` : `at rank ${goldRank}`;
    const first = top ? `${printable(top.article)} ¶${top.paragraph}: ${printable(top.text.slice(0, 100))}…` : 'nothing';
    return `- ${printable(item.question)}${signals.declined ? ' (declined)' : ''}\n    gold ${printable(item.article)} ¶${item.paragraph} ${where}; first: ${first}`;
  });
  return `${failures.length} questions not answered first:\n${lines.join('\n')}\n`;
}

function formatCalibration(proposals: readonly ThresholdProposal[], run: EvaluationRun): string {
  const share = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
  const lines = proposals.map(
    (p) => `  ${p.setting} ≥ ${p.threshold.toFixed(3)}: declines ${share(p.answerableDeclined)} of answerable, ${share(p.unanswerableDeclined)} of unanswerable`,
  );
  return `calibration (${run.mode}, ${run.answerable.length} answerable, ${run.unanswerable.length} unanswerable questions):\n${lines.join('\n')}\n`;
}

function formatFusionTrials(trials: readonly FusionTrial[], current: FusionSettings, questions: number): string {
  const line = ({ fusion, metrics }: FusionTrial): string =>
    `  k ${String(fusion.k).padStart(3)}  dense weight ${fusion.denseWeight.toFixed(2)}  MRR@10 ${metrics['mrr@10'].toFixed(3)}  recall@1 ${metrics['recall@1'].toFixed(3)}  recall@5 ${metrics['recall@5'].toFixed(3)}`;
  const currentTrial = trials.find((trial) => trial.fusion.k === current.k && trial.fusion.denseWeight === current.denseWeight);
  const best = trials[0]!;
  return [
    `fusion settings by MRR@10 (${questions} questions; best 5 of ${trials.length}):`,
    ...trials.slice(0, 5).map(line),
    currentTrial ? `current (QUELLE_RRF_K ${current.k}, QUELLE_RRF_DENSE_WEIGHT ${current.denseWeight}):\n${line(currentTrial)}` : `current (k ${current.k}, dense weight ${current.denseWeight}) is off the grid`,
    `best: QUELLE_RRF_K=${best.fusion.k} QUELLE_RRF_DENSE_WEIGHT=${best.fusion.denseWeight}`,
    '',
  ].join('\n');
}

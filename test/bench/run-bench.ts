/**
 * `npm run bench`: Quelle's performance benchmark (a script, not a test). Progress goes to
 * stderr; the result — a Markdown table, or one JSON document with --json — to stdout.
 *
 *   npm run bench                                   vectors at 10k and 100k, pipeline, bot
 *   npm run bench -- --sizes 10000,100000,1000000   also 1M (vectra and orama are skipped there)
 *   npm run bench -- --engines quelle,exact         only some engines
 *   npm run bench -- --json                         one JSON document instead of the tables
 *   npm run bench -- --json-file out.json           the tables, and the JSON document in a file
 *   npm run bench -- --sweep                        only the HNSW parameter sweep (at 100k)
 *   npm run bench -- --sections vectors,bot         choose sections: vectors, model, pipeline, bot, resume, sweep
 *   npm run bench -- --model e5-shaped|fixture|bundled|DIR [--dtype q8|fp32]
 *                                                   the model of the model, pipeline, bot and resume
 *                                                   sections (default e5-shaped, made on demand)
 *
 * Diagnostics: BENCH_CPU_PROF=DIR writes a CPU profile of every child process (and its threads) to DIR.
 *
 * Other options: --queries N (500), --budget S (seconds of timed queries per engine and size,
 * 30), --m / --ef-construction / --ef-search (HNSW for quelle; default DEFAULT_HNSW),
 * --sweep-size (100000), --sweep-m, --sweep-efc, --sweep-ef, --sweep-recall (0.99),
 * --reuse-sweep (take sweep measurements an earlier run saved in the work dir, e.g. to apply
 * another --sweep-recall without rebuilding), --bot-passages (10000), --bot-corpus-articles (the
 * first N 10kGNAD articles only; all by default), --bot-questions (200),
 * --bot-interval-ms (50), --seed, --work-dir (data and indexes; default $TMPDIR/quelle-bench),
 * --force (run engines beyond their limits), --timeout-min (per child process, 60),
 * --ef-probe 32,64,128 (after quelle's measurement, reload its vectors with each efSearch and
 * measure recall and latency again: the efSearch curve of the index as built).
 *
 * Vector search. Data: seeded synthetic 384-d unit vectors with the structure of sentence
 * embeddings (clustered, anisotropic, low intrinsic dimension; see synthetic.ts for why not
 * uniform random); queries are perturbed held-out points. Every engine indexes the same vectors
 * and answers the same queries with k = 10; recall@10 is measured against an exact scan. Each
 * engine and size runs in two fresh processes: one builds and persists the index (build_s: from
 * vectors in memory to index on disk; disk_mb), one loads it (load_ms) and answers the queries
 * one at a time after 10 warm-up queries (p50/p95 latency, qps = 1000 / mean latency; an engine
 * stops after --budget seconds, with at least 20 queries). rss_mb is the serving process's
 * resident memory after loading and querying, minus its resident memory just before loading
 * (both after a forced GC); the peak of each process is in the JSON. For quelle, the index is a
 * whole generation (engines.ts) loaded with loadIndex, so load_ms and rss_mb include the small
 * synthetic passages and their lexical index; vector_load_ms is VectorIndex.load alone.
 *
 * HNSW sweep (--sweep): builds HNSW for every M × efConstruction at --sweep-size, then measures
 * recall and latency for every efSearch, loading the saved index with that efSearch as loadIndex
 * does from the manifest. It recommends the fastest setting (lowest p50) with recall@10 ≥
 * --sweep-recall (0.99: the 0.98 target plus a margin, since recall at a fixed efSearch falls as
 * the index grows); settings within 10% of that p50 are decided by the shorter build.
 *
 * Models (--model): `e5-shaped` is multilingual-e5-small's architecture and tokenizer type with
 * random weights (tools/models/e5-shaped.ts; made into .cache/models/e5-shaped/ on first use, 15 s),
 * what the real model costs; `fixture` the tests' 64-d bag of words, which costs nothing;
 * `bundled` the real model converted by `npm run model:bundled`; or any model directory.
 *
 * Model (model-worker.ts): the bare model on its own thread: query embedding p50/p95 and
 * passages per second for several batch shapes, on a sample of 10kGNAD. Pipeline: runIndexer
 * (hybrid, rebuild) on ../shared/corpora/10kgnad/articles through the product's inference worker;
 * wall time and its phases; with the model section, also each half of the corpus through the
 * pipeline and through the bare model at the product's batches, in turns (pipeline 1, model 1,
 * model 2, pipeline 2), whose ratio is the pipeline's "vs bare model". Bot (bot-worker.ts):
 * /ask through the local Discord twin on a hybrid index of ≥ 10k passages, idle and while a
 * /reindex re-embeds all of them (a question every --reindex-interval-ms, 150), timed from sending
 * the interaction to the final reply (the answer itself, or the edit of a deferral); the event
 * loop's longest delay and the bot's memory.
 * Resume: `npm run index -- --rebuild` of 10kGNAD killed (-9) at 90% of its embedding, then run
 * again: how much of it the second run embeds, and whether the index answers.
 */

import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HNSW, type HnswParameters } from '../../src/index/vector-index.ts';
import { loadCoreConfig } from '../../src/config.ts';
import { MB, progress, PROJECT_ROOT, round, runChild, writeJson } from './bench-support.ts';
import type { BotReport, BotTask } from './bot-worker.ts';
import type { BuildReport, BuildTask, ServeReport, ServeTask, SweepPoint, SweepTask, TruthTask } from './engine-worker.ts';
import { ENGINE_NAMES, type EngineName } from './engines.ts';
import type { ModelReport, ModelTask } from './model-worker.ts';
import type { PipelineReport, PipelineTask } from './pipeline-worker.ts';
import { DEFAULT_E5_SHAPED_DIR, ensureE5ShapedModel } from '../../tools/models/e5-shaped.ts';
import { DEFAULT_BUNDLED_DIR } from '../../tools/models/bundled-e5.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { openEmbedder } from '../../src/embedding/open-embedder.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { killIndexerAt, runIndexerToEnd } from '../reliability/kill-harness.ts';
import { DEFAULT_SEED, DIMENSION, generateBase, generateQueries, writeFloat32 } from './synthetic.ts';

const SECTIONS = ['vectors', 'model', 'pipeline', 'bot', 'resume', 'sweep'] as const;
type Section = (typeof SECTIONS)[number];

const CORPUS_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'corpora', '10kgnad', 'articles');
const XQUAD_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'xquad-de', 'articles');
const XQUAD_QUESTIONS = path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'xquad-de', 'questions.de.jsonl');
const FIXTURE_MODEL = path.join(PROJECT_ROOT, 'test', 'fixtures', 'tiny-model');
const RECALL_TARGET = 0.98;

/** Where an engine stops being reasonable, and why (overridden by --force). */
const ENGINE_LIMITS: Partial<Record<EngineName, { maxSize: number; reason: string }>> = {
  vectra: {
    maxSize: 100_000,
    reason:
      'Vectra checks every insert against all items (quadratic build) and keeps the index as one JSON string, which passes V8’s 512 MiB string limit at about 130k 384-d vectors',
  },
  orama: {
    maxSize: 100_000,
    reason:
      'Orama scans and sorts every vector for each query and keeps each vector twice as JS values; at 1M that is seconds per query and far beyond its save() format (already too large for JSON at 100k)',
  },
};

// ---------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    engines: { type: 'string', default: ENGINE_NAMES.join(',') },
    sections: { type: 'string' },
    sweep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'json-file': { type: 'string' },
    queries: { type: 'string', default: '500' },
    budget: { type: 'string', default: '30' },
    m: { type: 'string' },
    'ef-construction': { type: 'string' },
    'ef-search': { type: 'string' },
    'sweep-size': { type: 'string', default: '100000' },
    'sweep-m': { type: 'string', default: '8,16,32' },
    'sweep-efc': { type: 'string', default: '100,200,400' },
    'sweep-ef': { type: 'string', default: '16,24,32,48,64,96,128,256' },
    'sweep-recall': { type: 'string', default: '0.99' },
    'bot-passages': { type: 'string', default: '10000' },
    'bot-corpus-articles': { type: 'string' },
    'bot-questions': { type: 'string', default: '200' },
    'bot-interval-ms': { type: 'string', default: '50' },
    'reindex-interval-ms': { type: 'string', default: '150' },
    'no-reindex': { type: 'boolean', default: false },
    model: { type: 'string', default: 'e5-shaped' },
    dtype: { type: 'string', default: 'q8' },
    'model-queries': { type: 'string', default: '200' },
    'model-passages': { type: 'string', default: '400' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    'work-dir': { type: 'string', default: path.join(os.tmpdir(), 'quelle-bench') },
    force: { type: 'boolean', default: false },
    'reuse-sweep': { type: 'boolean', default: false },
    'ef-probe': { type: 'string' },
    'timeout-min': { type: 'string', default: '60' },
  },
  strict: true,
});

function integers(flag: string, value: string): number[] {
  const list = value.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--${flag} must be positive integers separated by commas, not "${value}"`);
  return list;
}
const integer = (flag: string, value: string): number => integers(flag, value)[0]!;

const sizes = integers('sizes', flags.sizes);
const engines = flags.engines.split(',').map((name) => name.trim()) as EngineName[];
for (const name of engines) if (!ENGINE_NAMES.includes(name)) throw new Error(`--engines: unknown engine "${name}" (known: ${ENGINE_NAMES.join(', ')})`);
const sections = new Set<Section>(
  (flags.sections ?? (flags.sweep ? 'sweep' : 'vectors,model,pipeline,bot,resume')).split(',').map((name) => {
    if (!SECTIONS.includes(name.trim() as Section)) throw new Error(`--sections: unknown section "${name}" (known: ${SECTIONS.join(', ')})`);
    return name.trim() as Section;
  }),
);
const queryCount = integer('queries', flags.queries);
const budgetSeconds = Number(flags.budget);
const hnsw: HnswParameters = {
  m: flags.m ? integer('m', flags.m) : DEFAULT_HNSW.m,
  efConstruction: flags['ef-construction'] ? integer('ef-construction', flags['ef-construction']) : DEFAULT_HNSW.efConstruction,
  efSearch: flags['ef-search'] ? integer('ef-search', flags['ef-search']) : DEFAULT_HNSW.efSearch,
};
const seed = integer('seed', flags.seed);
const workDir = path.resolve(flags['work-dir']);
const timeoutMs = Number(flags['timeout-min']) * 60_000;
const sweepRecall = Number(flags['sweep-recall']);
const efProbe = flags['ef-probe'] ? integers('ef-probe', flags['ef-probe']) : [];

// ---------------------------------------------------------------------------------------------
// Data

const queriesFile = path.join(workDir, 'data', `queries-s${seed}-${queryCount}.f32`);

/** A cached base file with at least `count` vectors (a prefix is the smaller set), or a new one. */
async function baseFileFor(count: number): Promise<string> {
  const dataDir = path.join(workDir, 'data');
  await mkdir(dataDir, { recursive: true });
  const pattern = new RegExp(`^base-s${seed}-(\\d+)\\.f32$`);
  for (const entry of await readdir(dataDir)) {
    const match = pattern.exec(entry);
    if (match && Number(match[1]) >= count) return path.join(dataDir, entry);
  }
  const target = Math.max(count, ...(sections.has('vectors') ? sizes : []), sections.has('sweep') ? integer('sweep-size', flags['sweep-size']) : 0);
  progress(`generating ${target.toLocaleString('en')} synthetic ${DIMENSION}-d vectors (seed ${seed})`);
  const file = path.join(dataDir, `base-s${seed}-${target}.f32`);
  await writeFloat32(file, generateBase(target, seed));
  return file;
}

async function ensureQueries(): Promise<void> {
  if (existsSync(queriesFile)) return;
  await writeFloat32(queriesFile, generateQueries(queryCount, seed));
}

/** Exact top-10 of every query at `count`, cached; computed by two processes (two cores). */
async function truthFileFor(count: number): Promise<string> {
  const file = path.join(workDir, 'data', `truth-s${seed}-${count}-q${queryCount}.json`);
  if (existsSync(file)) return file;
  progress(`exact ground truth for ${queryCount} queries at ${count.toLocaleString('en')} vectors`);
  const baseFile = await baseFileFor(count);
  const half = Math.ceil(queryCount / 2);
  const ranges: [number, number][] = [
    [0, half],
    [half, queryCount],
  ];
  const parts = await Promise.all(
    ranges.map(([from, to], i) =>
      runChild<number[][]>(
        'engine-worker.ts',
        { mode: 'truth', baseFile, count, queriesFile, from, to } satisfies Omit<TruthTask, 'resultFile'>,
        { timeoutMs, resultFile: path.join(workDir, 'results', `truth-${count}-${i}.json`) },
      ),
    ),
  );
  const labels: number[][] = [];
  for (const part of parts) {
    if (!part.ok) throw new Error(`ground truth at ${count}: ${part.reason}`);
    labels.push(...part.value);
  }
  await writeJson(file, { count, labels });
  return file;
}

// ---------------------------------------------------------------------------------------------
// Sections

type EngineResult =
  | ({ build_s: number; disk_mb: number; build_rss_peak_mb: number } & Omit<ServeReport, 'details'> & { details: Record<string, number | string | boolean> })
  | { skipped: string };

async function benchEngine(engine: EngineName, count: number): Promise<EngineResult> {
  const limit = ENGINE_LIMITS[engine];
  if (limit && count > limit.maxSize && !flags.force) return { skipped: `${limit.reason} (--force runs it anyway)` };
  const baseFile = await baseFileFor(count);
  const truthFile = await truthFileFor(count);
  const dir = path.join(workDir, 'indexes', `${engine}-${count}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    progress(`${engine} @ ${count.toLocaleString('en')}: build`);
    const built = await runChild<BuildReport>(
      'engine-worker.ts',
      { mode: 'build', engine, baseFile, count, dir, hnsw } satisfies Omit<BuildTask, 'resultFile'>,
      { timeoutMs, resultFile: path.join(workDir, 'results', `build-${engine}-${count}.json`) },
    );
    if (!built.ok) return { skipped: `build ${built.reason}` };
    progress(`${engine} @ ${count.toLocaleString('en')}: built in ${built.value.build_s.toFixed(1)} s; load and query`);
    const served = await runChild<ServeReport>(
      'engine-worker.ts',
      { mode: 'serve', engine, count, dir, queriesFile, queries: queryCount, truthFile, budgetSeconds, hnsw, efProbe } satisfies Omit<ServeTask, 'resultFile'>,
      { timeoutMs, resultFile: path.join(workDir, 'results', `serve-${engine}-${count}.json`) },
    );
    if (!served.ok) return { skipped: `load/query ${served.reason}` };
    const { details, ...serve } = served.value;
    return { build_s: built.value.build_s, disk_mb: built.value.disk_mb, ...serve, build_rss_peak_mb: built.value.build_rss_peak_mb, details: { ...built.value.details, ...details } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The model directory --model names; the e5-shaped model is made first if needed. */
function benchModelDir(): string {
  switch (flags.model) {
    case 'e5-shaped':
      return ensureE5ShapedModel(path.join(PROJECT_ROOT, DEFAULT_E5_SHAPED_DIR), progress);
    case 'fixture':
      return FIXTURE_MODEL;
    case 'bundled': {
      const dir = path.join(PROJECT_ROOT, DEFAULT_BUNDLED_DIR);
      if (!existsSync(path.join(dir, 'config.json'))) throw new Error(`--model bundled: ${dir} is missing; make it with npm run model:bundled`);
      return dir;
    }
    default: {
      const dir = path.resolve(flags.model);
      if (!existsSync(path.join(dir, 'config.json'))) throw new Error(`--model: ${dir} is no model directory (no config.json); use e5-shaped, fixture, bundled or a model directory`);
      return dir;
    }
  }
}

async function benchModel(modelDir: string): Promise<ModelReport | { skipped: string }> {
  for (const needed of [CORPUS_DIR, XQUAD_QUESTIONS]) if (!existsSync(needed)) return { skipped: `${needed} is absent (it comes with ../shared)` };
  progress(`model: the bare ${path.basename(modelDir)} (${flags.dtype}) on its own thread`);
  const task: Omit<ModelTask, 'resultFile'> = {
    modelDir,
    dtype: flags.dtype,
    corpusDir: CORPUS_DIR,
    questionsFile: XQUAD_QUESTIONS,
    queries: integer('model-queries', flags['model-queries']),
    passages: integer('model-passages', flags['model-passages']),
  };
  const outcome = await runChild<ModelReport>('model-worker.ts', { ...task }, { timeoutMs, resultFile: path.join(workDir, 'results', 'model.json') });
  return outcome.ok ? outcome.value : { skipped: outcome.reason };
}

/**
 * The pipeline against the bare model on the same passages, taken in turns: each half of the
 * corpus (every other article file) is indexed by the pipeline and embedded by the bare model at
 * the product's batches, in the order pipeline A, model A, model B, pipeline B, so that a drift of
 * the machine's speed during the run weighs on both sides alike. Measured separately, minutes
 * apart, the two swung the ratio between 82% and 105% on one day.
 */
interface PairedThroughput {
  readonly halves: { readonly passages: number; readonly pipeline_per_s: number; readonly model_per_s: number }[];
  readonly pipeline_per_s: number;
  readonly model_per_s: number;
  readonly vs_model: number;
}

/** The whole-corpus pipeline (its phases), and its ratio to the bare model from the paired halves. */
type PipelineResult = PipelineReport & { vs_model: number | null; paired: PairedThroughput | { skipped: string } | null };

async function benchPipeline(modelDir: string, withPeer: boolean): Promise<PipelineResult | { skipped: string }> {
  if (!existsSync(CORPUS_DIR)) return { skipped: `${CORPUS_DIR} is absent (it comes with ../shared)` };
  progress(`pipeline: runIndexer on 10kGNAD with ${path.basename(modelDir)} (${flags.dtype})`);
  const outcome = await runChild<PipelineReport>('pipeline-worker.ts', { corpusDir: CORPUS_DIR, modelDir, dtype: flags.dtype } satisfies Omit<PipelineTask, 'resultFile'>, {
    timeoutMs,
    resultFile: path.join(workDir, 'results', 'pipeline.json'),
  });
  if (!outcome.ok) return { skipped: outcome.reason };
  if (!withPeer) return { ...outcome.value, vs_model: null, paired: null };
  const paired = await pairedThroughput(modelDir);
  return { ...outcome.value, vs_model: 'skipped' in paired ? null : paired.vs_model, paired };
}

async function pairedThroughput(modelDir: string): Promise<PairedThroughput | { skipped: string }> {
  const files = (await readdir(CORPUS_DIR)).sort();
  const halves = ['a', 'b'].map((name) => path.join(workDir, 'corpus-halves', name));
  for (const [h, dir] of halves.entries()) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await Promise.all(files.filter((_, i) => i % 2 === h).map((file) => copyFile(path.join(CORPUS_DIR, file), path.join(dir, file))));
  }
  const pipelineOn = async (h: number): Promise<PipelineReport | string> => {
    progress(`pipeline: half ${h + 1} of 10kGNAD through the pipeline`);
    const run = await runChild<PipelineReport>('pipeline-worker.ts', { corpusDir: halves[h]!, modelDir, dtype: flags.dtype } satisfies Omit<PipelineTask, 'resultFile'>, {
      timeoutMs,
      resultFile: path.join(workDir, 'results', `pipeline-half-${h + 1}.json`),
    });
    return run.ok ? run.value : run.reason;
  };
  const modelOn = async (h: number): Promise<ModelReport | string> => {
    progress(`pipeline: half ${h + 1} of 10kGNAD through the bare model`);
    const task: Omit<ModelTask, 'resultFile'> = {
      modelDir,
      dtype: flags.dtype,
      corpusDir: halves[h]!,
      questionsFile: XQUAD_QUESTIONS,
      queries: 0,
      passages: 0,
      throughputOnly: true,
    };
    const run = await runChild<ModelReport>('model-worker.ts', { ...task }, { timeoutMs, resultFile: path.join(workDir, 'results', `model-half-${h + 1}.json`) });
    return run.ok ? run.value : run.reason;
  };
  const pipelineA = await pipelineOn(0);
  const modelA = await modelOn(0);
  const modelB = await modelOn(1);
  const pipelineB = await pipelineOn(1);
  const problem = [pipelineA, modelA, modelB, pipelineB].find((run) => typeof run === 'string');
  if (problem !== undefined) return { skipped: problem as string };
  const pairs = [[pipelineA, modelA], [pipelineB, modelB]] as [PipelineReport, ModelReport][];
  const halvesReport = pairs.map(([pipelineRun, modelRun]) => ({ passages: pipelineRun.passages, pipeline_per_s: pipelineRun.passages_per_s, model_per_s: modelRun.passages_per_s }));
  // Rates over the halves together: all passages over all the time each side took.
  const rate = (side: 'pipeline_per_s' | 'model_per_s'): number =>
    halvesReport.reduce((sum, half) => sum + half.passages, 0) / halvesReport.reduce((sum, half) => sum + half.passages / half[side], 0);
  return { halves: halvesReport, pipeline_per_s: rate('pipeline_per_s'), model_per_s: rate('model_per_s'), vs_model: rate('pipeline_per_s') / rate('model_per_s') };
}

interface ResumeReport {
  readonly passages: number;
  readonly killed_at: string;
  readonly killed: boolean;
  /** The second run: passages it embedded, and what it took from the killed run's cache. */
  readonly rerun_embedded: number;
  readonly rerun_resumed: number;
  readonly rerun_embedded_share: number;
  readonly rerun_s: number;
  readonly full_build_s: number | null;
  readonly answers: number;
}

/** kill -9 of `npm run index -- --rebuild` at 90% of its embedding, then the same command again. */
async function benchResume(modelDir: string): Promise<ResumeReport | { skipped: string }> {
  if (!existsSync(CORPUS_DIR)) return { skipped: `${CORPUS_DIR} is absent (it comes with ../shared)` };
  const indexDir = path.join(workDir, 'resume-index');
  await rm(indexDir, { recursive: true, force: true });
  // A lexical index first: the killed build replaces an index, as a rebuild does, and has no vectors to reuse.
  await runIndexer({ seedsDir: CORPUS_DIR, indexDir, mode: 'lexical', modelSettings: resolveModelSettings() });
  progress(`resume: npm run index -- --rebuild with ${path.basename(modelDir)}, killed at 90% of its embedding`);
  const started = performance.now();
  const kill = await killIndexerAt({ seedsDir: CORPUS_DIR, indexDir, modelDir }, { label: '90% embedded', trigger: { kind: 'progress', phase: 'embed', fraction: 0.9 } });
  const killedAfter = (performance.now() - started) / 1000;
  progress(`resume: ${kill.killed ? `killed at ${kill.landed} after ${killedAfter.toFixed(0)} s` : kill.landed}; running it again`);
  const rerun = await runIndexerToEnd({ seedsDir: CORPUS_DIR, indexDir, modelDir });
  const { embedder, unavailableReason } = await openEmbedder(resolveModelSettings({ modelDir, dtype: flags.dtype }));
  if (!embedder) return { skipped: `the model does not load: ${unavailableReason}` };
  try {
    const index = await loadIndex(indexDir);
    const response = await new Retriever(index, embedder).search('Wie viele Menschen sind arbeitslos?', { k: 5, mode: 'hybrid' });
    const { summary } = rerun;
    return {
      passages: summary.passages,
      killed_at: kill.landed,
      killed: kill.killed,
      rerun_embedded: summary.embeddedPassages,
      rerun_resumed: summary.resumedPassages,
      rerun_embedded_share: summary.embeddedPassages / summary.passages,
      rerun_s: summary.seconds,
      full_build_s: kill.killed ? killedAfter / 0.9 : null,
      answers: response.hits.length,
    };
  } finally {
    await embedder.dispose();
    await rm(indexDir, { recursive: true, force: true });
  }
}

async function benchBot(modelDir: string): Promise<BotReport | { skipped: string }> {
  for (const needed of [CORPUS_DIR, XQUAD_DIR, XQUAD_QUESTIONS]) if (!existsSync(needed)) return { skipped: `${needed} is absent (it comes with ../shared)` };
  progress(`bot: /ask through the Discord twin, ${path.basename(modelDir)} (${flags.dtype})`);
  const task: Omit<BotTask, 'resultFile'> = {
    corpusDir: CORPUS_DIR,
    xquadDir: XQUAD_DIR,
    questionsFile: XQUAD_QUESTIONS,
    workDir,
    modelDir,
    dtype: flags.dtype,
    passages: integer('bot-passages', flags['bot-passages']),
    ...(flags['bot-corpus-articles'] ? { corpusArticles: integer('bot-corpus-articles', flags['bot-corpus-articles']) } : {}),
    questions: integer('bot-questions', flags['bot-questions']),
    intervalMs: Number(flags['bot-interval-ms']),
    reindexIntervalMs: Number(flags['reindex-interval-ms']),
    noReindex: flags['no-reindex'],
  };
  const outcome = await runChild<BotReport>('bot-worker.ts', { ...task }, { timeoutMs, resultFile: path.join(workDir, 'results', 'bot.json') });
  return outcome.ok ? outcome.value : { skipped: outcome.reason };
}

interface SweepResult {
  readonly size: number;
  readonly queries: number;
  readonly points: SweepPoint[];
  readonly chosen: SweepPoint | null;
  readonly rule: string;
}

async function benchSweep(): Promise<SweepResult> {
  const count = integer('sweep-size', flags['sweep-size']);
  const baseFile = await baseFileFor(count);
  const truthFile = await truthFileFor(count);
  const points: SweepPoint[] = [];
  for (const m of integers('sweep-m', flags['sweep-m'])) {
    for (const efConstruction of integers('sweep-efc', flags['sweep-efc'])) {
      const efSearch = integers('sweep-ef', flags['sweep-ef']);
      const resultFile = path.join(workDir, 'results', `sweep-s${seed}-${count}-q${queryCount}-m${m}-efc${efConstruction}-ef${efSearch.join('_')}.json`);
      if (flags['reuse-sweep'] && existsSync(resultFile)) {
        progress(`sweep @ ${count.toLocaleString('en')}: M=${m} efConstruction=${efConstruction}: reusing ${resultFile}`);
        points.push(...(JSON.parse(await readFile(resultFile, 'utf8')) as SweepPoint[]));
        continue;
      }
      const dir = path.join(workDir, 'indexes', `sweep-${m}-${efConstruction}`);
      await mkdir(dir, { recursive: true });
      progress(`sweep @ ${count.toLocaleString('en')}: M=${m} efConstruction=${efConstruction}`);
      const outcome = await runChild<SweepPoint[]>(
        'engine-worker.ts',
        { mode: 'sweep', baseFile, count, dir, queriesFile, queries: queryCount, truthFile, m, efConstruction, efSearch } satisfies Omit<SweepTask, 'resultFile'>,
        { timeoutMs, resultFile },
      );
      await rm(dir, { recursive: true, force: true });
      if (outcome.ok) points.push(...outcome.value);
      else progress(`sweep M=${m} efConstruction=${efConstruction} failed: ${outcome.reason}`);
    }
  }
  const good = points.filter((point) => point.recall_at_10 >= sweepRecall);
  const fastest = Math.min(...good.map((point) => point.p50_ms));
  const chosen = good.filter((point) => point.p50_ms <= fastest * 1.1).sort((a, b) => a.build_s - b.build_s || a.p50_ms - b.p50_ms)[0] ?? null;
  return {
    size: count,
    queries: queryCount,
    points,
    chosen,
    rule:
      `lowest query p50 with recall@10 ≥ ${sweepRecall} at ${count.toLocaleString('en')} vectors (the target ${RECALL_TARGET} plus a margin: ` +
      'recall at a fixed efSearch falls as the index grows); settings within 10% of that p50 are decided by the shorter build',
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(0);
}

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

interface Target {
  readonly target: string;
  readonly value: string;
  readonly met: boolean | null;
}

function evaluateTargets(
  results: Record<string, Partial<Record<EngineName, EngineResult>>>,
  pipeline: unknown,
  bot: unknown,
  model: ModelReport | undefined,
  resume: ResumeReport | { skipped: string } | undefined,
): Target[] {
  const targets: Target[] = [];
  const served = (size: number, engine: EngineName) => {
    const result = results[String(size)]?.[engine];
    return result && !('skipped' in result) ? result : undefined;
  };
  const ours100k = served(100_000, 'quelle');
  if (ours100k) {
    const vectra = served(100_000, 'vectra');
    const exact = served(100_000, 'exact');
    targets.push(
      vectra
        ? { target: '100k: quelle p50 ≥ 20× faster than Vectra', value: `${(vectra.p50_ms / ours100k.p50_ms).toFixed(0)}×`, met: vectra.p50_ms / ours100k.p50_ms >= 20 }
        : { target: '100k: quelle p50 ≥ 20× faster than Vectra', value: 'Vectra not run', met: null },
      exact
        ? { target: '100k: quelle p50 ≥ 5× faster than exact scan', value: `${(exact.p50_ms / ours100k.p50_ms).toFixed(0)}×`, met: exact.p50_ms / ours100k.p50_ms >= 5 }
        : { target: '100k: quelle p50 ≥ 5× faster than exact scan', value: 'exact not run', met: null },
      { target: '100k: quelle recall@10 ≥ 0.98', value: ours100k.recall_at_10.toFixed(4), met: ours100k.recall_at_10 >= 0.98 },
      { target: '100k: loading the quelle index ≤ 1 s', value: `${ours100k.load_ms.toFixed(0)} ms (vectors alone ${Number(ours100k.details.vector_load_ms).toFixed(0)} ms)`, met: ours100k.load_ms <= 1000 },
    );
  }
  for (const [size, bySize] of Object.entries(results)) {
    const ours = bySize.quelle;
    if (!ours || 'skipped' in ours) continue;
    const built = ours.details.ef_search;
    const loaded = ours.details.ef_search_loaded;
    targets.push({ target: `${Number(size).toLocaleString('en')}: efSearch persisted with the index`, value: `built with ${built}, loaded ${loaded}`, met: built === loaded });
  }
  if (sizes.includes(1_000_000) && engines.includes('quelle')) {
    const ours1m = served(1_000_000, 'quelle');
    targets.push(
      ours1m
        ? { target: '1M: quelle builds and answers; p95 ≤ 5 ms', value: `p95 ${ms(ours1m.p95_ms)} ms, build ${ours1m.build_s.toFixed(0)} s, recall ${ours1m.recall_at_10.toFixed(4)}`, met: ours1m.p95_ms <= 5 }
        : { target: '1M: quelle builds and answers; p95 ≤ 5 ms', value: String((results['1000000']?.quelle as { skipped?: string } | undefined)?.skipped ?? 'not run'), met: false },
    );
  }
  if (pipeline && !('skipped' in (pipeline as object))) {
    const p = pipeline as PipelineResult;
    targets.push({ target: 'pipeline: all but embedding ≤ 10% of wall time', value: `${(p.non_embed_share * 100).toFixed(1)}%`, met: p.non_embed_share <= 0.1 });
    if (p.paired && !('skipped' in p.paired)) {
      const { pipeline_per_s: pipelineRate, model_per_s: modelRate, vs_model: ratio } = p.paired;
      targets.push({ target: '#12 index throughput ≥ 90% of the bare model’s (paired halves)', value: `${pipelineRate.toFixed(1)} vs ${modelRate.toFixed(1)} passages/s (${(ratio * 100).toFixed(0)}%)`, met: ratio >= 0.9 });
    }
  }
  if (bot && !('skipped' in (bot as object))) {
    const b = bot as BotReport;
    targets.push(
      { target: 'bot: /ask p50 ≤ 50 ms', value: `${ms(b.p50_ms)} ms`, met: b.p50_ms <= 50 },
      { target: 'bot: /ask p95 ≤ 150 ms', value: `${ms(b.p95_ms)} ms`, met: b.p95_ms <= 150 },
    );
    if (model) {
      const bound = 2 * model.query_p50_ms + 10;
      targets.push({ target: '#12 idle /ask p50 ≤ 2 × bare query p50 + 10 ms', value: `${ms(b.p50_ms)} ms ≤ ${ms(bound)} ms?`, met: b.p50_ms <= bound });
    }
    if (b.during_reindex) {
      targets.push({ target: '#12 /ask p95 ≤ 150 ms while a reindex runs', value: `${ms(b.during_reindex.p95_ms)} ms (${b.during_reindex.questions} questions)`, met: b.during_reindex.p95_ms <= 150 });
    }
    targets.push(
      { target: '#12 event-loop delay ≤ 100 ms throughout', value: `${ms(b.event_loop_max_ms)} ms`, met: b.event_loop_max_ms <= 100 },
      { target: '#12 bot RSS ≤ 1 GB', value: `${b.rss_mb.toFixed(0)} MB (peak)`, met: b.rss_mb <= 1024 },
    );
  }
  if (resume && !('skipped' in resume)) {
    targets.push({
      target: '#12 kill -9 at 90%: the rerun embeds ≤ 15% and answers',
      value: `${(resume.rerun_embedded_share * 100).toFixed(1)}% (${resume.rerun_embedded} of ${resume.passages}), ${resume.answers} hits`,
      met: resume.killed && resume.rerun_embedded_share <= 0.15 && resume.answers > 0,
    });
  }
  return targets;
}

function loadAverage(): string {
  return os.loadavg().map((value) => value.toFixed(2)).join(' ');
}

/** Rounds every number in a JSON-able value, for a readable document. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') return round(value, value !== 0 && Math.abs(value) < 1 ? 4 : 3);
  if (Array.isArray(value)) return value.map(rounded);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rounded(inner)]));
  return value;
}

// ---------------------------------------------------------------------------------------------
// Main

await mkdir(workDir, { recursive: true });
const startedAt = new Date();
const results: Record<string, Partial<Record<EngineName, EngineResult>>> = {};
let pipeline: PipelineResult | { skipped: string } | undefined;
let bot: BotReport | { skipped: string } | undefined;
let model: ModelReport | { skipped: string } | undefined;
let resume: ResumeReport | { skipped: string } | undefined;
let sweep: SweepResult | undefined;
const loadAverages: Record<string, string> = { start: loadAverage() };

if (sections.has('vectors') || sections.has('sweep')) await ensureQueries();
if (sections.has('vectors')) {
  // Data for the largest size first, so that smaller sizes read a prefix of it.
  await baseFileFor(Math.max(...sizes));
  for (const size of sizes) {
    results[String(size)] = {};
    for (const engine of engines) {
      const result = await benchEngine(engine, size);
      results[String(size)]![engine] = result;
      if ('skipped' in result) progress(`${engine} @ ${size.toLocaleString('en')}: skipped: ${result.skipped}`);
      else progress(`${engine} @ ${size.toLocaleString('en')}: p50 ${ms(result.p50_ms)} ms, recall ${result.recall_at_10.toFixed(4)}`);
    }
  }
}
const modelDir = ['model', 'pipeline', 'bot', 'resume'].some((section) => sections.has(section as Section)) ? benchModelDir() : null;
if (sections.has('model')) {
  model = await benchModel(modelDir!);
  loadAverages.model = loadAverage();
}
const bareModel = model && !('skipped' in model) ? model : undefined;
if (sections.has('pipeline')) {
  pipeline = await benchPipeline(modelDir!, sections.has('model'));
  loadAverages.pipeline = loadAverage();
}
if (sections.has('bot')) {
  bot = await benchBot(modelDir!);
  loadAverages.bot = loadAverage();
}
if (sections.has('resume')) {
  resume = await benchResume(modelDir!);
  loadAverages.resume = loadAverage();
}
if (sections.has('sweep')) sweep = await benchSweep();
const targets = evaluateTargets(results, pipeline, bot, bareModel, resume);

const meta = {
  started: startedAt.toISOString(),
  seconds: (Date.now() - startedAt.getTime()) / 1000,
  node: process.version,
  cpus: os.cpus().length,
  memory_gb: os.totalmem() / 1024 / MB,
  dimension: DIMENSION,
  k: 10,
  queries: queryCount,
  budget_s: budgetSeconds,
  seed,
  hnsw,
  ...(modelDir ? { model: path.basename(modelDir), dtype: flags.dtype, inference: loadCoreConfig(process.env).model.inference } : {}),
  /** The machine's 1-minute load average after each section (shared machines: read the figures with it). */
  load_average: loadAverages,
};

const document = {
  ...(sections.has('vectors') ? { sizes: results } : {}),
  ...(model ? { model } : {}),
  ...(pipeline ? { pipeline } : {}),
  ...(resume ? { resume } : {}),
  ...(bot ? { bot } : {}),
  ...(sweep ? { sweep } : {}),
  targets,
  meta,
};
// --json-file keeps the full figures of a run whose table goes to the terminal (or the README).
if (flags['json-file']) await writeJson(path.resolve(flags['json-file']), rounded(document));

if (flags.json) {
  process.stdout.write(`${JSON.stringify(rounded(document), null, 2)}\n`);
} else {
  const out: string[] = [];
  if (sections.has('vectors')) {
    out.push(
      `Vector search: ${DIMENSION}-d synthetic unit vectors, k = 10, ${queryCount} queries (an engine stops after ${budgetSeconds} s), ` +
        `quelle HNSW M=${hnsw.m} efConstruction=${hnsw.efConstruction} efSearch=${hnsw.efSearch}\n`,
    );
    const rows: string[][] = [];
    for (const [size, bySize] of Object.entries(results)) {
      for (const [engine, result] of Object.entries(bySize)) {
        const label = Number(size).toLocaleString('en');
        if ('skipped' in result) rows.push([label, engine, '–', '–', '–', '–', '–', '–', '–', '–', `skipped: ${result.skipped}`]);
        else
          rows.push([
            label,
            engine,
            fixed(result.build_s, result.build_s < 10 ? 2 : 1),
            fixed(result.disk_mb, 1),
            fixed(result.load_ms, 0),
            ms(result.p50_ms),
            ms(result.p95_ms),
            fixed(result.qps, result.qps < 10 ? 1 : 0),
            fixed(result.recall_at_10, 4),
            fixed(result.rss_mb, 0),
            `${result.queries} queries`,
          ]);
      }
    }
    out.push(markdownTable(['passages', 'engine', 'build s', 'disk MB', 'load ms', 'p50 ms', 'p95 ms', 'QPS', 'recall@10', 'RSS MB', 'notes'], rows));
    for (const [size, bySize] of Object.entries(results)) {
      const ours = bySize.quelle;
      if (!ours || 'skipped' in ours || !ours.ef_probe) continue;
      out.push(`\nquelle at ${Number(size).toLocaleString('en')} with other efSearch values (same index, reloaded):\n`);
      out.push(markdownTable(['efSearch', 'p50 ms', 'p95 ms', 'recall@10'], ours.ef_probe.map((p) => [String(p.efSearch), ms(p.p50_ms), ms(p.p95_ms), fixed(p.recall_at_10, 4)])));
    }
  }
  const modelName = `${meta.model ?? '–'} (${meta.dtype ?? '–'})`;
  if (model) {
    out.push(`\nThe bare model, ${modelName}, on its own thread (${meta.inference?.threads ?? '–'} onnxruntime threads; passages: batches sampled evenly from a build of ../shared/corpora/10kgnad, longest first):\n`);
    if ('skipped' in model) out.push(`skipped: ${model.skipped}`);
    else {
      const d = model.details;
      out.push(`load ${fixed(d.load_ms, 0)} ms, RSS ${fixed(d.rss_after_load_mb, 0)} MB after load, ${fixed(d.rss_peak_mb, 0)} MB peak; query embedding p50 ${ms(model.query_p50_ms)} ms, p95 ${ms(model.query_p95_ms)} ms (${d.queries} XQuAD-de questions)\n`);
      out.push(
        markdownTable(
          ['batches', 'passages/batch', 'tokens/batch', 'passages in batches', 'passages/s', 'longest batch ms', 'batch p95 ms'],
          d.batches.map((b) => [b.label, String(b.batch_size), b.batch_tokens === null ? '–' : String(b.batch_tokens), `${b.passages} in ${b.batches}`, fixed(b.passages_per_s, 1), ms(b.batch_max_ms), ms(b.batch_p95_ms)]),
        ),
      );
    }
  }
  if (pipeline) {
    out.push(`\nIndexing pipeline (runIndexer, hybrid, rebuild, ${modelName} in the inference worker, ../shared/corpora/10kgnad):\n`);
    if ('skipped' in pipeline) out.push(`skipped: ${pipeline.skipped}`);
    else {
      const p = pipeline;
      out.push(
        markdownTable(
          ['articles', 'passages', 'wall s', 'parse s', 'chunk s', 'embed s', 'insert s', 'lexical s', 'save s', 'other s', 'passages/s', 'vs bare model', 'non-embedding', 'model load s'],
          [
            [
              String(p.articles),
              String(p.passages),
              fixed(p.wall_s, 2),
              fixed(p.parse_s, 2),
              fixed(p.chunk_s, 2),
              fixed(p.embed_s, 2),
              fixed(p.insert_s, 2),
              fixed(p.lexical_s, 2),
              fixed(p.save_s, 2),
              fixed(p.other_s, 2),
              fixed(p.passages_per_s, p.passages_per_s < 100 ? 1 : 0),
              p.vs_model === null ? '–' : `${(p.vs_model * 100).toFixed(0)}%`,
              `${(p.non_embed_share * 100).toFixed(1)}%`,
              fixed(p.model_load_s, 2),
            ],
          ],
        ),
      );
      if (p.paired && 'skipped' in p.paired) out.push(`\nPaired with the bare model: skipped: ${p.paired.skipped}`);
      else if (p.paired) {
        out.push(`\nThe pipeline and the bare model (product batches) on the same halves of the corpus, in turns (pipeline 1, model 1, model 2, pipeline 2); "vs bare model" above is this ratio:\n`);
        const rows = p.paired.halves.map((half, i) => [`half ${i + 1}`, String(half.passages), fixed(half.pipeline_per_s, 1), fixed(half.model_per_s, 1), `${((half.pipeline_per_s / half.model_per_s) * 100).toFixed(0)}%`]);
        rows.push(['both', String(p.paired.halves.reduce((sum, half) => sum + half.passages, 0)), fixed(p.paired.pipeline_per_s, 1), fixed(p.paired.model_per_s, 1), `${(p.paired.vs_model * 100).toFixed(0)}%`]);
        out.push(markdownTable(['corpus', 'passages', 'pipeline passages/s', 'bare model passages/s', 'pipeline vs bare'], rows));
      }
    }
  }
  if (bot) {
    out.push(`\nIn-bot /ask through the Discord twin (send → final reply), ${modelName}:\n`);
    if ('skipped' in bot) out.push(`skipped: ${bot.skipped}`);
    else {
      out.push(
        markdownTable(
          ['passages', 'questions', 'answered', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'search p50 ms', 'search p95 ms', 'twin violations'],
          [[String(bot.passages), String(bot.questions), String(bot.answered), ms(bot.p50_ms), ms(bot.p95_ms), ms(bot.p99_ms), ms(bot.max_ms), String(bot.search_p50_ms), String(bot.search_p95_ms), String(bot.violations)]],
        ),
      );
      const r = bot.during_reindex;
      out.push(`\nWhile /reindex re-embeds every passage (a question every ${flags['reindex-interval-ms']} ms); the bot process throughout:\n`);
      out.push(
        markdownTable(
          ['reindex s', 'embedded', 'passages/s', 'questions', 'answered (hybrid)', 'p50 ms', 'p95 ms', 'max ms', 'event loop max ms', 'bot RSS peak MB'],
          [
            r
              ? [fixed(r.reindex_s, 1), String(r.embedded_passages), fixed(r.passages_per_s, 1), String(r.questions), String(r.answered), ms(r.p50_ms), ms(r.p95_ms), ms(r.max_ms), ms(bot.event_loop_max_ms), fixed(bot.rss_mb, 0)]
              : ['–', '–', '–', '–', '–', '–', '–', '–', ms(bot.event_loop_max_ms), fixed(bot.rss_mb, 0)],
          ],
        ),
      );
    }
  }
  if (resume) {
    out.push(`\nResume: npm run index -- --rebuild of 10kGNAD, ${modelName}, killed (-9) at 90% of its embedding, then run again:\n`);
    if ('skipped' in resume) out.push(`skipped: ${resume.skipped}`);
    else
      out.push(
        markdownTable(
          ['passages', 'killed in', 'rerun embedded', 'taken from the cache', 'rerun s', 'hits for a question'],
          [[String(resume.passages), resume.killed_at, `${resume.rerun_embedded} (${(resume.rerun_embedded_share * 100).toFixed(1)}%)`, String(resume.rerun_resumed), fixed(resume.rerun_s, 1), String(resume.answers)]],
        ),
      );
  }
  if (sweep) {
    out.push(`\nHNSW sweep at ${sweep.size.toLocaleString('en')} vectors, ${sweep.queries} queries:\n`);
    out.push(
      markdownTable(
        ['M', 'efConstruction', 'efSearch', 'build s', 'vectors MB', 'p50 ms', 'p95 ms', 'recall@10'],
        sweep.points.map((p) => [String(p.m), String(p.efConstruction), String(p.efSearch), fixed(p.build_s, 1), fixed(p.vectors_mb, 1), ms(p.p50_ms), ms(p.p95_ms), fixed(p.recall_at_10, 4)]),
      ),
    );
    const builds = [...new Map(sweep.points.map((p) => [`${p.m}/${p.efConstruction}`, p])).values()];
    const smallest = (m: number, efc: number, recall: number): string => {
      const hit = sweep!.points.find((p) => p.m === m && p.efConstruction === efc && p.recall_at_10 >= recall);
      return hit ? `${hit.efSearch} (p50 ${ms(hit.p50_ms)} ms)` : '–';
    };
    out.push(`\nSmallest efSearch reaching a recall@10, per build:\n`);
    out.push(
      markdownTable(
        ['M', 'efConstruction', 'build s', 'vectors MB', `efSearch for ≥ ${RECALL_TARGET}`, `efSearch for ≥ ${sweepRecall}`],
        builds.map((p) => [String(p.m), String(p.efConstruction), fixed(p.build_s, 1), fixed(p.vectors_mb, 1), smallest(p.m, p.efConstruction, RECALL_TARGET), smallest(p.m, p.efConstruction, sweepRecall)]),
      ),
    );
    const c = sweep.chosen;
    out.push(
      c
        ? `\nChosen (${sweep.rule}): M=${c.m} efConstruction=${c.efConstruction} efSearch=${c.efSearch} (recall ${c.recall_at_10.toFixed(4)}, p50 ${ms(c.p50_ms)} ms, build ${c.build_s.toFixed(1)} s). DEFAULT_HNSW is M=${DEFAULT_HNSW.m} efConstruction=${DEFAULT_HNSW.efConstruction} efSearch=${DEFAULT_HNSW.efSearch}.`
        : `\nNo setting reached recall@10 ≥ ${sweepRecall}.`,
    );
  }
  if (targets.length > 0) {
    out.push('\nTargets (issue #5; #12: the real model\'s cost):\n');
    out.push(markdownTable(['target', 'measured', 'met'], targets.map((t) => [t.target, t.value, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO'])));
  }
  out.push(`\n${meta.cpus} CPUs, ${meta.memory_gb.toFixed(0)} GB, Node ${meta.node}; ${meta.seconds.toFixed(0)} s. Load average (1, 5, 15 min): ${Object.entries(loadAverages).map(([at, value]) => `${at} ${value}`).join('; ')}.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

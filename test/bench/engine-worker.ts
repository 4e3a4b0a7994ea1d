/**
 * Child process of the vector benchmark (import only its types: running it starts a task): one task per process, so that every engine's memory is
 * measured on its own. Tasks: `truth` (exact top-k for a range of queries), `build` (build an
 * engine's index and persist it), `serve` (load it and answer the queries), `sweep` (build HNSW
 * with one M / efConstruction and measure every efSearch). Started by run-bench.ts.
 */

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { VECTORS_FILE } from '../../src/index/manifest.ts';
import { VectorIndex, type HnswParameters } from '../../src/index/vector-index.ts';
import { childArguments, MB, peakRssBytes, percentile, rssBytes, settleMemory, writeJson } from './bench-support.ts';
import { currentGenerationDir, engineNamed, type EngineName } from './engines.ts';
import { exactSearch } from './exact-scan.ts';
import { DIMENSION, readFloat32, row, rowAsNumbers } from './synthetic.ts';

const K = 10;

interface Common {
  readonly resultFile: string;
}

export interface TruthTask extends Common {
  readonly mode: 'truth';
  readonly baseFile: string;
  readonly count: number;
  readonly queriesFile: string;
  readonly from: number;
  readonly to: number;
}

export interface BuildTask extends Common {
  readonly mode: 'build';
  readonly engine: EngineName;
  readonly baseFile: string;
  readonly count: number;
  readonly dir: string;
  readonly hnsw: HnswParameters;
}

export interface ServeTask extends Common {
  readonly mode: 'serve';
  readonly engine: EngineName;
  readonly count: number;
  readonly dir: string;
  readonly queriesFile: string;
  readonly queries: number;
  readonly truthFile: string;
  /** Stop timing queries after this many seconds (at least MIN_QUERIES are run). */
  readonly budgetSeconds: number;
  readonly hnsw: HnswParameters;
  /** quelle only: afterwards, reload the vectors with each of these efSearch values and measure. */
  readonly efProbe: readonly number[];
}

export interface SweepTask extends Common {
  readonly mode: 'sweep';
  readonly baseFile: string;
  readonly count: number;
  readonly dir: string;
  readonly queriesFile: string;
  readonly queries: number;
  readonly truthFile: string;
  readonly m: number;
  readonly efConstruction: number;
  readonly efSearch: readonly number[];
}

export type WorkerTask = TruthTask | BuildTask | ServeTask | SweepTask;

export interface TruthFile {
  readonly count: number;
  readonly labels: number[][];
}

export interface BuildReport {
  readonly build_s: number;
  readonly disk_mb: number;
  readonly build_rss_peak_mb: number;
  readonly details: Record<string, number | string | boolean>;
}

export interface ServeReport {
  readonly load_ms: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly qps: number;
  readonly recall_at_10: number;
  readonly rss_mb: number;
  readonly rss_peak_mb: number;
  readonly queries: number;
  readonly details: Record<string, number | string | boolean>;
  readonly ef_probe?: EfProbe[];
}

export interface EfProbe {
  readonly efSearch: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly recall_at_10: number;
}

export interface SweepPoint {
  readonly m: number;
  readonly efConstruction: number;
  readonly efSearch: number;
  readonly build_s: number;
  readonly vectors_mb: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly recall_at_10: number;
}

const MIN_QUERIES = 20;
const WARMUP_QUERIES = 10;

function recallOf(found: readonly number[], truth: readonly number[]): number {
  const expected = new Set(truth.slice(0, K));
  let hits = 0;
  for (const label of found.slice(0, K)) if (expected.has(label)) hits++;
  return hits / Math.min(K, truth.length);
}

async function readTruth(file: string, count: number): Promise<number[][]> {
  const truth = JSON.parse(await readFile(file, 'utf8')) as TruthFile;
  if (truth.count !== count) throw new Error(`${file} is the truth for ${truth.count} vectors, not ${count}`);
  return truth.labels;
}

async function truth(task: TruthTask): Promise<void> {
  const base = await readFloat32(task.baseFile, task.count * DIMENSION);
  const queries = await readFloat32(task.queriesFile);
  const labels: number[][] = [];
  for (let q = task.from; q < task.to; q++) labels.push(exactSearch(base, DIMENSION, row(queries, q), K).map((hit) => hit.label));
  await writeJson(task.resultFile, labels);
}

async function build(task: BuildTask): Promise<void> {
  const base = await readFloat32(task.baseFile, task.count * DIMENSION);
  const outcome = await engineNamed(task.engine, task.hnsw).build(task.dir, base, task.count);
  const report: BuildReport = {
    build_s: outcome.buildSeconds,
    disk_mb: outcome.diskBytes / MB,
    build_rss_peak_mb: peakRssBytes() / MB,
    details: outcome.details,
  };
  await writeJson(task.resultFile, report);
}

async function serve(task: ServeTask): Promise<void> {
  const queries = await readFloat32(task.queriesFile, task.queries * DIMENSION);
  const numbers = Array.from({ length: task.queries }, (_, q) => rowAsNumbers(queries, q));
  const truthLabels = await readTruth(task.truthFile, task.count);
  const named = engineNamed(task.engine, task.hnsw);
  await named.prepare?.();
  await settleMemory();
  const baseline = rssBytes();

  const loadStarted = performance.now();
  const engine = await named.load(task.dir, task.count);
  const loadMs = performance.now() - loadStarted;

  for (let q = 0; q < Math.min(WARMUP_QUERIES, task.queries); q++) await engine.search(row(queries, q), numbers[q]!, K);

  const latencies: number[] = [];
  let recall = 0;
  const started = performance.now();
  for (let q = 0; q < task.queries; q++) {
    if (q >= MIN_QUERIES && (performance.now() - started) / 1000 > task.budgetSeconds) break;
    const t0 = performance.now();
    const found = await engine.search(row(queries, q), numbers[q]!, K);
    latencies.push(performance.now() - t0);
    recall += recallOf(found, truthLabels[q]!);
  }
  await settleMemory();
  const rssAfter = rssBytes();
  const peakAfter = peakRssBytes();
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const efProbe: EfProbe[] = [];
  if (task.engine === 'quelle') {
    const file = path.join(await currentGenerationDir(task.dir), VECTORS_FILE);
    for (const efSearch of task.efProbe) {
      const loaded = await VectorIndex.load(file, DIMENSION, { ...task.hnsw, efSearch });
      const measured = measureQueries(loaded, queries, task.queries, truthLabels);
      efProbe.push({ efSearch, ...measured });
      process.stderr.write(`  efSearch ${efSearch}: recall ${measured.recall_at_10.toFixed(4)}, p50 ${measured.p50_ms.toFixed(3)} ms\n`);
      // Frees the previous copy's native memory before the next one is loaded.
      await settleMemory();
    }
  }
  const report: ServeReport = {
    load_ms: loadMs,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    qps: 1000 / mean,
    recall_at_10: recall / latencies.length,
    rss_mb: (rssAfter - baseline) / MB,
    rss_peak_mb: peakAfter / MB,
    queries: latencies.length,
    details: engine.details,
    ...(efProbe.length > 0 ? { ef_probe: efProbe } : {}),
  };
  await writeJson(task.resultFile, report);
}

/** Latency and recall of every query against an HNSW index, after a warm-up. */
function measureQueries(index: VectorIndex, queries: Float32Array, count: number, truthLabels: readonly number[][]): Omit<EfProbe, 'efSearch'> {
  for (let q = 0; q < Math.min(WARMUP_QUERIES, count); q++) index.search(row(queries, q), K);
  const latencies: number[] = [];
  let recall = 0;
  for (let q = 0; q < count; q++) {
    const t0 = performance.now();
    const found = index.search(row(queries, q), K);
    latencies.push(performance.now() - t0);
    recall += recallOf(
      found.map((hit) => hit.label),
      truthLabels[q]!,
    );
  }
  return { p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95), recall_at_10: recall / count };
}

async function sweep(task: SweepTask): Promise<void> {
  const base = await readFloat32(task.baseFile, task.count * DIMENSION);
  const queries = await readFloat32(task.queriesFile, task.queries * DIMENSION);
  const truthLabels = await readTruth(task.truthFile, task.count);
  const parameters: HnswParameters = { m: task.m, efConstruction: task.efConstruction, efSearch: task.efSearch[0]! };
  const started = performance.now();
  const index = VectorIndex.create(DIMENSION, task.count, parameters);
  for (let i = 0; i < task.count; i++) index.add(row(base, i), i);
  const buildSeconds = (performance.now() - started) / 1000;
  const file = path.join(task.dir, 'vectors.hnsw');
  await index.save(file);
  const { size } = await stat(file);
  const points: SweepPoint[] = [];
  for (const efSearch of task.efSearch) {
    // Loaded with the efSearch to test, as loadIndex does with the one in the manifest.
    const loaded = await VectorIndex.load(file, DIMENSION, { ...parameters, efSearch });
    points.push({ m: task.m, efConstruction: task.efConstruction, efSearch, build_s: buildSeconds, vectors_mb: size / MB, ...measureQueries(loaded, queries, task.queries, truthLabels) });
    process.stderr.write(
      `  sweep M=${task.m} efC=${task.efConstruction} ef=${efSearch}: recall ${points.at(-1)!.recall_at_10.toFixed(4)}, p50 ${points.at(-1)!.p50_ms.toFixed(3)} ms\n`,
    );
  }
  await writeJson(task.resultFile, points);
}

const task = childArguments<WorkerTask>();
switch (task.mode) {
  case 'truth':
    await truth(task);
    break;
  case 'build':
    await build(task);
    break;
  case 'serve':
    await serve(task);
    break;
  case 'sweep':
    await sweep(task);
    break;
}

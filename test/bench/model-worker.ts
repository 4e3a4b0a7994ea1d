/**
 * Child process: the bare model, on this process's own thread (no worker, no index): how long
 * it loads, how fast it embeds one question, and how many passages a second it embeds per batch
 * shape. For each shape the whole corpus is sorted and batched as a build does it
 * (passage-batches.ts), and batches evenly spaced through that sequence are embedded until about
 * `passages` passages: a sample of a build's own batches, with its mix of lengths. Questions are
 * XQuAD-de's. With `throughputOnly` it embeds every passage at the product's shape alone, and no
 * questions (the pipeline's peer on half of the corpus: run-bench.ts). The inference settings are the product's (DEFAULT_INFERENCE, or
 * EMBEDDING_BATCH_SIZE / EMBEDDING_BATCH_TOKENS / EMBEDDING_THREADS from the environment).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chunkArticle } from '../../src/articles/chunk-article.ts';
import { readArticles } from '../../src/articles/read-articles.ts';
import { loadCoreConfig } from '../../src/config.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { passageBatches, type BatchLimits } from '../../src/embedding/passage-batches.ts';
import { loadFeatureExtractor } from '../../src/embedding/transformers-embedder.ts';
import { childArguments, MB, peakRssBytes, percentile, rssBytes, settleMemory, writeJson } from './bench-support.ts';

export interface ModelTask {
  readonly modelDir: string;
  readonly dtype: string;
  readonly corpusDir: string;
  readonly questionsFile: string;
  readonly queries: number;
  readonly passages: number;
  readonly throughputOnly?: boolean;
  readonly resultFile: string;
}

export interface BatchFigure {
  readonly label: string;
  readonly batch_size: number;
  readonly batch_tokens: number | null;
  readonly batches: number;
  readonly passages: number;
  readonly passages_per_s: number;
  /** The longest single batch: what a question may wait for behind it. */
  readonly batch_max_ms: number;
  readonly batch_p95_ms: number;
}

export interface ModelReport {
  readonly query_p50_ms: number;
  readonly query_p95_ms: number;
  /** At the product's batch settings. */
  readonly passages_per_s: number;
  readonly details: {
    readonly model: string;
    readonly dtype: string;
    readonly threads: number;
    readonly load_ms: number;
    readonly rss_after_load_mb: number;
    readonly rss_peak_mb: number;
    readonly queries: number;
    readonly corpus_passages: number;
    readonly sampled_passages: number;
    readonly batches: BatchFigure[];
  };
}

const task = childArguments<ModelTask>();
const inference = loadCoreConfig(process.env).model.inference;
const settings = resolveModelSettings({ modelDir: task.modelDir, dtype: task.dtype, inference });

const { articles } = await readArticles(task.corpusDir);
const all = articles.flatMap((article) => chunkArticle(article).map((passage) => passage.text));
const questions = (await readFile(task.questionsFile, 'utf8'))
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { question: string }).question);

await settleMemory();
const loadStarted = performance.now();
const extractor = await loadFeatureExtractor(settings);
const loadMs = performance.now() - loadStarted;
await extractor.run([`${settings.queryPrefix}warm-up`]);
await settleMemory();
const rssAfterLoad = rssBytes() / MB;

// Questions, one at a time, after a warm-up.
const queryTimes: number[] = [];
for (let i = 0; i < (task.throughputOnly ? 0 : 10 + task.queries); i++) {
  const started = performance.now();
  await extractor.run([`${settings.queryPrefix}${questions[i % questions.length]}`]);
  if (i >= 10) queryTimes.push(performance.now() - started);
}

const productShape = { label: 'product default', batchSize: inference.batchSize, batchTokens: inference.batchTokens };
const shapes: Array<{ label: string } & BatchLimits> = task.throughputOnly ? [productShape] : [
  productShape,
  // While members ask (EMBEDDING_ASKING_BATCH_TOKENS), and a budget between the two.
  { label: 'product default while members ask', batchSize: inference.batchSize, batchTokens: inference.askingBatchTokens },
  { label: `${inference.batchSize} a batch, at most 256 tokens`, batchSize: inference.batchSize, batchTokens: 256 },
  ...[1, 4, 16, 64].map((batchSize) => ({ label: `${batchSize} a batch, no token bound`, batchSize, batchTokens: Number.MAX_SAFE_INTEGER })),
];
const figures: BatchFigure[] = [];
await extractor.run(all.slice(0, 4).map((text) => `${settings.passagePrefix}${text}`));
let sampled = 0;
for (const shape of shapes) {
  const build = passageBatches(all, shape);
  const perBatch = all.length / build.length;
  const wanted = task.throughputOnly ? build.length : Math.max(1, Math.round(task.passages / perBatch));
  const batches = Array.from({ length: Math.min(wanted, build.length) }, (_, i) => build[Math.floor(((i + 0.5) * build.length) / Math.min(wanted, build.length))]!);
  const times: number[] = [];
  let passages = 0;
  const started = performance.now();
  for (const batch of batches) {
    const batchStarted = performance.now();
    await extractor.run(batch.map((i) => `${settings.passagePrefix}${all[i]}`));
    times.push(performance.now() - batchStarted);
    passages += batch.length;
  }
  const seconds = (performance.now() - started) / 1000;
  sampled += passages;
  figures.push({
    label: shape.label,
    batch_size: shape.batchSize,
    batch_tokens: shape.batchTokens === Number.MAX_SAFE_INTEGER ? null : shape.batchTokens,
    batches: batches.length,
    passages,
    passages_per_s: passages / seconds,
    batch_max_ms: Math.max(...times),
    batch_p95_ms: percentile(times, 95),
  });
  process.stderr.write(`  model: ${shape.label}: ${(passages / seconds).toFixed(1)} passages/s, longest batch ${Math.max(...times).toFixed(0)} ms\n`);
}
await extractor.dispose();

const report: ModelReport = {
  query_p50_ms: percentile(queryTimes, 50),
  query_p95_ms: percentile(queryTimes, 95),
  passages_per_s: figures[0]!.passages_per_s,
  details: {
    model: path.basename(task.modelDir),
    dtype: task.dtype,
    threads: inference.threads,
    load_ms: loadMs,
    rss_after_load_mb: rssAfterLoad,
    rss_peak_mb: peakRssBytes() / MB,
    queries: queryTimes.length,
    corpus_passages: all.length,
    sampled_passages: sampled,
    batches: figures,
  },
};
await writeJson(task.resultFile, report);

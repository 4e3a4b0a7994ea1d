/**
 * Child process: the indexing pipeline (runIndexer, hybrid, rebuild) on a corpus folder with a
 * model, through the product's inference worker, as `npm run index` runs it. The model is loaded
 * first and handed to runIndexer, as the bot does, so that its start-up cost is reported apart
 * from the per-passage work.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { loadCoreConfig } from '../../src/config.ts';
import { openEmbedder } from '../../src/embedding/open-embedder.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { childArguments, MB, peakRssBytes, writeJson } from './bench-support.ts';

export interface PipelineTask {
  readonly corpusDir: string;
  readonly modelDir: string;
  readonly dtype: string;
  readonly resultFile: string;
}

export interface PipelineReport {
  readonly corpus: string;
  readonly articles: number;
  readonly passages: number;
  readonly model: string;
  readonly model_load_s: number;
  readonly wall_s: number;
  readonly parse_s: number;
  readonly chunk_s: number;
  readonly embed_s: number;
  readonly insert_s: number;
  readonly lexical_s: number;
  readonly save_s: number;
  /** Wall time not in any phase: the lock, reading the (absent) previous index, bookkeeping. */
  readonly other_s: number;
  /** Passages over runIndexer's wall time (the model loaded before). */
  readonly passages_per_s: number;
  /** (wall − embed) / wall: everything but embedding, as a share of runIndexer's wall time. */
  readonly non_embed_share: number;
  readonly rss_peak_mb: number;
}

const task = childArguments<PipelineTask>();
const indexDir = await mkdtemp(path.join(os.tmpdir(), 'quelle-bench-pipeline-'));
try {
  const modelSettings = resolveModelSettings({ modelDir: task.modelDir, dtype: task.dtype, inference: loadCoreConfig(process.env).model.inference });
  const modelStarted = performance.now();
  const { embedder, unavailableReason } = await openEmbedder(modelSettings);
  if (!embedder) throw new Error(`the model does not load: ${unavailableReason}`);
  const modelLoadSeconds = (performance.now() - modelStarted) / 1000;
  const { summary } = await runIndexer({ seedsDir: task.corpusDir, indexDir, mode: 'hybrid', rebuild: true, modelSettings, embedder, previous: null });
  await embedder.dispose();
  const t = summary.timings;
  // Vector insertion overlaps embedding (its time lies within t.embed), so it is not added again.
  const phases = t.parse + t.chunk + t.embed + t.lexical + t.save;
  const report: PipelineReport = {
    corpus: task.corpusDir,
    articles: summary.articles,
    passages: summary.passages,
    model: summary.model ?? 'none',
    model_load_s: modelLoadSeconds,
    wall_s: summary.seconds,
    parse_s: t.parse,
    chunk_s: t.chunk,
    embed_s: t.embed,
    insert_s: t.insert,
    lexical_s: t.lexical,
    save_s: t.save,
    other_s: summary.seconds - phases,
    passages_per_s: summary.passagesPerSecond,
    non_embed_share: (summary.seconds - t.embed) / summary.seconds,
    rss_peak_mb: peakRssBytes() / MB,
  };
  await writeJson(task.resultFile, report);
} finally {
  await rm(indexDir, { recursive: true, force: true });
}

/**
 * The inference worker (issue #12): the model runs on a worker thread, so a long batch never
 * stops the event loop; questions go before passage batches; a worker that dies is started again
 * and what it was embedding is retried once or fails, never hangs. The faults come from
 * fault-worker.ts (the real worker with the fixture model, plus markers in the texts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { resolveModelSettings, type InferenceSettings } from '../../src/embedding/model-settings.ts';
import { startWorkerEmbedder } from '../../src/embedding/worker-embedder.ts';
import { ErrorCode, isQuelleError } from '../../src/errors.ts';
import { FIXTURE_MODEL_DIR, loadFixtureEmbedder, missingModelSettings, useTempDirs } from '../helpers/index-fixtures.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';

const FAULT_WORKER = new URL('./fault-worker.ts', import.meta.url);
const tempDir = useTempDirs('quelle-worker-');
const opened: Embedder[] = [];

/** The fixture model in the fault worker; `batchSize` 1 makes every passage its own batch. */
async function faultEmbedder(batchSize = 1, logger = recordingLogger(), inference: Partial<InferenceSettings> = {}): Promise<Embedder> {
  const settings = resolveModelSettings({ modelDir: FIXTURE_MODEL_DIR, inference: { batchSize, ...inference } });
  const embedder = await startWorkerEmbedder(settings, { workerModule: FAULT_WORKER, logger });
  opened.push(embedder);
  return embedder;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((embedder) => embedder.dispose()));
});

/** Resolves with the longest gap between ticks of a 5 ms timer while `work` runs. */
async function longestStall<T>(work: Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    return { result: await work, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('the worker embedder', () => {
  it('gives the vectors the model gives on the calling thread, in the order of the texts', async () => {
    const worker = await faultEmbedder(2);
    const inProcess = await loadFixtureEmbedder();
    const texts = ['Die Koalition der Willigen traf sich in Paris.', 'kurz', 'Putin lehnt NATO-Truppen in der Ukraine ab, sagte er in Wladiwostok.', 'mittel lang'];
    expect(worker.modelId).toBe(inProcess.modelId);
    expect(worker.dimension).toBe(inProcess.dimension);
    const [fromWorker, expected] = [await worker.embedPassages(texts), await inProcess.embedPassages(texts)];
    expect(fromWorker.map((v) => Array.from(v))).toEqual(expected.map((v) => Array.from(v)));
    expect(Array.from(await worker.embedQuery(texts[0]!))).toEqual(Array.from(await inProcess.embedQuery(texts[0]!)));
  });

  it('a batch that blocks its thread for 400 ms does not stop the event loop', async () => {
    const worker = await faultEmbedder();
    const { result, stallMs } = await longestStall(worker.embedPassages(['SLOW400 eins', 'SLOW400 zwei']));
    expect(result).toHaveLength(2);
    // Two batches of 400 ms ran; the timer kept ticking (a blocked loop would stall ≥ 400 ms).
    expect(stallMs).toBeLessThan(200);
  });

  it('a question waits for the batch in flight only, not for the passage batches queued before it', async () => {
    const worker = await faultEmbedder();
    const finished: string[] = [];
    const passages = worker.embedPassages(Array.from({ length: 6 }, (_, i) => `SLOW150 Absatz ${i}`), {
      onProgress: (done) => finished.push(`passages ${done}`),
    });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first batch is in flight
    const asked = performance.now();
    await worker.embedQuery('Wo traf sich die Koalition?');
    finished.push('question');
    const waited = performance.now() - asked;
    await passages;
    // Six batches of 150 ms were queued; the question came after at most two of them.
    expect(finished.indexOf('question')).toBeLessThanOrEqual(2);
    expect(waited).toBeLessThan(450);
  });

  it('while members ask, a build cuts its passage batches to askingBatchTokens; while nobody asks, to batchTokens', async () => {
    // 64 passages of 50 tokens: batches of 16 within 800 tokens, of 2 within 100.
    const texts = Array.from({ length: 64 }, (_, i) => `Absatz ${String(i).padStart(2, '0')} ${'wort '.repeat(38)}`);
    const inference = { batchTokens: 800, askingBatchTokens: 100 };
    const batchSizes = async (askAfterFirstBatch: boolean): Promise<number[]> => {
      const worker = await faultEmbedder(16, recordingLogger(), inference);
      const sizes: number[] = [];
      let before = 0;
      const asked: Array<Promise<Float32Array>> = [];
      await worker.embedPassages(texts, {
        onProgress: (done) => {
          sizes.push(done - before);
          before = done;
          if (askAfterFirstBatch && sizes.length === 1) asked.push(worker.embedQuery('Wo traf sich die Koalition?'));
        },
      });
      await Promise.all(asked);
      return sizes;
    };
    expect(await batchSizes(false)).toEqual([16, 16, 16, 16]);
    const asking = await batchSizes(true);
    // The batch the second lane had already cut runs at full size; every later one is small.
    expect(asking.slice(0, 2)).toEqual([16, 16]);
    expect(asking.slice(2).every((size) => size === 2)).toBe(true);
    expect(asking.reduce((a, b) => a + b, 0)).toBe(64);
  });

  it.runIf(process.platform === 'linux')('runs the model at the configured nice value, its onnxruntime threads too, and leaves the event loop at 0 (Linux)', async () => {
    const niceOf = (task: string): number => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const niced = (): string[] => readdirSync('/proc/self/task').filter((task) => niceOf(task) === 7);
    expect(niced()).toEqual([]);
    const worker = await faultEmbedder(1, recordingLogger(), { nice: 7, threads: 2 });
    await worker.embedPassages(['eins', 'zwei']);
    // The worker's thread and onnxruntime's second intra-op thread.
    expect(niced().length).toBeGreaterThanOrEqual(2);
    expect(niceOf(String(process.pid))).toBe(0);
  });

  it('a worker that dies while embedding is started again and the batch is retried once', async () => {
    const logger = recordingLogger();
    const worker = await faultEmbedder(1, logger);
    const flag = path.join(await tempDir('flag-'), 'crashed');
    const vectors = await worker.embedPassages(['eins', `CRASH-ONCE[${flag}] zwei`, 'drei']);
    expect(existsSync(flag)).toBe(true); // it did die
    expect(vectors).toHaveLength(3);
    expect(vectors.every((v) => v.length === worker.dimension)).toBe(true);
    expect(logger.lines.some((line) => line.includes('The embedding worker stopped; starting it again'))).toBe(true);
    // And it keeps answering.
    expect((await worker.embedQuery('noch da?')).length).toBe(worker.dimension);
  });

  it('a batch that kills the worker every time fails with EMBEDDING_FAILED; the rest is embedded, nothing hangs', async () => {
    const worker = await faultEmbedder();
    const question = worker.embedQuery('eine Frage');
    const failing = worker.embedPassages(['CRASH-ALWAYS'], {});
    const others = worker.embedPassages(['vier', 'fünf']);
    const error = await failing.catch((e: unknown) => e);
    expect(isQuelleError(error, ErrorCode.EmbeddingFailed)).toBe(true);
    expect((error as Error).message).toMatch(/stopped 2 times while embedding the same texts/);
    expect(await others).toHaveLength(2);
    expect((await question).length).toBe(worker.dimension);
  });

  it('under load, with the worker dying again and again, every request settles and the survivors are right', { timeout: 60_000 }, async () => {
    const worker = await faultEmbedder(2);
    const inProcess = await loadFixtureEmbedder();
    const dir = await tempDir('flags-');
    const requests: Array<Promise<unknown>> = [];
    for (let i = 0; i < 40; i++) {
      requests.push(worker.embedQuery(`Frage ${i}`));
      const crash = i % 10 === 3 ? `CRASH-ONCE[${path.join(dir, String(i))}] ` : i === 17 ? 'CRASH-ALWAYS ' : '';
      requests.push(worker.embedPassages([`${crash}Absatz ${i}`, `Absatz ${i} b`, `Absatz ${i} c`]));
    }
    const outcomes = await Promise.allSettled(requests);
    const failed = outcomes.filter((o) => o.status === 'rejected');
    // Only the CRASH-ALWAYS batch fails, with EMBEDDING_FAILED; the four that crash once are retried.
    expect(failed).toHaveLength(1);
    for (const f of failed) expect(isQuelleError((f as PromiseRejectedResult).reason, ErrorCode.EmbeddingFailed)).toBe(true);
    const question = outcomes[0] as PromiseFulfilledResult<Float32Array>;
    expect(Array.from(question.value)).toEqual(Array.from(await inProcess.embedQuery('Frage 0')));
  });

  it('an aborted call gives up its queued batches at once', async () => {
    const worker = await faultEmbedder();
    const controller = new AbortController();
    const passages = worker.embedPassages(Array.from({ length: 20 }, (_, i) => `SLOW100 ${i}`), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stopped by the test')), 50);
    const started = performance.now();
    await expect(passages).rejects.toThrow('stopped by the test');
    // The batch in flight may finish; the 19 queued ones (1.9 s) are not waited for.
    expect(performance.now() - started).toBeLessThan(400);
    expect((await worker.embedQuery('danach')).length).toBe(worker.dimension);
  });

  it('dispose fails what is still queued and stops the worker', async () => {
    const worker = await faultEmbedder();
    const pending = expect(worker.embedPassages(['SLOW200 a', 'b', 'c'])).rejects.toThrow(/closed/);
    await worker.dispose();
    await pending;
    await expect(worker.embedQuery('x')).rejects.toThrow(/closed/);
  });

  it('dispose lets the batch in flight finish before it stops the worker (terminating inside an inference aborts the process in onnxruntime)', async () => {
    const worker = await faultEmbedder();
    const finished = path.join(await tempDir(), 'batch-finished');
    const pending = expect(worker.embedPassages([`SLOW300 DONE[${finished}] a`])).rejects.toThrow(/closed/);
    await worker.dispose();
    await pending;
    expect(existsSync(finished)).toBe(true);
  });

  it('a model that does not load fails with MODEL_UNAVAILABLE and the advice', async () => {
    const error = await startWorkerEmbedder(missingModelSettings).catch((e: unknown) => e);
    expect(isQuelleError(error, ErrorCode.ModelUnavailable)).toBe(true);
    expect((error as Error).message).toMatch(/Cannot load the embedding model from .*Fix EMBEDDING_MODEL_DIR/);
  });
});

import { Worker } from 'node:worker_threads';
import { ErrorCode, QuelleError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { Embedder, EmbedPassagesOptions } from './embedder.ts';
import type { EmbedRequest, InferenceWorkerData, WorkerMessage } from './inference-worker.ts';
import { ASKING_WINDOW_MS, modelIdOf, type ModelSettings } from './model-settings.ts';
import { PassageBatcher, type BatchLimits } from './passage-batches.ts';

export interface WorkerEmbedderOptions {
  /** Where crashes and restarts of the worker are reported. */
  readonly logger?: Logger;
  /** The worker's module (tests: one that fails on purpose); inference-worker.ts by default. */
  readonly workerModule?: URL;
}

/** How often one batch is tried when the worker dies while embedding it. */
const ATTEMPTS = 2;

interface Job {
  readonly id: number;
  readonly texts: string[];
  readonly resolve: (vectors: Float32Array[]) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  attempts: number;
}

/**
 * Starts the inference worker and returns an {@link Embedder} that embeds through it: the model
 * runs on a worker thread, so the event loop never waits for a batch (onnxruntime-node runs an
 * inference synchronously on its calling thread). One worker holds the model, as the tokenizer of
 * a 250k-piece vocabulary and the session take about 500 MB each time they are loaded, and
 * several onnxruntime workers have crashed older versions.
 *
 * Questions come first: the worker gets one batch at a time, and a waiting question is sent
 * before the next passage batch, so it waits for at most the batch in flight, which
 * `inference.batchTokens` keeps short — and `inference.askingBatchTokens` shorter while members
 * are asking (a question in the last 30 s), at some cost to the build's throughput. A worker that dies is started again; the batch it was
 * embedding is tried once more, then fails, and nothing waits forever. Fails with
 * MODEL_UNAVAILABLE when the model does not load.
 */
export async function startWorkerEmbedder(settings: ModelSettings, options: WorkerEmbedderOptions = {}): Promise<Embedder> {
  const pool = new InferenceWorker(settings, options);
  const dimension = await pool.start();
  const { queryPrefix, passagePrefix } = settings;
  return {
    modelId: modelIdOf(settings),
    dimension,
    async embedQuery(text, signal) {
      signal?.throwIfAborted();
      const [vector] = await pool.embed('query', [`${queryPrefix}${text}`], signal);
      return vector!;
    },
    async embedPassages(texts, embedOptions: EmbedPassagesOptions = {}) {
      const { signal, onProgress } = embedOptions;
      signal?.throwIfAborted();
      const base: BatchLimits = { ...settings.inference, ...(embedOptions.batchSize ? { batchSize: embedOptions.batchSize } : {}) };
      const asking: BatchLimits = { ...base, batchTokens: Math.min(base.batchTokens, settings.inference.askingBatchTokens) };
      const vectors: Float32Array[] = new Array<Float32Array>(texts.length);
      let done = 0;
      // Two batches are queued at a time, so that the worker never waits for the event loop to
      // send the next one; a question still cuts in before both. Each batch is cut when its lane
      // sends it, so a build turns to small batches as soon as members ask.
      const batcher = new PassageBatcher(texts);
      let failed = false;
      const nextBatch = (): number[] | undefined => (failed ? undefined : batcher.nextBatch(pool.membersAsking() ? asking : base));
      const runLane = async (): Promise<void> => {
        for (let batch = nextBatch(); batch !== undefined; batch = nextBatch()) {
          try {
            const embedded = await pool.embed('passage', batch.map((i) => `${passagePrefix}${texts[i]}`), signal);
            batch.forEach((i, row) => (vectors[i] = embedded[row]!));
          } catch (error) {
            failed = true;
            throw error;
          }
          done += batch.length;
          onProgress?.(done, texts.length);
        }
      };
      await Promise.all([runLane(), runLane()]);
      return vectors;
    },
    dispose: () => pool.dispose(),
  };
}

/** The worker, its queues (questions before passages) and its restarts. */
class InferenceWorker {
  private worker: Worker | null = null;
  private starting: Promise<number> | null = null;
  private dimension = 0;
  private readonly queries: Job[] = [];
  private readonly passages: Job[] = [];
  private inFlight: { job: Job; lane: Job[] } | null = null;
  private disposed = false;
  private nextId = 1;
  private lastQuestionAt = Number.NEGATIVE_INFINITY;
  private readonly logger: Logger;
  private readonly workerModule: URL;

  constructor(
    private readonly settings: ModelSettings,
    options: WorkerEmbedderOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.workerModule = options.workerModule ?? new URL('./inference-worker.ts', import.meta.url);
  }

  /** Starts the worker and waits for the model; resolves with its dimension. */
  start(): Promise<number> {
    this.starting ??= this.spawn().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /** True when a question came in the last {@link ASKING_WINDOW_MS}. */
  membersAsking(): boolean {
    return performance.now() - this.lastQuestionAt < ASKING_WINDOW_MS;
  }

  embed(lane: 'query' | 'passage', texts: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    if (lane === 'query') this.lastQuestionAt = performance.now();
    if (this.disposed) return Promise.reject(new QuelleError(ErrorCode.ModelUnavailable, 'The embedding model has been closed.'));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.cancel(job);
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      const job: Job = {
        id: this.nextId++,
        texts,
        resolve: (vectors) => (done(), resolve(vectors)),
        reject: (error) => (done(), reject(error)),
        signal,
        attempts: 0,
      };
      if (signal?.aborted) return job.reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      (lane === 'query' ? this.queries : this.passages).push(job);
      this.pump();
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const closed = new QuelleError(ErrorCode.ModelUnavailable, 'The embedding model has been closed.');
    const worker = this.worker;
    // Terminating a worker inside an inference aborts the whole process in onnxruntime's native
    // code ("terminate called after throwing an instance of 'Napi::Error'"; seen on Ctrl-C during
    // `npm run index`): let the batch in flight finish first, then stop the worker.
    const idle = worker && this.inFlight ? workerAnswered(worker) : Promise.resolve();
    for (const job of [...this.queries.splice(0), ...this.passages.splice(0), ...(this.inFlight ? [this.inFlight.job] : [])]) job.reject(closed);
    this.inFlight = null;
    this.worker = null;
    await idle;
    await worker?.terminate();
  }

  private spawn(): Promise<number> {
    const entry = this.workerModule.href;
    // tsx's loader does not reach worker threads by itself: the worker imports its module through it.
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
    const worker = new Worker(bootstrap, { eval: true, workerData: { settings: this.settings, entry } satisfies InferenceWorkerData, name: 'quelle-inference' });
    return new Promise<number>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          ready = true;
          this.worker = worker;
          this.dimension = message.dimension;
          resolve(message.dimension);
          this.pump();
        } else if (message.type === 'load-failed') {
          void worker.terminate();
          reject(new QuelleError(ErrorCode.ModelUnavailable, message.message));
        } else {
          this.settle(message);
        }
      });
      const lost = (reason: string): void => {
        if (!ready) {
          reject(new QuelleError(ErrorCode.ModelUnavailable, `The embedding worker stopped while loading the model (${reason}).`));
        } else if (this.worker === worker) {
          this.worker = null;
          this.lost(reason);
        }
      };
      worker.on('error', (error) => lost(error.message));
      worker.on('exit', (code) => lost(`exit code ${code}`));
    });
  }

  /** The worker died: its batch is tried again (once), and a new worker takes the queue. */
  private lost(reason: string): void {
    if (this.disposed) return;
    const inFlight = this.inFlight;
    this.inFlight = null;
    if (inFlight) {
      const { job, lane } = inFlight;
      if (job.attempts >= ATTEMPTS) {
        job.reject(
          new QuelleError(
            ErrorCode.EmbeddingFailed,
            `The embedding worker stopped ${ATTEMPTS} times while embedding the same texts (${reason}); they were not embedded. Check the model and the memory available, then try again.`,
          ),
        );
      } else {
        lane.unshift(job);
      }
    }
    this.logger.warn({ reason, waiting: this.queries.length + this.passages.length }, 'The embedding worker stopped; starting it again');
    if (this.queries.length + this.passages.length > 0) this.restart();
  }

  private restart(): void {
    this.start().then(
      () => this.logger.info('The embedding worker is running again'),
      (error: unknown) => {
        // The model no longer loads: nothing queued can be embedded; the next request tries again.
        for (const job of [...this.queries.splice(0), ...this.passages.splice(0)]) job.reject(error);
        this.logger.error({ reason: (error as Error).message }, 'The embedding worker cannot be started again');
      },
    );
  }

  private settle(message: Extract<WorkerMessage, { id: number }>): void {
    const job = this.inFlight?.job;
    if (job?.id !== message.id) return;
    this.inFlight = null;
    if (message.type === 'embedded') {
      job.resolve(Array.from({ length: job.texts.length }, (_, row) => message.vectors.subarray(row * this.dimension, (row + 1) * this.dimension)));
    } else {
      job.reject(new QuelleError(ErrorCode.EmbeddingFailed, `Embedding failed: ${message.message}`));
    }
    this.pump();
  }

  private cancel(job: Job): void {
    for (const lane of [this.queries, this.passages]) {
      const at = lane.indexOf(job);
      if (at >= 0) lane.splice(at, 1);
    }
    // A job in flight finishes in the worker; its caller stops waiting now.
    job.reject(job.signal?.reason);
  }

  /** Sends the next job when the worker is free: questions first. */
  private pump(): void {
    if (this.disposed || this.inFlight) return;
    if (!this.worker) {
      if (this.queries.length + this.passages.length > 0 && !this.starting) this.restart();
      return;
    }
    const lane = this.queries.length > 0 ? this.queries : this.passages;
    const job = lane.shift();
    if (!job) {
      this.worker.unref(); // an idle model never keeps the process alive
      return;
    }
    this.worker.ref();
    job.attempts++;
    this.inFlight = { job, lane };
    this.worker.postMessage({ id: job.id, texts: job.texts } satisfies EmbedRequest);
  }
}

/** Resolves when the worker next posts a message (the batch in flight is done) or exits. */
function workerAnswered(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      worker.off('message', done);
      worker.off('exit', done);
      resolve();
    };
    worker.on('message', done);
    worker.on('exit', done);
  });
}

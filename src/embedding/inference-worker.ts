/**
 * The inference worker: a worker thread that owns the model (worker-embedder.ts starts it). It
 * loads the model, reports its dimension, then embeds one batch per request, in the order the
 * requests come; the main thread decides that order (questions first).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../errors.ts';
import type { ModelSettings } from './model-settings.ts';
import { loadFeatureExtractor } from './transformers-embedder.ts';

export interface InferenceWorkerData {
  readonly settings: ModelSettings;
  /** The module the worker was started with: it serves when it is this one. */
  readonly entry: string;
}

/** Main thread → worker: embed these texts (prefixes included) as one batch. */
export interface EmbedRequest {
  readonly id: number;
  readonly texts: string[];
}

/** Worker → main thread. Vectors come flat (rows × dimension), their buffer transferred. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly dimension: number }
  | { readonly type: 'load-failed'; readonly message: string }
  | { readonly type: 'embedded'; readonly id: number; readonly vectors: Float32Array }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/** Serves requests from `port` with the model described by `data`; used as the worker's body. */
export async function serveInference(port: NonNullable<typeof parentPort>, data: InferenceWorkerData): Promise<void> {
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  let extractor: Awaited<ReturnType<typeof loadFeatureExtractor>>;
  let dimension: number;
  // Before the model loads: onnxruntime's thread pool, made with the session, inherits the value.
  lowerThreadPriority(data.settings.inference.nice);
  try {
    extractor = await loadFeatureExtractor(data.settings);
    dimension = (await extractor.run([`${data.settings.queryPrefix}probe`]))[0]!.length;
    collectGarbage();
  } catch (error) {
    post({ type: 'load-failed', message: describeError(error) });
    return;
  }
  port.on('message', (request: EmbedRequest) => {
    extractor.run(request.texts).then(
      (vectors) => {
        const flat = new Float32Array(vectors.length * dimension);
        vectors.forEach((vector, row) => flat.set(vector, row * dimension));
        post({ type: 'embedded', id: request.id, vectors: flat }, [flat.buffer]);
      },
      (error: unknown) => post({ type: 'failed', id: request.id, message: describeError(error) }),
    );
  });
  post({ type: 'ready', dimension });
}

/**
 * Collects this thread's garbage once, after the model has loaded. Loading leaves about 120 MB of
 * it (the parsed tokenizer.json, the tokenizer's library trie that compact-tokenizer.ts replaced),
 * and little else allocates on this thread afterwards, so V8 would keep those pages for hours.
 * Measured with the e5-shaped model: the worker's resident memory after loading is 513 MB with
 * this collection, 654 MB without. `gc` is V8's, reached as jest's leak detector reaches it
 * (Node has no other way to ask for a collection); where that fails, V8 collects when it will.
 */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // See above: only memory is at stake.
  }
}

/**
 * Raises this thread's nice value (Linux, where it is per thread: setpriority with a thread id
 * changes that thread only). Elsewhere, or when the system refuses, the thread keeps its priority:
 * answers may then wait longer while a reindex keeps every core busy, nothing fails.
 */
function lowerThreadPriority(nice: number): void {
  if (nice <= 0 || process.platform !== 'linux') return;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, nice);
  } catch {
    // No /proc, or not permitted: see above.
  }
}

// tsx marks the module's URL with a query of its own.
if (parentPort && (workerData as Partial<InferenceWorkerData> | null)?.entry === import.meta.url.replace(/\?.*$/, '')) {
  await serveInference(parentPort, workerData as InferenceWorkerData);
}

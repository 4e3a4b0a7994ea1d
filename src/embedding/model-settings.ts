import { availableParallelism } from 'node:os';
import path from 'node:path';

/** What the rest of the product needs to know about an embedding model beyond its files. */
export interface ModelSettings {
  /** Hub id (`Xenova/multilingual-e5-small`) or an absolute local directory. */
  readonly model: string;
  /** `true` when `model` is a local directory: nothing is fetched from the network. */
  readonly local: boolean;
  readonly dtype: string;
  readonly queryPrefix: string;
  readonly passagePrefix: string;
  /** Where hub downloads are cached (never `node_modules`). */
  readonly cacheDir: string;
  readonly inference: InferenceSettings;
}

/** How the model is run: batches and threads (see the README's configuration table). */
export interface InferenceSettings {
  /** Most passages in one batch. */
  readonly batchSize: number;
  /**
   * Most tokens in one batch, padding included (estimated from characters). A question waits for
   * the batch in flight, so this bounds its wait during a reindex; long passages go in small
   * batches, short ones in large.
   */
  readonly batchTokens: number;
  /**
   * Most tokens in one batch while members are asking (a question in the last
   * {@link ASKING_WINDOW_MS}): smaller batches cost a build some throughput, and keep a question's
   * wait for the batch in flight short. At most `batchTokens`.
   */
  readonly askingBatchTokens: number;
  /** onnxruntime's intra-op threads for the model. */
  readonly threads: number;
  /**
   * The nice value (0–19) of the inference worker's threads (Linux): above the event loop's 0, the
   * kernel gives the event loop a core whenever it has work, so a reindex that keeps every core
   * busy never holds up the bot's answers. 0 leaves the threads as they are.
   */
  readonly nice: number;
}

/** Defaults measured on a 2-core machine with the e5-shaped model (README, Performance). */
export const DEFAULT_INFERENCE: InferenceSettings = {
  batchSize: 16,
  batchTokens: 512,
  askingBatchTokens: 128,
  threads: Math.min(4, availableParallelism()),
  nice: 10,
};

/** How long after a question passage batches stay small: members ask in bursts, and the next question is likely near. */
export const ASKING_WINDOW_MS = 30_000;

export const DEFAULT_MODEL = 'Xenova/multilingual-e5-small';
export const DEFAULT_DTYPE = 'q8';
export const DEFAULT_MODEL_CACHE_DIR = '.cache/models';

export interface ModelSettingsInput {
  model?: string | undefined;
  modelDir?: string | undefined;
  dtype?: string | undefined;
  queryPrefix?: string | undefined;
  passagePrefix?: string | undefined;
  cacheDir?: string | undefined;
  inference?: Partial<InferenceSettings> | undefined;
}

/**
 * Resolves the model settings. A local directory wins over a hub id. The e5 family was trained
 * with `query: ` / `passage: ` prefixes and loses accuracy without them, so they are the default
 * for any model whose name mentions e5.
 */
export function resolveModelSettings(input: ModelSettingsInput = {}): ModelSettings {
  const local = input.modelDir !== undefined && input.modelDir !== '';
  const model = local ? path.resolve(input.modelDir!) : (input.model || DEFAULT_MODEL);
  const isE5 = /(^|[^a-z])e5([^a-z0-9]|$)/i.test(local ? path.basename(model) : model);
  return {
    model,
    local,
    dtype: input.dtype || DEFAULT_DTYPE,
    queryPrefix: input.queryPrefix ?? (isE5 ? 'query: ' : ''),
    passagePrefix: input.passagePrefix ?? (isE5 ? 'passage: ' : ''),
    cacheDir: path.resolve(input.cacheDir || DEFAULT_MODEL_CACHE_DIR),
    inference: { ...DEFAULT_INFERENCE, ...definedOnly(input.inference ?? {}) },
  };
}


/** The id recorded in the index manifest: the model's name and its variant, not a machine path. */
export function modelIdOf(settings: ModelSettings): string {
  const name = settings.local ? `local:${path.basename(settings.model)}` : settings.model;
  return `${name}@${settings.dtype}`;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

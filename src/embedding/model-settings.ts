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
}

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
  };
}


/** The id recorded in the index manifest: the model's name and its variant, not a machine path. */
export function modelIdOf(settings: ModelSettings): string {
  const name = settings.local ? `local:${path.basename(settings.model)}` : settings.model;
  return `${name}@${settings.dtype}`;
}

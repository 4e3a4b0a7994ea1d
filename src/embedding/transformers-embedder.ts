import path from 'node:path';
import { describeError, ErrorCode, QuelleError } from '../errors.ts';
import { compactUnigramVocabulary } from './compact-tokenizer.ts';
import type { Embedder, EmbedPassagesOptions } from './embedder.ts';
import { modelIdOf, type ModelSettings } from './model-settings.ts';

type Pipeline = ((
  texts: string | string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ dims: number[]; data: Float32Array | ArrayLike<number>; dispose?: () => void }>) & { dispose?: () => Promise<void>; tokenizer?: unknown };

/** A loaded model: texts in, unit vectors out, on the calling thread. */
export interface FeatureExtractor {
  /** Embeds `texts` as one batch (padded to its longest text). */
  run(texts: string[]): Promise<Float32Array[]>;
  /** 'compact' when the tokenizer's Unigram vocabulary was made compact (compact-tokenizer.ts). */
  readonly vocabulary: 'compact' | 'library';
  dispose(): Promise<void>;
}

/**
 * Loads a sentence-embedding model with transformers.js (ONNX runtime, CPU). The library is
 * imported lazily: lexical mode and the bot's start-up never pay for it when no model is used.
 * Mean pooling with L2 normalisation, as the e5 models were trained.
 *
 * onnxruntime-node runs an inference synchronously on the calling thread, so the product calls
 * this inside its inference worker (worker-embedder.ts), never on the event loop.
 */
export async function loadFeatureExtractor(settings: ModelSettings): Promise<FeatureExtractor> {
  let extractor: Pipeline;
  try {
    const transformers = await import('@huggingface/transformers');
    const { env } = transformers;
    env.cacheDir = settings.cacheDir;
    let modelName = settings.model;
    if (settings.local) {
      // transformers.js resolves local models as `localModelPath + name`; point it at the parent.
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = `${path.dirname(settings.model)}/`;
      modelName = path.basename(settings.model);
    } else {
      env.allowRemoteModels = true;
    }
    const pipeline = transformers.pipeline as unknown as (task: 'feature-extraction', model: string, options: Record<string, unknown>) => Promise<Pipeline>;
    extractor = await pipeline('feature-extraction', modelName, {
      dtype: settings.dtype,
      local_files_only: settings.local,
      session_options: {
        intraOpNumThreads: settings.inference.threads,
        // One graph runs at a time: parallel branches would only add threads.
        interOpNumThreads: 1,
      },
    });
  } catch (cause) {
    throw new QuelleError(ErrorCode.ModelUnavailable, modelLoadAdvice(settings, cause), { cause });
  }
  // e5's 250k-piece tokenizer holds 140 MB of heap in transformers.js's own form (compact-tokenizer.ts).
  const vocabulary = compactUnigramVocabulary(extractor.tokenizer) ? 'compact' : 'library';
  return {
    vocabulary,
    async run(texts) {
      const output = await extractor(texts, { pooling: 'mean', normalize: true });
      const [rows, dimension] = output.dims as [number, number];
      const data = Float32Array.from(output.data as ArrayLike<number>);
      output.dispose?.();
      return Array.from({ length: rows }, (_, row) => data.slice(row * dimension, (row + 1) * dimension));
    },
    async dispose() {
      await extractor.dispose?.();
    },
  };
}

/**
 * The model on the calling thread, as an {@link Embedder}: each inference blocks the thread.
 * The benchmark's "bare model", tools and tests use it; the product embeds through its inference
 * worker ({@link import('./worker-embedder.ts')}).
 */
export async function loadTransformersEmbedder(settings: ModelSettings): Promise<Embedder> {
  const extractor = await loadFeatureExtractor(settings);
  const [probe] = await extractor.run([`${settings.queryPrefix}probe`]);
  return {
    modelId: modelIdOf(settings),
    dimension: probe!.length,
    async embedQuery(text, signal) {
      signal?.throwIfAborted();
      const [vector] = await extractor.run([`${settings.queryPrefix}${text}`]);
      return vector!;
    },
    async embedPassages(texts, options: EmbedPassagesOptions = {}) {
      const batchSize = options.batchSize ?? settings.inference.batchSize;
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        options.signal?.throwIfAborted();
        const batch = texts.slice(start, start + batchSize).map((text) => `${settings.passagePrefix}${text}`);
        vectors.push(...(await extractor.run(batch)));
        options.onProgress?.(vectors.length, texts.length);
      }
      return vectors;
    },
    dispose: () => extractor.dispose(),
  };
}

function modelLoadAdvice(settings: ModelSettings, cause: unknown): string {
  const reason = describeError(cause).split('\n')[0];
  if (settings.local) {
    return (
      `Cannot load the embedding model from ${settings.model} (${reason}). The directory needs config.json, ` +
      `tokenizer.json, tokenizer_config.json and onnx/model${settings.dtype === 'fp32' ? '' : settings.dtype === 'q8' ? '_quantized' : `_${settings.dtype}`}.onnx. ` +
      'Fix EMBEDDING_MODEL_DIR, or use lexical mode (QUELLE_MODE=lexical).'
    );
  }
  return (
    `Cannot load the embedding model ${settings.model} (${reason}). It is downloaded from the Hugging Face hub on ` +
    `first use into ${settings.cacheDir}; without network access, copy the model's files to a directory and set ` +
    'EMBEDDING_MODEL_DIR to it, or use lexical mode (QUELLE_MODE=lexical).'
  );
}

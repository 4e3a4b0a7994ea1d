/**
 * Writes a transformers.js model directory in one step: every file goes to a temporary sibling
 * directory, which then replaces the target by rename, so a reader never sees half a model and
 * an interrupted run leaves the previous one in place.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BertConfig } from './bert-onnx.ts';

export type ModelFile = readonly [relativePath: string, contents: string | Uint8Array];

/** Replaces `directory` with exactly `files`. */
export function writeModelDirectory(directory: string, files: Iterable<ModelFile>): void {
  const target = path.resolve(directory);
  mkdirSync(path.dirname(target), { recursive: true });
  const staging = `${target}.partial-${process.pid}`;
  const previous = `${target}.previous-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [relativePath, contents] of files) {
      const file = path.join(staging, relativePath);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, contents);
    }
    let hadPrevious = true;
    try {
      renameSync(target, previous);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      hadPrevious = false;
    }
    renameSync(staging, target);
    if (hadPrevious) rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A Hugging Face `config.json` for a BertModel of this configuration. */
export function bertConfigJson(config: BertConfig, extra: Record<string, unknown> = {}): string {
  const json = {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_act: 'gelu',
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    vocab_size: config.vocabSize,
    // The blob stores epsilon as float32 (1e-12 reads back as 9.99999996e-13): write the decimal.
    layer_norm_eps: Number(config.layerNormEps.toPrecision(7)),
    position_embedding_type: 'absolute',
    pad_token_id: 0,
    ...extra,
  };
  return JSON.stringify(json, null, 2) + '\n';
}

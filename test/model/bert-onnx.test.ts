/**
 * The BERT graph builder (tools/models/bert-onnx.ts) makes a correct BERT: a tiny model (2 layers,
 * hidden 32, a small Unigram vocabulary) with deterministic random weights, written as a model
 * directory and loaded through the product's own `loadTransformersEmbedder`, embeds texts as a
 * plain TypeScript forward pass of the same weights does. Needs no PyPI and no network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { loadTransformersEmbedder } from '../../src/embedding/transformers-embedder.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { buildBertOnnx, type BertConfig } from '../../tools/models/bert-onnx.ts';
import { bertConfigJson, writeModelDirectory } from '../../tools/models/model-directory.ts';
import { randomBertWeights } from '../../tools/models/random-bert-weights.ts';
import { unigramTokenizerFiles } from '../../tools/models/unigram-tokenizer.ts';
import { cosine } from '../../tools/models/fidelity.ts';
import { bertForward, meanPoolNormalize } from './bert-reference.ts';

const WORDS = ['die', 'der', 'und', 'haus', 'häuser', 'straße', 'stadt', 'berlin', 'ist', 'groß', 'klein', 'the', 'house', 'city', 'is'];
const CHARACTERS = [...'abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'];

/** Special tokens, the metaspace, single characters, and whole words (with and without ▁), better scored the longer. */
function tinyVocabulary(): Array<[string, number]> {
  const pieces: Array<[string, number]> = [['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['\u2581', -2]];
  for (const c of CHARACTERS) pieces.push([c, -8]);
  for (const w of WORDS) pieces.push([`\u2581${w}`, -3 - 0.01 * pieces.length], [w, -5 - 0.01 * pieces.length]);
  return pieces;
}

const PIECES = tinyVocabulary();
const CONFIG: BertConfig = {
  vocabSize: PIECES.length,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  intermediateSize: 64,
  maxPositionEmbeddings: 64,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};
const WEIGHTS = randomBertWeights(CONFIG, 1234);
// Different lengths, so that a batch is padded and the attention mask matters.
const TEXTS = ['Die Straße', 'Berlin ist eine große Stadt.', 'the house', 'Häuser und Straßen in der Stadt Berlin, 2024!', 'x'];

let directory: string;
let modelDir: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'quelle-bert-onnx-'));
  modelDir = path.join(directory, 'tiny-bert'); // no "e5" in the name: no query:/passage: prefixes
  writeModelDirectory(modelDir, [
    ['config.json', bertConfigJson(CONFIG)],
    ...unigramTokenizerFiles({
      pieces: PIECES,
      special: { bos: '<s>', pad: '<pad>', eos: '</s>', unk: '<unk>' },
      normalization: new Map([[0xa0, [0x20]]]), // no-break space → space
      modelMaxLength: CONFIG.maxPositionEmbeddings,
    }),
    ['onnx/model.onnx', buildBertOnnx(CONFIG, WEIGHTS, { precision: 'fp32' })],
    ['onnx/model_quantized.onnx', buildBertOnnx(CONFIG, WEIGHTS, { precision: 'q8' })],
  ]);
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function tokenIds(text: string): Promise<number[]> {
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tokenizer = await AutoTokenizer.from_pretrained(path.basename(modelDir), { local_files_only: true });
  return tokenizer.encode(text);
}

async function withEmbedder<T>(dtype: string, use: (embedder: Embedder) => Promise<T>): Promise<T> {
  const embedder = await loadTransformersEmbedder(resolveModelSettings({ modelDir, dtype }));
  try {
    return await use(embedder);
  } finally {
    await embedder.dispose();
  }
}

async function referenceEmbeddings(): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (const text of TEXTS) out.push(meanPoolNormalize(bertForward(CONFIG, WEIGHTS, await tokenIds(text))));
  return out;
}

describe('BERT graph builder on a tiny model', () => {
  const id = (piece: string): number => PIECES.findIndex(([p]) => p === piece);

  it('tokenizes with the Unigram tokenizer.json: <s>, ▁-prefixed pieces by best score, </s>', async () => {
    await withEmbedder('fp32', async () => {
      expect(await tokenIds('die straße')).toEqual([0, id('\u2581die'), id('\u2581straße'), 2]);
      // "▁x" is no piece: the metaspace and the character come apart; runs of spaces collapse.
      expect(await tokenIds('the  house x')).toEqual([0, id('\u2581the'), id('\u2581house'), id('\u2581'), id('x'), 2]);
    });
  });

  it('fp32: embeddings equal a plain TypeScript forward pass (max abs diff < 1e-5), batched and single', async () => {
    const reference = await referenceEmbeddings();
    await withEmbedder('fp32', async (embedder) => {
      expect(embedder.dimension).toBe(CONFIG.hiddenSize);
      const batched = await embedder.embedPassages(TEXTS);
      const single = await embedder.embedQuery(TEXTS[1]!);
      const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
        Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
      batched.forEach((vector, i) => expect(maxDiff(vector, reference[i]!), TEXTS[i]).toBeLessThan(1e-5));
      expect(maxDiff(single, reference[1]!)).toBeLessThan(1e-5);
      // The texts differ: a graph that ignored its input would not pass the checks above by chance.
      expect(cosine(reference[0]!, reference[1]!)).toBeLessThan(0.99);
    });
  });

  it('q8: embeddings stay close to the forward pass (cosine > 0.99)', async () => {
    const reference = await referenceEmbeddings();
    await withEmbedder('q8', async (embedder) => {
      const batched = await embedder.embedPassages(TEXTS);
      batched.forEach((vector, i) => expect(cosine(vector, reference[i]!), TEXTS[i]).toBeGreaterThan(0.99));
    });
  });
});

/**
 * The e5-shaped model generator (issue #12), on a tiny configuration (2 layers, hidden 32, a
 * vocabulary of 8,000 pieces): it writes a transformers.js model directory that loads through the
 * product's own paths (the inference worker and the in-process loader), with an XLM-R-style
 * Unigram tokenizer whose German pieces make realistic tokens, not single characters; and it
 * writes the same bytes every time. The real-size model (npm run model:e5-shaped) is never made
 * by the tests.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkArticle } from '../../src/articles/chunk-article.ts';
import { parseArticle } from '../../src/articles/parse-article.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { openEmbedder } from '../../src/embedding/open-embedder.ts';
import { loadFeatureExtractor, loadTransformersEmbedder } from '../../src/embedding/transformers-embedder.ts';
import { E5_SHAPED, E5_SMALL_CONFIG, isE5ShapedModel, writeE5ShapedModel, type E5ShapedOptions } from '../../tools/models/e5-shaped.ts';
import { SEED_FILE, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-e5-shaped-');
const TINY: E5ShapedOptions = {
  config: { ...E5_SMALL_CONFIG, vocabSize: 8_010, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64, maxPositionEmbeddings: 128 },
  pieces: 8_000,
  germanPieces: 6_000,
  seed: 7,
  precisions: ['q8', 'fp32'],
};

let modelDir: string;

function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const relative = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(relative);
      else files.set(relative, createHash('sha256').update(readFileSync(path.join(dir, relative))).digest('hex'));
    }
  };
  walk('');
  return files;
}

beforeAll(async () => {
  // "e5" in the name: the product adds the query:/passage: prefixes, as for the real model.
  modelDir = path.join(await tempDir(), 'tiny-e5-shaped');
  writeE5ShapedModel(modelDir, TINY);
}, 60_000);

describe('the e5-shaped model generator, tiny configuration', () => {
  it('writes the files of a transformers.js model: BERT config, XLM-R tokenizer, fp32 and q8 graphs, provenance', () => {
    expect([...filesOf(modelDir).keys()].sort()).toEqual(
      ['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'provenance.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    const config = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'bert', hidden_act: 'gelu', num_hidden_layers: 2, hidden_size: 32, vocab_size: 8_010, tokenizer_class: 'XLMRobertaTokenizer' });
    const tokenizer = JSON.parse(readFileSync(path.join(modelDir, 'tokenizer.json'), 'utf8')) as { model: { type: string; vocab: Array<[string, number]> } };
    expect(tokenizer.model.type).toBe('Unigram');
    const vocab = tokenizer.model.vocab;
    expect(vocab).toHaveLength(8_000);
    expect(vocab.slice(0, 4).map(([piece]) => piece)).toEqual(['<s>', '<pad>', '</s>', '<unk>']);
    expect(vocab.at(-1)![0]).toBe('<mask>');
    expect(new Set(vocab.map(([piece]) => piece)).size).toBe(8_000);
    // Scores fall with the id, as sentencepiece orders them.
    const scores = vocab.slice(4, -1).map(([, score]) => score);
    expect(scores.every((score, i) => i === 0 || score <= scores[i - 1]!)).toBe(true);
    expect(isE5ShapedModel(modelDir, TINY)).toBe(true);
    expect(isE5ShapedModel(modelDir, E5_SHAPED)).toBe(false);
  });

  it('writes the same bytes every time', async () => {
    const again = path.join(await tempDir(), 'tiny-e5-shaped');
    writeE5ShapedModel(again, TINY);
    expect(filesOf(again)).toEqual(filesOf(modelDir));
  });

  it('loads through the inference worker and in process, fp32 and q8, as the real model does', { timeout: 60_000 }, async () => {
    for (const dtype of ['q8', 'fp32']) {
      const settings = resolveModelSettings({ modelDir, dtype });
      expect(settings.passagePrefix).toBe('passage: ');
      const { embedder, unavailableReason } = await openEmbedder(settings);
      expect(unavailableReason).toBeNull();
      const inProcess = await loadTransformersEmbedder(settings);
      try {
        expect(embedder!.dimension).toBe(32);
        const texts = ['Die Koalition der Willigen traf sich in Paris.', 'Putin lehnt Friedenstruppen ab.'];
        const [a, b] = await embedder!.embedPassages(texts);
        expect(Math.hypot(...a!)).toBeCloseTo(1, 5);
        expect(Array.from(a!)).not.toEqual(Array.from(b!));
        // The same batch gives the same vectors (q8 quantizes activations per batch, so compare batches).
        const [c, d] = await inProcess.embedPassages(texts);
        expect([Array.from(a!), Array.from(b!)]).toEqual([Array.from(c!), Array.from(d!)]);
      } finally {
        await embedder!.dispose();
        await inProcess.dispose();
      }
    }
  });

  it('keeps its Unigram vocabulary in the compact form, as the product loads it', { timeout: 60_000 }, async () => {
    const extractor = await loadFeatureExtractor(resolveModelSettings({ modelDir, dtype: 'q8' }));
    try {
      expect(extractor.vocabulary).toBe('compact');
    } finally {
      await extractor.dispose();
    }
  });

  it('tokenizes German news into word pieces, not characters', async () => {
    const { AutoTokenizer, env } = await import('@huggingface/transformers');
    env.allowLocalModels = true;
    env.localModelPath = `${path.dirname(modelDir)}/`;
    const tokenizer = await AutoTokenizer.from_pretrained(path.basename(modelDir), { local_files_only: true });
    const article = parseArticle('000_844079290e2bd696.txt', readFileSync(SEED_FILE, 'utf8'));
    const text = chunkArticle(article).map((passage) => passage.text).join(' ');
    const pieces = tokenizer.tokenize(text);
    const words = text.split(/\s+/);
    expect(pieces).not.toContain('<unk>');
    // The real XLM-R tokenizer makes 1.7 tokens a word of German news; single characters would make 6.
    expect(pieces.length / words.length).toBeLessThan(2.2);
    expect(tokenizer.tokenize('Bereits im Vorfeld hatten sich westliche Staaten getroffen')).toEqual(
      expect.arrayContaining(['▁Bereits', '▁hatten', '▁sich', '▁westliche', '▁Staaten']),
    );
  });
});

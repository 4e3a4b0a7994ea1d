/**
 * The compact vocabulary of a Unigram tokenizer (src/embedding/compact-tokenizer.ts): the tokens
 * must be exactly those of transformers.js's own trie, or every vector would change.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkArticle } from '../../src/articles/chunk-article.ts';
import { parseArticle } from '../../src/articles/parse-article.ts';
import { compactUnigramVocabulary, SortedVocabulary } from '../../src/embedding/compact-tokenizer.ts';
import { E5_SMALL_CONFIG, e5ShapedModelFiles } from '../../tools/models/e5-shaped.ts';
import { writeModelDirectory } from '../../tools/models/model-directory.ts';
import { SEED_FILE, useTempDirs } from '../helpers/index-fixtures.ts';
import { uniform } from '../helpers/prng.ts';

const tempDir = useTempDirs('quelle-compact-tokenizer-');
const TINY_MODEL_DIR = path.join(import.meta.dirname, '../fixtures/tiny-model');

type Tokenizer = ((text: string) => { input_ids: { data: ArrayLike<bigint> } }) & { tokenize(text: string): string[] };

async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowLocalModels = true;
  env.localModelPath = `${path.dirname(dir)}/`;
  return (await AutoTokenizer.from_pretrained(path.basename(dir), { local_files_only: true })) as unknown as Tokenizer;
}

const idsOf = (tokenizer: Tokenizer, text: string): number[] => Array.from(tokenizer(text).input_ids.data, Number);

/** Every piece that `text` starts with at `start`, shortest first: what a trie of `pieces` finds. */
function prefixesByScan(pieces: readonly string[], chars: string[], start: number): string[] {
  const rest = chars.slice(start).join('');
  return [...new Set(pieces)].filter((piece) => piece !== '' && rest.startsWith(piece)).sort((a, b) => [...a].length - [...b].length);
}

describe('SortedVocabulary', () => {
  it('finds the pieces a text starts with, shortest first, as a character trie does', () => {
    const pieces = ['a', 'ab', 'abc', 'abd', 'b', 'ba', 'bab', 'c', 'ä', 'äb', '👍', '👍🏽', 'x👍', '', 'ab'];
    const vocabulary = new SortedVocabulary(pieces);
    const random = uniform(12);
    const alphabet = ['a', 'b', 'c', 'd', 'ä', '👍', '🏽', 'x'];
    for (let round = 0; round < 2000; round++) {
      const chars = Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]!);
      for (let start = 0; start <= chars.length; start++) {
        expect(vocabulary.common_prefix_search(chars, start), `${chars.join('')} at ${start}`).toEqual(prefixesByScan(pieces, chars, start));
      }
    }
  });
});

describe('compactUnigramVocabulary', () => {
  let modelDir: string;

  beforeAll(async () => {
    // The e5-shaped generator's XLM-R-style tokenizer (no graphs: only the tokenizer is read here).
    modelDir = path.join(await tempDir(), 'unigram');
    const options = { config: { ...E5_SMALL_CONFIG, vocabSize: 20_010 }, pieces: 20_000, germanPieces: 15_000, seed: 3, precisions: [] };
    writeModelDirectory(modelDir, e5ShapedModelFiles(options));
  }, 60_000);

  it('keeps every token of German news, English, rare characters and edge cases', async () => {
    const library = await loadTokenizer(modelDir);
    const compact = await loadTokenizer(modelDir);
    expect(compactUnigramVocabulary(compact)).toBe(true);
    const article = parseArticle('000_844079290e2bd696.txt', readFileSync(SEED_FILE, 'utf8'));
    const texts = [
      ...chunkArticle(article).map((passage) => `passage: ${passage.text}`),
      `query: ${article.title}`,
      'query: putin nato truppen?',
      'What did the coalition of the willing decide in Paris on Thursday?',
      'Donaudampfschifffahrtsgesellschaftskapitänsmütze, Straße, ÄÖÜäöüß, façade, naïve',
      'Emoji 👍🏽 and 👨‍👩‍👧, CJK 北京, Cyrillic Москва, Arabic القاهرة, math 𝔘𝔫𝔦',
      'https://example.org/path?x=1&y=2 <@123456789> @everyone 1.234,56 € 10.000 1970er',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      '',
      '   ',
      '\u00a0non-breaking\u00a0spaces and ﬁ ligatures',
    ];
    for (const text of texts) {
      expect(compact.tokenize(text), text).toEqual(library.tokenize(text));
      expect(idsOf(compact, text), text).toEqual(idsOf(library, text));
    }
    // No piece came out unknown for German text: the compact vocabulary did find pieces.
    expect(compact.tokenize(texts[0]!)).not.toContain('<unk>');
  });

  it('leaves a WordPiece tokenizer as it is', async () => {
    const wordPiece = await loadTokenizer(TINY_MODEL_DIR);
    const before = idsOf(wordPiece, 'Die Koalition der Willigen');
    expect(compactUnigramVocabulary(wordPiece)).toBe(false);
    expect(idsOf(wordPiece, 'Die Koalition der Willigen')).toEqual(before);
  });
});

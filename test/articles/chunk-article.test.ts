import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.ts';
import { chunkArticle, DEFAULT_MAX_PASSAGE_TOKENS, estimateTokens, splitLongText } from '../../src/articles/chunk-article.ts';
import { parseArticle } from '../../src/articles/parse-article.ts';

const SEED_FILE = '000_844079290e2bd696.txt';
const SEED_PATH = fileURLToPath(new URL(`../../seeds/${SEED_FILE}`, import.meta.url));

function article(paragraphs: string[], overrides: Partial<Article> = {}): Article {
  return {
    id: 'artikel',
    file: 'artikel.txt',
    title: 'Ein Titel',
    date: '2025-09-05',
    category: 'Politik',
    url: 'https://example.org/artikel',
    paragraphs,
    contentHash: 'x',
    ...overrides,
  };
}

/** Text without any whitespace, to compare texts "modulo whitespace". */
const squeeze = (text: string): string => text.replace(/\s+/g, '');

/** `count` distinct sentences of about 70 characters each. */
function sentences(count: number): string {
  return Array.from({ length: count }, (_, i) => `Satz Nummer ${i + 1} berichtet ausführlich über die Lage in der Region.`).join(' ');
}

describe('estimateTokens', () => {
  it('counts one token per four characters', () => {
    expect(estimateTokens('x'.repeat(400))).toBe(100);
    expect(estimateTokens('x'.repeat(401))).toBe(101);
  });

  it('counts at least one token per word', () => {
    expect(estimateTokens('a b c d e')).toBe(5);
  });

  it('is 0 for empty text', () => {
    expect(estimateTokens('')).toBe(0);
  });
});

describe('chunkArticle', () => {
  it('makes one passage per paragraph of the seed, numbered from 1 with ids article#n', async () => {
    const seed = parseArticle(SEED_FILE, await readFile(SEED_PATH, 'utf8'));
    const passages = chunkArticle(seed);
    expect(passages.map((passage) => passage.id)).toEqual([1, 2, 3, 4].map((n) => `000_844079290e2bd696#${n}`));
    expect(passages.map((passage) => passage.paragraph)).toEqual([1, 2, 3, 4]);
    expect(passages.map((passage) => passage.text)).toEqual(seed.paragraphs);
    expect(passages[1]!.text).toContain('Koalition der Willigen');
    for (const passage of passages) {
      expect(passage).toMatchObject({ articleId: seed.id, part: 1, parts: 1, title: seed.title, date: '2025-09-05', category: 'Politik', url: null });
    }
  });

  it('carries title, date, category and url of the article into every passage', () => {
    const passages = chunkArticle(article(['Eins.', 'Zwei.'], { title: 'Anderer Titel', date: null, category: 'Sport', url: null }));
    expect(passages).toHaveLength(2);
    for (const passage of passages) {
      expect(passage).toMatchObject({ articleId: 'artikel', title: 'Anderer Titel', date: null, category: 'Sport', url: null });
    }
  });

  it('splits a long paragraph at sentence boundaries into numbered parts of the same paragraph', () => {
    const long = sentences(120);
    expect(estimateTokens(long)).toBeGreaterThan(DEFAULT_MAX_PASSAGE_TOKENS);
    const passages = chunkArticle(article(['Kurzer erster Absatz.', long, 'Kurzer letzter Absatz.']));

    expect(passages[0]).toMatchObject({ id: 'artikel#1', paragraph: 1, part: 1, parts: 1 });
    expect(passages.at(-1)).toMatchObject({ id: 'artikel#3', paragraph: 3, part: 1, parts: 1, text: 'Kurzer letzter Absatz.' });

    const parts = passages.filter((passage) => passage.paragraph === 2);
    expect(parts.length).toBeGreaterThan(1);
    expect(passages).toHaveLength(parts.length + 2);
    parts.forEach((passage, index) => {
      expect(passage.id).toBe(`artikel#2.${index + 1}`);
      expect(passage.part).toBe(index + 1);
      expect(passage.parts).toBe(parts.length);
      expect(estimateTokens(passage.text)).toBeLessThanOrEqual(DEFAULT_MAX_PASSAGE_TOKENS);
      // Whole sentences only: every part starts a sentence and ends one.
      expect(passage.text).toMatch(/^(Satz Nummer \d+ [^.]+\. ?)+$/);
    });
    expect(parts.map((passage) => passage.text).join(' ')).toBe(long);
  });

  it('fills parts up to the limit rather than making one part per sentence', () => {
    const parts = splitLongText(sentences(120), DEFAULT_MAX_PASSAGE_TOKENS);
    // 120 sentences of ~18 tokens need at least 6 parts of 400; each full part has 20 or more.
    expect(parts.length).toBeLessThanOrEqual(8);
    for (const part of parts.slice(0, -1)) expect(estimateTokens(part)).toBeGreaterThan(DEFAULT_MAX_PASSAGE_TOKENS - 40);
  });

  it('honours a smaller maxTokens', () => {
    const passages = chunkArticle(article([sentences(10)]), 50);
    expect(passages.length).toBeGreaterThan(1);
    for (const passage of passages) expect(estimateTokens(passage.text)).toBeLessThanOrEqual(50);
  });

  it('gives passages with different text different hashes, and identical input the same hash', () => {
    const [first, second] = chunkArticle(article(['Der erste Absatz.', 'Der zweite Absatz.']));
    expect(first!.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(first!.hash).not.toBe(second!.hash);
    expect(chunkArticle(article(['Der erste Absatz.']))[0]!.hash).toBe(first!.hash);
  });

  it('gives the same text under a different title a different hash (the title is embedded too)', () => {
    const a = chunkArticle(article(['Derselbe Absatz.'], { title: 'Titel A' }))[0]!;
    const b = chunkArticle(article(['Derselbe Absatz.'], { title: 'Titel B' }))[0]!;
    expect(a.hash).not.toBe(b.hash);
  });
});

describe('splitLongText', () => {
  it('returns text within the limit unchanged as a single part, line breaks included', () => {
    const text = 'Ein kurzer Absatz. Mit zwei Sätzen.';
    expect(splitLongText(text, DEFAULT_MAX_PASSAGE_TOKENS)).toEqual([text]);
    const list = '- Erstens: Brot.\n- Zweitens: Butter.';
    expect(splitLongText(list, DEFAULT_MAX_PASSAGE_TOKENS)).toEqual([list]);
  });

  it('cuts a 100,000-character line without spaces into pieces within the limit, quickly and losslessly', () => {
    const line = 'abcdefghij'.repeat(10_000);
    const started = performance.now();
    const parts = splitLongText(line, DEFAULT_MAX_PASSAGE_TOKENS);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(estimateTokens(line) / DEFAULT_MAX_PASSAGE_TOKENS));
    for (const part of parts) expect(estimateTokens(part)).toBeLessThanOrEqual(DEFAULT_MAX_PASSAGE_TOKENS);
    expect(parts.join('')).toBe(line);
  });

  it('cuts a 100,000-character line of words without a full stop at word boundaries, within the limit', () => {
    const line = Array.from({ length: 11_112 }, (_, i) => `wort${String(i % 10_000).padStart(4, '0')}`).join(' ');
    expect(line.length).toBeGreaterThanOrEqual(100_000);
    const started = performance.now();
    const parts = splitLongText(line, DEFAULT_MAX_PASSAGE_TOKENS);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(estimateTokens(part)).toBeLessThanOrEqual(DEFAULT_MAX_PASSAGE_TOKENS);
      // No word cut in two: every piece consists of whole `wortNNNN` words.
      expect(part).toMatch(/^wort\d{4}( wort\d{4})*$/);
    }
    expect(parts.join(' ')).toBe(line);
  });

  it('limits pieces of many one-letter words by word count', () => {
    const line = 'a '.repeat(50_000).trim();
    const parts = splitLongText(line, DEFAULT_MAX_PASSAGE_TOKENS);
    for (const part of parts) expect(estimateTokens(part)).toBeLessThanOrEqual(DEFAULT_MAX_PASSAGE_TOKENS);
    expect(squeeze(parts.join(' '))).toBe(squeeze(line));
  });

  it('loses and repeats no text when short words are separated by runs of whitespace', () => {
    // One-letter words: more words than tokens fit in a piece, so pieces are cut by word count.
    const line = Array.from({ length: 600 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(' \t');
    const parts = splitLongText(line, 50);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(estimateTokens(part)).toBeLessThanOrEqual(50);
    expect(parts.join(' ').split(/\s+/)).toEqual(line.split(/\s+/));
  });

  it('keeps sentences around an oversized run-on word in order and whole', () => {
    const text = `Erster Satz. ${'x'.repeat(5000)} Letzter Satz.`;
    const parts = splitLongText(text, DEFAULT_MAX_PASSAGE_TOKENS);
    for (const part of parts) expect(estimateTokens(part)).toBeLessThanOrEqual(DEFAULT_MAX_PASSAGE_TOKENS);
    expect(parts[0]).toMatch(/^Erster Satz\./);
    expect(parts.at(-1)).toMatch(/Letzter Satz\.$/);
    expect(squeeze(parts.join(''))).toBe(squeeze(text));
  });

  it('keeps all text of a long real-world paragraph (the seed repeated)', async () => {
    const seed = parseArticle(SEED_FILE, await readFile(SEED_PATH, 'utf8'));
    const long = seed.paragraphs.join(' ').repeat(3);
    const parts = splitLongText(long, DEFAULT_MAX_PASSAGE_TOKENS);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(estimateTokens(part)).toBeLessThanOrEqual(DEFAULT_MAX_PASSAGE_TOKENS);
    expect(squeeze(parts.join(' '))).toBe(squeeze(long));
  });
});

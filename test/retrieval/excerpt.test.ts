import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/articles/parse-article.ts';
import { Analyzer } from '../../src/index/analyzer.ts';
import { bestSentenceIndex, DEFAULT_EXCERPT_CHARS, formatExcerpt, makeExcerpt, type Excerpt } from '../../src/retrieval/excerpt.ts';
import { KOALITION_QUESTION, SEED_FILE } from '../helpers/index-fixtures.ts';

const TEXT =
  'Der Wetterdienst meldet Regen. Die Koalition der Willigen traf sich in Paris. Danach gab es Kaffee. Am Abend reisten alle ab. Am Montag folgt das nächste Treffen.';
const MATCH = 'Die Koalition der Willigen traf sich in Paris.';
const analyzer = Analyzer.load();
const plain = (excerpt: Excerpt): string => formatExcerpt(excerpt, '', '');

describe('bestSentenceIndex', () => {
  it('picks the sentence sharing the most specific terms with the question, the first on ties', () => {
    const sentences = ['Der Wetterdienst meldet Regen.', MATCH, 'Die Koalition tagt.'];
    expect(bestSentenceIndex(sentences, KOALITION_QUESTION, analyzer)).toBe(1);
    // Inflected forms match through stemming.
    expect(bestSentenceIndex(['Es regnet.', 'Über Sicherheitsgarantien wurde gesprochen.'], 'Welche Sicherheitsgarantie?', analyzer)).toBe(1);
    expect(bestSentenceIndex(['Erstens Paris.', 'Zweitens Paris.'], 'Paris', analyzer)).toBe(0);
    expect(bestSentenceIndex(['Nichts.', 'Gar nichts.'], 'Koalition', analyzer)).toBe(0);
  });
});

describe('makeExcerpt', () => {
  it('makes the best-matching sentence the match, even in the middle of the passage', () => {
    expect(makeExcerpt(TEXT, KOALITION_QUESTION, analyzer).match).toBe(MATCH);
  });

  it('finds the Koalition sentence of the seed article’s paragraph 2', async () => {
    const article = parseArticle('000_844079290e2bd696.txt', await readFile(SEED_FILE, 'utf8'));
    const excerpt = makeExcerpt(article.paragraphs[1]!, KOALITION_QUESTION, analyzer);
    expect(excerpt.match).toMatch(/^Bereits im Vorfeld .*"Koalition der Willigen" in Paris .*auseinandergesetzt\.$/);
    expect(excerpt.before).toBe('');
    // The whole paragraph fits in the default budget: nothing cut, no ellipsis.
    expect(plain(excerpt)).toBe(article.paragraphs[1]);
    expect(plain(excerpt)).not.toContain('…');
  });

  it('keeps the whole text, without ellipses, when it fits', () => {
    const excerpt = makeExcerpt(TEXT, KOALITION_QUESTION, analyzer, TEXT.length);
    expect(plain(excerpt)).toBe(TEXT);
    expect(excerpt).toEqual({ before: 'Der Wetterdienst meldet Regen. ', match: MATCH, after: ' Danach gab es Kaffee. Am Abend reisten alle ab. Am Montag folgt das nächste Treffen.' });
  });

  it('marks cut sentences before and after with an ellipsis, adding whole neighbours while they fit', () => {
    expect(makeExcerpt(TEXT, KOALITION_QUESTION, analyzer, 60)).toEqual({ before: '… ', match: MATCH, after: ' …' });
    expect(makeExcerpt(TEXT, KOALITION_QUESTION, analyzer, 90)).toEqual({ before: '… ', match: MATCH, after: ' Danach gab es Kaffee. …' });
    expect(makeExcerpt(TEXT, KOALITION_QUESTION, analyzer, 120)).toEqual({
      before: 'Der Wetterdienst meldet Regen. ',
      match: MATCH,
      after: ' Danach gab es Kaffee. …',
    });
  });

  it('stays within the character limit for every limit, also when the match itself must be cut', () => {
    const longSentence = `Die Koalition der Willigen traf sich in Paris ${'und beriet lange über viele Dinge '.repeat(12)}am Ende.`;
    const texts = [TEXT, `Erster Satz ohne Bezug. ${longSentence} Letzter Satz ohne Bezug.`, longSentence, `${longSentence} Danach Schluss.`];
    for (const text of texts) {
      for (let limit = 20; limit <= text.length + 10; limit += 3) {
        const excerpt = makeExcerpt(text, KOALITION_QUESTION, analyzer, limit);
        const shown = plain(excerpt);
        expect(shown.length, `limit ${limit}: ${shown}`).toBeLessThanOrEqual(limit);
        expect(excerpt.match).toMatch(/^Die Koalition/);
        if (limit >= text.length) expect(shown, `limit ${limit}`).toBe(text);
        else expect(shown, `limit ${limit}`).toContain('…');
      }
    }
  });

  it('cuts an overlong match at a word boundary and marks it', () => {
    const longSentence = `Die Koalition der Willigen traf sich in Paris ${'und beriet lange über viele Dinge '.repeat(12)}am Ende.`;
    const excerpt = makeExcerpt(longSentence, KOALITION_QUESTION, analyzer, 100);
    expect(excerpt.match.length).toBeLessThanOrEqual(100);
    expect(excerpt.match.endsWith('…')).toBe(true);
    expect(longSentence.startsWith(excerpt.match.slice(0, -1))).toBe(true);
    expect(longSentence[excerpt.match.length - 1]).toBe(' ');
  });

  it('uses a default limit of 700 characters', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Satz ${i} über ein anderes Thema.`).join(' ') + ` ${MATCH}`;
    expect(text.length).toBeGreaterThan(DEFAULT_EXCERPT_CHARS);
    const excerpt = makeExcerpt(text, KOALITION_QUESTION, analyzer);
    expect(excerpt.match).toBe(MATCH);
    expect(plain(excerpt).length).toBeLessThanOrEqual(DEFAULT_EXCERPT_CHARS);
    expect(excerpt.before.startsWith('… ')).toBe(true);
    expect(excerpt.after).toBe('');
  });
});

describe('formatExcerpt', () => {
  it('wraps the match in the given marks', () => {
    const excerpt = { before: '… Vorher. ', match: 'Treffer.', after: ' Nachher. …' };
    expect(formatExcerpt(excerpt)).toBe('… Vorher. **Treffer.** Nachher. …');
    expect(formatExcerpt(excerpt, '<b>', '</b>')).toBe('… Vorher. <b>Treffer.</b> Nachher. …');
  });
});

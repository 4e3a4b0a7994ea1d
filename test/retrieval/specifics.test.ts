/**
 * A question's specifics (its numbers) and the articles that hold them: the check that tells a
 * near miss (another year, another model of the same name) from an answer.
 */
import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/articles/article.ts';
import { Analyzer } from '../../src/index/analyzer.ts';
import { LexicalIndex } from '../../src/index/lexical-index.ts';
import { SpecificsCheck } from '../../src/retrieval/specifics.ts';

// Written for this test; not from any eval set.
const ARTICLES = [
  { id: 'em', title: 'Portugal gewinnt die Europameisterschaft', date: '2016-07-11', paragraphs: ['Im Finale von Saint-Denis schlug Portugal den Gastgeber Frankreich.', 'Drei Spieler sahen im Finale Gelb.'] },
  { id: 'wm', title: 'Frankreich ist Weltmeister', date: null, paragraphs: ['Bei der Weltmeisterschaft 2018 in Russland gewann Frankreich das Finale gegen Kroatien.'] },
  { id: 'phone', title: 'Das neue Telefon', date: null, paragraphs: ['Das iPhone 15 kommt im Herbst.', 'Der Preis beginnt bei 949 Euro.'] },
];

const passages: Passage[] = ARTICLES.flatMap((article) =>
  article.paragraphs.map((text, i) => ({
    id: `${article.id}#${i + 1}`,
    articleId: article.id,
    title: article.title,
    date: article.date,
    category: null,
    url: null,
    paragraph: i + 1,
    part: 1,
    parts: 1,
    text,
    hash: `${article.id}${i}`,
  })),
);
const lexical = LexicalIndex.build(passages, Analyzer.load());
const check = (question: string): SpecificsCheck => new SpecificsCheck(lexical.queryTerms(question), lexical, passages);
const passage = (id: string): Passage => passages.find((candidate) => candidate.id === id)!;

describe('SpecificsCheck', () => {
  it('a question without a number has no specifics: nothing is missing anywhere', () => {
    const words = check('wer hat das finale gewonnen');
    expect(words.specifics).toEqual([]);
    for (const candidate of passages) expect(words.missingIn(candidate)).toEqual([]);
  });

  it('names the year a question asks about that the passage\'s article does not hold', () => {
    const otherYear = check('wer hat die em 2024 gewonnen');
    expect(otherYear.specifics.map((specific) => specific.token)).toEqual(['2024']);
    expect(otherYear.missingIn(passage('em#1'))).toEqual(['2024']);
    expect(otherYear.missingIn(passage('wm#1'))).toEqual(['2024']);
  });

  it('finds the year in the article\'s date line, or in another paragraph of the article, not only in the passage', () => {
    // "em" says 2016 only in its date line; "wm" says 2018 in its text.
    expect(check('wer hat die em 2016 gewonnen').missingIn(passage('em#2'))).toEqual([]);
    expect(check('wm 2018 finale').missingIn(passage('wm#1'))).toEqual([]);
    expect(check('wm 2018 finale').missingIn(passage('em#1'))).toEqual(['2018']);
    expect(check('was kostet das iphone 15').missingIn(passage('phone#2'))).toEqual([]);
  });

  it('reads a model number as a specific: another number of the same name is missing', () => {
    const other = check('wann kommt das iphone 16');
    expect(other.missingIn(passage('phone#1'))).toEqual(['16']);
  });

  it('a number up to twelve is also held by its word, German or English', () => {
    expect(check('wie viele spieler sahen 3 mal gelb').missingIn(passage('em#1'))).toEqual([]);
    expect(check('wie viele spieler sahen 4 mal gelb').missingIn(passage('em#1'))).toEqual(['4']);
  });

  it('lists every missing specific, as the question wrote it', () => {
    expect(check('iphone 16 für 1099 euro').missingIn(passage('phone#1'))).toEqual(['16', '1099']);
  });
});

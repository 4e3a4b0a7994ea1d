/**
 * Grouping declined questions by similar wording: the default tokenizer, the Jaccard measure, the
 * prefix filter against a brute-force search, and star clustering (no chaining, independent of
 * the input's order, a tokenizer passed in).
 */
import { describe, expect, it } from 'vitest';
import { createSimpleTerms, groupSimilarQuestions, jaccard, similarPairs, type QuestionToGroup } from '../../src/community/similar-questions.ts';
import { mulberry32 } from '../helpers/prng.ts';

const asked = (question: string, createdAt = 0): QuestionToGroup => ({ question, createdAt });

describe('createSimpleTerms', () => {
  const simpleTerms = createSimpleTerms();

  it('folds case, accents, umlauts and their typed spellings alike, drops function and question words, and stems', () => {
    expect(simpleTerms('Wie wird das Wetter morgen in Wien?')).toEqual(['wett', 'morg', 'wien']);
    expect(simpleTerms('Müssen Prostituierte zur Gesundheitsberatung?')).toEqual(['muss', 'prostituiert', 'gesundheitsberat']);
    expect(simpleTerms('muessen prostituierte zur gesundheitsberatung')).toEqual(simpleTerms('Müssen Prostituierte zur Gesundheitsberatung?'));
    expect(simpleTerms('Gaspreisen')).toEqual(simpleTerms('gaspreise'));
    expect(simpleTerms('What is the weather in Zürich?')).toEqual(['weath', 'zurich']);
    expect(simpleTerms('?!')).toEqual([]);
  });
});

describe('jaccard', () => {
  it('is the shared terms over all terms', () => {
    expect(jaccard(['a', 'b', 'c'], ['b', 'c', 'd'])).toBe(0.5);
    expect(jaccard(['a'], ['a'])).toBe(1);
    expect(jaccard(['a'], ['b'])).toBe(0);
    expect(jaccard([], [])).toBe(0);
  });
});

describe('similarPairs', () => {
  it('finds exactly the pairs a brute-force comparison finds, for several thresholds', () => {
    const random = mulberry32(14);
    const vocabulary = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const sets = Array.from({ length: 300 }, () => {
      const size = 1 + (random() % 6);
      return [...new Set(Array.from({ length: size }, () => vocabulary[random() % vocabulary.length]!))];
    });
    for (const threshold of [0.3, 0.5, 0.75, 1]) {
      const expected: string[] = [];
      for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++) if (jaccard(sets[i]!, sets[j]!) >= threshold) expected.push(`${i}-${j}`);
      const found = similarPairs(sets, threshold).map(([i, j]) => `${i}-${j}`);
      expect(found.sort(), `threshold ${threshold}`).toEqual(expected.sort());
      expect(expected.length, `threshold ${threshold}: the set has pairs to find`).toBeGreaterThan(0);
    }
  });
});

describe('groupSimilarQuestions', () => {
  const declined = [
    asked('Wie wird das Wetter morgen in Wien?', 1),
    asked('wetter wien morgen', 5),
    asked('Wetter morgen in Wien', 3),
    asked('wetter wien morgen', 6),
    asked('Wer gewinnt die Wahl in Wien?', 2),
    asked('wahl wien ergebnis', 4),
    asked('Wann spielt Rapid gegen Austria?', 7),
  ];

  it('groups the same topic in different words, counts repeats, labels a group with its centre and lists its wordings, latest first', () => {
    const groups = groupSimilarQuestions(declined);
    expect(groups.map((g) => [g.count, g.label])).toEqual([
      [4, 'wetter wien morgen'],
      [2, 'wahl wien ergebnis'],
      [1, 'Wann spielt Rapid gegen Austria?'],
    ]);
    expect(groups[0]!.examples).toEqual(['wetter wien morgen', 'Wetter morgen in Wien', 'Wie wird das Wetter morgen in Wien?']);
    expect(groups[0]!.lastAskedAt).toBe(6);
    expect(groups[0]!.terms).toEqual(['morg', 'wett', 'wien']);
  });

  it('does not depend on the order of the input', () => {
    const expected = groupSimilarQuestions(declined);
    const random = mulberry32(3);
    for (let round = 0; round < 10; round++) {
      const shuffled = [...declined].sort(() => (random() % 2 === 0 ? -1 : 1));
      expect(groupSimilarQuestions(shuffled)).toEqual(expected);
    }
  });

  it('does not chain: every member is similar to its centre, so the ends of a chain of neighbours stay apart', () => {
    // Each is similar to the next (Jaccard 2/4), the first and the last share nothing: single link would make one group of four.
    const chain = [asked('apfel birne kirsche', 1), asked('birne kirsche dattel', 2), asked('kirsche dattel feige', 3), asked('dattel feige mango', 4)];
    const groups = groupSimilarQuestions(chain);
    expect(groups.map((g) => g.count)).toEqual([3, 1]);
    expect(groups[0]!.label).toBe('kirsche dattel feige');
    for (const group of groups) expect(group.examples.includes('apfel birne kirsche') && group.examples.includes('dattel feige mango')).toBe(false);
  });

  it('uses the tokenizer it is given, and a stricter threshold splits groups', () => {
    const everyWord = (text: string): string[] => text.toLowerCase().match(/\p{L}+/gu) ?? [];
    const questions = [asked('das Wetter in der Stadt Wien', 1), asked('Wetter Wien', 2)];
    // Without function words they share 2 of 3 terms; with every word, 2 of 6.
    expect(groupSimilarQuestions(questions).map((g) => g.count)).toEqual([2]);
    expect(groupSimilarQuestions(questions, { tokenize: everyWord }).map((g) => g.count)).toEqual([1, 1]);
    // Only identical term sets meet at 1: the four wordings of the weather question do, the two of the election do not.
    expect(groupSimilarQuestions(declined, { threshold: 1 }).map((g) => g.count)).toEqual([4, 1, 1, 1]);
    expect(() => groupSimilarQuestions(declined, { threshold: 0 })).toThrow(RangeError);
  });

  it('questions without terms group by their text', () => {
    const groups = groupSimilarQuestions([asked('Wer?', 1), asked('wer?', 2), asked('Was?', 3)]);
    expect(groups.map((g) => g.count)).toEqual([2, 1]);
  });

  it('groups 5,000 questions', () => {
    const random = mulberry32(5);
    const topics = ['wetter wien', 'wahl graz', 'bahn streik', 'schule reform', 'miete berlin', 'klima gipfel', 'fussball tor', 'museum eintritt'];
    const fillers = ['heute', 'morgen', 'jetzt', 'ergebnis', 'news', 'info', 'bitte', 'aktuell', 'neu', 'lage'];
    const questions = Array.from({ length: 5000 }, (_, i) => asked(`${topics[random() % topics.length]} ${fillers[random() % fillers.length]}`, i));
    const groups = groupSimilarQuestions(questions);
    expect(groups.reduce((sum, g) => sum + g.count, 0)).toBe(5000);
    // Each topic is one group: its fillers differ, its two topic words do not (Jaccard 2/4).
    expect(groups.length).toBe(topics.length);
  });
});

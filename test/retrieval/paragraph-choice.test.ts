/**
 * The paragraph that answers: within an article, the paragraph whose best sentence holds the
 * question's terms together gains on one (such as the lead) that spreads them over its sentences.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/index/analyzer.ts';
import { bestSentence, SENTENCE_GAIN, withParagraphChoice } from '../../src/retrieval/paragraph-choice.ts';

const analyzer = Analyzer.load();
const termsOf = (words: Record<string, number>) => Object.entries(words).map(([word, information]) => ({ term: analyzer.term(word)!, information }));

describe('bestSentence', () => {
  const terms = termsOf({ Brücke: 2, Steyr: 1, gesperrt: 1 });

  it('finds the sentence that holds the most of the question\'s information, with its share; the answer may be in the next one', () => {
    const text = 'Steyr wurde überflutet. Die Brücke in Steyr bleibt gesperrt. Sie öffnet im Mai. Die Feuerwehr half.';
    expect(bestSentence(text, terms, analyzer)).toEqual({ span: 'Die Brücke in Steyr bleibt gesperrt. Sie öffnet im Mai.', share: 1 });
  });

  it('counts each term once and weighs it by its information, so a rarer term outweighs a common one', () => {
    const best = bestSentence('Steyr, Steyr und Steyr. Eine Brücke fehlt.', terms, analyzer);
    expect(best.span).toBe('Eine Brücke fehlt.');
    expect(best.share).toBeCloseTo(2 / 4, 12);
  });

  it('gives the whole text with share 0 when no sentence holds a term, or the question has none', () => {
    expect(bestSentence('Nichts davon. Gar nichts.', terms, analyzer)).toEqual({ span: 'Nichts davon. Gar nichts.', share: 0 });
    expect(bestSentence('Die Brücke.', [], analyzer)).toEqual({ span: 'Die Brücke.', share: 0 });
  });
});

describe('withParagraphChoice', () => {
  const articles: Record<number, string> = { 0: 'a', 1: 'b', 2: 'a', 3: 'c', 4: 'a' };
  const shares: Record<number, number> = { 0: 0.5, 1: 1, 2: 1, 3: 1, 4: 1 };
  const choose = (candidates: readonly { label: number; score: number }[]) =>
    withParagraphChoice(candidates, (label) => articles[label]!, (label) => shares[label]!);

  it('lets a paragraph whose best sentence holds more overtake one of its article close above it, in that article\'s places', () => {
    // The lead (share 0.5) gains 1 + SENTENCE_GAIN / 2, paragraph 2 (share 1) 1 + SENTENCE_GAIN.
    const even = (10 * (1 + SENTENCE_GAIN * 0.5)) / (1 + SENTENCE_GAIN);
    const candidates = [
      { label: 0, score: 10 },
      { label: 1, score: 9 },
      { label: 2, score: even + 0.01 },
      { label: 3, score: 1 },
    ];
    const ranked = choose(candidates);
    // Paragraph 2 takes the first of article a's places; b and c keep theirs, scores are kept.
    expect(ranked.map((candidate) => candidate.label)).toEqual([2, 1, 0, 3]);
    expect(ranked[0]).toBe(candidates[2]);
  });

  it('does not let a paragraph far below overtake, and leaves single-candidate articles and ties alone', () => {
    const far = [
      { label: 0, score: 10 },
      { label: 2, score: (10 * (1 + SENTENCE_GAIN * 0.5)) / (1 + SENTENCE_GAIN) - 0.01 },
      { label: 1, score: 9 },
    ];
    expect(choose(far)).toEqual(far);
    const tied = [
      { label: 2, score: 5 },
      { label: 4, score: 5 },
      { label: 1, score: 4 },
    ];
    expect(choose(tied)).toEqual(tied);
    expect(choose([])).toEqual([]);
  });
});

/**
 * Answer types: what a question asks for ("wie viele" → a number, "wann" → a date, "wer" → a
 * name, "warum" → a reason), whether a paragraph holds it, and the reranking among the paragraphs
 * of the best candidate's article that uses it.
 */
import { describe, expect, it } from 'vitest';
import { ANSWER_TYPE_GAIN, answerTypeOf, holdsAnswerType, withAnswerType } from '../../src/retrieval/answer-type.ts';

describe('answerTypeOf', () => {
  it('reads the cue of full and chat-style questions in German and English', () => {
    expect(answerTypeOf('Wie viele Menschen leben in Graz?')).toBe('number');
    expect(answerTypeOf('wieviel kostet das ticket')).toBe('number');
    expect(answerTypeOf('how many people were hurt')).toBe('number');
    expect(answerTypeOf('seit wann gibt es die brücke')).toBe('date');
    expect(answerTypeOf('When did the strike start?')).toBe('date');
    expect(answerTypeOf('wieso ist der zug ausgefallen')).toBe('reason');
    expect(answerTypeOf('Wer leitet die Schule?')).toBe('name');
    expect(answerTypeOf('neuer trainer sturm graz')).toBeNull();
  });
});

describe('holdsAnswerType', () => {
  it('finds numbers, dates, names and reasons', () => {
    expect(holdsAnswerType('Rund 300 Menschen kamen.', 'number')).toBe(true);
    expect(holdsAnswerType('Es kamen drei Besucher.', 'number')).toBe(true);
    expect(holdsAnswerType('Niemand kam.', 'number')).toBe(false);
    expect(holdsAnswerType('Die Brücke steht seit 1998.', 'date')).toBe(true);
    expect(holdsAnswerType('Am Montag beginnt der Bau.', 'date')).toBe(true);
    expect(holdsAnswerType('Der Bau beginnt bald.', 'date')).toBe(false);
    expect(holdsAnswerType('Die Schule leitet seit kurzem Maria Huber.', 'name')).toBe(true);
    expect(holdsAnswerType('Die Schule hat eine neue Leitung.', 'name')).toBe(false);
    expect(holdsAnswerType('Der Zug fiel aus, weil ein Baum auf den Gleisen lag.', 'reason')).toBe(true);
    expect(holdsAnswerType('Der Zug fiel aus.', 'reason')).toBe(false);
  });
});

describe('withAnswerType', () => {
  const passages: Record<number, { articleId: string; text: string }> = {
    0: { articleId: 'a', text: 'Die Brücke über den Fluss wird erneuert.' },
    1: { articleId: 'a', text: 'Die Erneuerung kostet 12 Millionen Euro.' },
    2: { articleId: 'b', text: 'Eine andere Brücke kostet viel.' },
    3: { articleId: 'c', text: 'Die Brücke 7 ist alt.' },
  };
  const originOf = (label: number): { articleId: string; text: string } => passages[label]!;

  it('lets the paragraph of the best article that holds the asked-for answer overtake one close above it', () => {
    const candidates = [
      { label: 0, score: 10 },
      { label: 2, score: 9.5 },
      { label: 1, score: 10 / (1 + ANSWER_TYPE_GAIN) + 0.01 },
      { label: 3, score: 1 },
    ];
    const ranked = withAnswerType(candidates, 'wie viel kostet die brücke', originOf);
    // Paragraph 1 takes the first of the places article a held; b and c do not move.
    expect(ranked.map((candidate) => candidate.label)).toEqual([1, 2, 0, 3]);
    expect(ranked[0]!.score).toBe(candidates[2]!.score);
  });

  it('leaves the order alone when the question names no answer type or the lead already holds it', () => {
    const candidates = [
      { label: 0, score: 10 },
      { label: 1, score: 9 },
    ];
    expect(withAnswerType(candidates, 'brücke erneuerung', originOf)).toEqual(candidates);
    expect(withAnswerType([{ label: 1, score: 10 }, { label: 0, score: 9.9 }], 'wie viel kostet die brücke', originOf).map((c) => c.label)).toEqual([1, 0]);
    expect(withAnswerType([], 'wie viel', originOf)).toEqual([]);
  });
});

/**
 * The language of a mentioned question, which picks the reply's language (mentions carry no user
 * locale). Measured on questions labelled by language: the project's unanswerable set (40 German,
 * 40 English) and, where ../shared is present, XQuAD's 588 questions in German and in English.
 * A wrong guess is the failure that matters (an undecided one falls back to the server's locale).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { questionLanguage } from '../../src/retrieval/question-language.ts';
import { PROJECT_ROOT } from '../e2e/bot-harness.ts';

const XQUAD = path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'xquad-de');

function rows(file: string): { question: string; language?: string }[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { question: string; language?: string });
}

function tally(questions: readonly string[], expected: 'de' | 'en') {
  const guesses = questions.map(questionLanguage);
  return {
    right: guesses.filter((guess) => guess === expected).length,
    undecided: guesses.filter((guess) => guess === null).length,
    wrong: questions.filter((_, i) => guesses[i] !== null && guesses[i] !== expected),
  };
}

describe('questionLanguage', () => {
  it.each([
    ['Wo traf sich die Koalition der Willigen?', 'de'],
    ['Was sagte Putin über die Ukraine?', 'de'],
    ['Wann beginnt die Kanalsanierung am Wörthersee?', 'de'],
    ['Where did the coalition of the willing meet?', 'en'],
    // The names a question is about do not make it German.
    ['Where did the Koalition der Willigen meet?', 'en'],
    ['What did Putin say about the Sicherheitsgarantien?', 'en'],
    ['Who is Friedrich Merz?', 'en'],
  ] as const)('%s → %s', (question, language) => {
    expect(questionLanguage(question)).toBe(language);
  });

  it.each(['Putin Wladiwostok NATO?', 'Merz', '2025?', '', '[x](https://evil.example)'])('leaves %j undecided', (question) => {
    expect(questionLanguage(question)).toBeNull();
  });

  it('gets all 80 labelled unanswerable questions right', () => {
    const all = rows(path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', 'unanswerable.jsonl'));
    for (const language of ['de', 'en'] as const) {
      const questions = all.filter((row) => row.language === language).map((row) => row.question);
      expect(questions).toHaveLength(40);
      const { right, wrong } = tally(questions, language);
      expect(wrong).toEqual([]);
      expect(right).toBeGreaterThanOrEqual(38);
    }
  });

  it.skipIf(!existsSync(XQUAD))('never mistakes XQuAD’s German questions for English or the reverse, and decides 99 % of them', () => {
    for (const language of ['de', 'en'] as const) {
      const questions = rows(path.join(XQUAD, `questions.${language}.jsonl`)).map((row) => row.question);
      const { right, undecided, wrong } = tally(questions, language);
      console.log(`question language, XQuAD ${language}: ${questions.length} questions, ${right} right, ${undecided} undecided, ${wrong.length} wrong`);
      expect(wrong).toEqual([]);
      expect(right / questions.length).toBeGreaterThanOrEqual(0.99);
    }
  });
});

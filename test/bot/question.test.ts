import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/bot/messages.ts';
import { parseQuestion, QUESTION_MAX, QUESTION_MIN } from '../../src/bot/question.ts';

const de = messagesFor('de');
const en = messagesFor('en');

describe('parseQuestion', () => {
  it('accepts 3 to 300 characters and returns the cleaned question', () => {
    expect(QUESTION_MIN).toBe(3);
    expect(QUESTION_MAX).toBe(300);
    expect(parseQuestion('abc', de)).toMatchObject({ ok: true, question: 'abc' });
    expect(parseQuestion('x'.repeat(300), de)).toMatchObject({ ok: true, question: 'x'.repeat(300) });
    expect(parseQuestion('  Wo traf\u200b sich   die Koalition?\u202e ', de)).toMatchObject({ ok: true, question: 'Wo traf sich die Koalition?' });
  });

  it('does not count invisible characters: "ab" padded with zero-width spaces is too short', () => {
    const result = parseQuestion(`ab${'\u200b'.repeat(50)}`, de);
    expect(result).toEqual({ ok: false, problem: 'Die Frage ist zu kurz: bitte mindestens 3 Zeichen.', tooShort: true });
    expect(parseQuestion('   ', en)).toEqual({ ok: false, problem: 'That question is too short: please use at least 3 characters.', tooShort: true });
    expect(parseQuestion('', en)).toMatchObject({ ok: false });
  });

  it('measures the length after cleaning, so padding does not make a question too long', () => {
    expect(parseQuestion(`${' '.repeat(100)}${'x'.repeat(300)}${'\u200b'.repeat(100)}`, en)).toMatchObject({ ok: true, question: 'x'.repeat(300) });
  });

  it('rejects 301 characters as too long, in the user’s language', () => {
    expect(parseQuestion('x'.repeat(301), de)).toEqual({ ok: false, problem: 'Die Frage ist zu lang: bitte höchstens 300 Zeichen.', tooShort: false });
    expect(parseQuestion('x'.repeat(301), en)).toEqual({ ok: false, problem: 'That question is too long: please use at most 300 characters.', tooShort: false });
  });

  it('searches without mentions, which match nothing in the articles', () => {
    const parsed = parseQuestion('<@123456789012345678> @everyone <@&234567890123456789> Wo traf sich die Koalition? @here', de);
    expect(parsed).toMatchObject({ ok: true, searchText: 'Wo traf sich die Koalition?' });
    expect(parseQuestion('@everyone @here', de)).toMatchObject({ ok: true, searchText: '@everyone @here' });
  });
});

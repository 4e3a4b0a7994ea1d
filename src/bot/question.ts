import { z } from 'zod';
import type { Messages } from './messages.ts';
import { stripInvisible } from './safe-text.ts';

export const QUESTION_MIN = 3;
export const QUESTION_MAX = 300;

/** Mentions say whom a message is for, not what it asks: they would only dilute the search. */
const MENTIONS = /<@[!&]?\d+>|<#\d+>|@(?:everyone|here)\b/g;

const questionSchema = z.string().transform(stripInvisible).pipe(z.string().min(QUESTION_MIN).max(QUESTION_MAX));

/**
 * Validates a question from /ask or a mention. Discord enforces the option's length, but an
 * interaction can be crafted without it, and invisible characters must not count.
 */
export function parseQuestion(
  raw: string,
  messages: Messages,
): { ok: true; question: string; searchText: string } | { ok: false; problem: string; tooShort: boolean } {
  const parsed = questionSchema.safeParse(raw);
  if (parsed.success) return { ok: true, question: parsed.data, searchText: searchTextOf(parsed.data) };
  const tooShort = stripInvisible(raw).length < QUESTION_MIN;
  return { ok: false, problem: tooShort ? messages.questionTooShort(QUESTION_MIN) : messages.questionTooLong(QUESTION_MAX), tooShort };
}

/** The question as searched: without mentions, which match nothing in the articles. */
export function searchTextOf(question: string): string {
  const text = question.replace(MENTIONS, ' ').replace(/\s+/g, ' ').trim();
  return text === '' ? question : text;
}

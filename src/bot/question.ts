import { z } from 'zod';
import type { Messages } from './messages.ts';
import { stripInvisible } from './safe-text.ts';

export const QUESTION_MIN = 3;
export const QUESTION_MAX = 300;

const questionSchema = z.string().transform(stripInvisible).pipe(z.string().min(QUESTION_MIN).max(QUESTION_MAX));

/**
 * Validates a question from /ask or a mention. Discord enforces the option's length, but an
 * interaction can be crafted without it, and invisible characters must not count.
 */
export function parseQuestion(raw: string, messages: Messages): { ok: true; question: string } | { ok: false; problem: string } {
  const parsed = questionSchema.safeParse(raw);
  if (parsed.success) return { ok: true, question: parsed.data };
  const cleaned = stripInvisible(raw);
  return { ok: false, problem: cleaned.length < QUESTION_MIN ? messages.questionTooShort(QUESTION_MIN) : messages.questionTooLong(QUESTION_MAX) };
}

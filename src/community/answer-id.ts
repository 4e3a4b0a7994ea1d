import { randomBytes } from 'node:crypto';

/**
 * Answer ids: the answer's creation time (milliseconds, base 36, 9 characters) followed by 64
 * random bits (base64url, 11 characters). 20 characters fit a Discord button's custom id (100)
 * with room for the action; the random part keeps ids unguessable, so a crafted button cannot
 * read another server's answers by counting; the time part tells an answer that retention removed
 * ("expired") from an id that never existed, without keeping anything about removed answers.
 */
const TIME_CHARS = 9;
const ANSWER_ID = /^[0-9a-z]{9}[A-Za-z0-9_-]{11}$/;

export function newAnswerId(createdAt: number, random: (bytes: number) => Buffer = randomBytes): string {
  return createdAt.toString(36).padStart(TIME_CHARS, '0') + random(8).toString('base64url');
}

/** When the answer with this id was created, or null when the text is not an answer id. */
export function answerIdTime(id: string): number | null {
  if (!ANSWER_ID.test(id)) return null;
  return parseInt(id.slice(0, TIME_CHARS), 36);
}

import { randomBytes } from 'node:crypto';

/**
 * Ids of answers (and of reindex runs and article changes): the creation time (milliseconds, base
 * 36, 9 characters) followed by 64 random bits (base64url, 11 characters). 20 characters fit a
 * Discord button's custom id (100) with room for the action; the random part keeps ids
 * unguessable, so a crafted button cannot read another server's answers by counting; the time
 * part tells an answer that retention removed ("expired") from an id that never existed, without
 * keeping anything about removed answers.
 */
const TIME_CHARS = 9;
const TIMED_ID = /^[0-9a-z]{9}[A-Za-z0-9_-]{11}$/;

/** A new id for a record created at `createdAt` (ms). */
export function newTimedId(createdAt: number, random: (bytes: number) => Buffer = randomBytes): string {
  return createdAt.toString(36).padStart(TIME_CHARS, '0') + random(8).toString('base64url');
}

/** When the record with this id was created, or null when the text is not such an id. */
export function timedIdTime(id: string): number | null {
  if (!TIMED_ID.test(id)) return null;
  return parseInt(id.slice(0, TIME_CHARS), 36);
}

import { DAY_MS, type PurgeRequest } from '../storage/community-store.ts';

/**
 * How long Quelle keeps what members asked (QUELLE_LOG_DAYS). Everything recorded about one
 * answer — the question's text, what it cited, the votes on it (member ids) — is removed
 * `logDays` days after the answer; the daily counts stay, as they hold no text.
 *
 * With 0 the question's text is never written at all. The rest of the answer (citations, votes)
 * is still kept for {@link BUTTON_DAYS_WITHOUT_LOG} day, so that its buttons (👍/👎, More, Full
 * paragraph) work for a day; after that they say the answer has expired.
 */
export const BUTTON_DAYS_WITHOUT_LOG = 1;

/** The retention policy of one QUELLE_LOG_DAYS setting: what is kept, and what to remove when. */
export class Retention {
  constructor(readonly logDays: number) {
    if (!Number.isInteger(logDays) || logDays < 0) throw new RangeError(`logDays must be a whole number ≥ 0, not ${logDays}`);
  }

  get keepsQuestionText(): boolean {
    return this.logDays > 0;
  }

  /** Days an answer's data (citations, votes, and its text when kept) lives. */
  get answerDays(): number {
    return Math.max(this.logDays, BUTTON_DAYS_WITHOUT_LOG);
  }

  /** When an answer created at `createdAt` is removed. */
  expiresAt(createdAt: number): number {
    return createdAt + this.answerDays * DAY_MS;
  }

  /** What to remove at `now`: everything that {@link expiresAt} says has expired by then (bounds are exclusive, hence the + 1). */
  purgeRequest(now: number): PurgeRequest {
    // With 0 every text goes, whenever it was written (a database kept with another setting before).
    const questionTextBefore = this.keepsQuestionText ? now - this.logDays * DAY_MS + 1 : Number.MAX_SAFE_INTEGER;
    return { questionTextBefore, answersBefore: now - this.answerDays * DAY_MS + 1 };
  }
}

/** One feed's state, as /stats shows it. */
export interface FeedStatus {
  readonly url: string;
  readonly lastPollAt: Date | null;
  readonly lastSuccessAt: Date | null;
  /** Articles saved from this feed since the bot started. */
  readonly saved: number;
  /** Failures in a row (the feed, or pages of its items); 0 after a clean poll. */
  readonly failures: number;
  readonly lastError: string | null;
  readonly nextPollAt: Date | null;
}

/** Where /stats reads the feeds' state. */
export interface FeedStatusSource {
  status(): readonly FeedStatus[];
}

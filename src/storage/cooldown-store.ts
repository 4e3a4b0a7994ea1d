/**
 * Question cooldowns kept in the community database, so that every bot process (every shard,
 * every host) enforces one cooldown per member: a member who asks through two processes at once
 * gets one answer and one "wait". The bot keeps its cooldowns in memory (src/bot/cooldowns.ts)
 * when it runs alone; with DATABASE_URL it switches to {@link SharedCooldowns}, which answers the
 * same question asynchronously.
 */

/** Where cooldowns are kept: both community stores implement it, in the `cooldowns` table. */
export interface CooldownStore {
  /**
   * Lets a question by `memberId` at `now` (ms) through when the member's last question let
   * through is at least `seconds` old, recording `now` as their last, and returns 0; otherwise
   * records nothing and returns the whole seconds still to wait (at least 1). Atomic across
   * processes.
   */
  takeCooldown(memberId: string, now: number, seconds: number): Promise<number>;
  /** Forgets members whose last question was let through before `before` (their cooldowns are over); returns how many. */
  forgetCooldowns(before: number): Promise<number>;
}

export interface SharedCooldownsOptions {
  /** How often cooldowns that are over are deleted (default 10 minutes); they hold member ids. */
  readonly forgetEveryMs?: number;
}

const FORGET_EVERY_MS = 10 * 60_000;

/**
 * One question per `seconds` per member, across every process that shares the store: the
 * shared counterpart of the bot's in-memory `Cooldowns`, with the same answer (0, or the seconds
 * to wait), as a Promise.
 */
export class SharedCooldowns {
  private lastForget = Number.NEGATIVE_INFINITY;
  private forgetting: Promise<unknown> | null = null;
  private readonly forgetEveryMs: number;

  constructor(
    private readonly store: CooldownStore,
    private readonly seconds: number,
    options: SharedCooldownsOptions = {},
  ) {
    this.forgetEveryMs = options.forgetEveryMs ?? FORGET_EVERY_MS;
  }

  /** Records a question by `userId` at `now` (ms) and resolves 0, or resolves the whole seconds still to wait (and records nothing). */
  async take(userId: string, now = Date.now()): Promise<number> {
    if (this.seconds <= 0) return 0;
    const wait = await this.store.takeCooldown(userId, now, this.seconds);
    if (now - this.lastForget >= this.forgetEveryMs && !this.forgetting) {
      this.lastForget = now;
      // Cleanup never delays or fails a question: it is tried again after the next interval.
      this.forgetting = this.store
        .forgetCooldowns(now - this.seconds * 1000)
        .catch(() => {})
        .finally(() => {
          this.forgetting = null;
        });
    }
    return wait;
  }

  /** Waits for a cleanup in progress (before closing the store). */
  async settle(): Promise<void> {
    await this.forgetting;
  }
}

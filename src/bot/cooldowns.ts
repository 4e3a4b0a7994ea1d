import { SharedCooldowns, type CooldownStore } from '../storage/cooldown-store.ts';

/**
 * One question per `QUELLE_COOLDOWN_SECONDS` per member: `take` lets a question through (0, and
 * the wait starts) or says how many whole seconds are left. In memory for one process
 * ({@link Cooldowns}); in the community database when several processes answer
 * (`SharedCooldowns`, src/storage/cooldown-store.ts).
 */
export interface QuestionCooldowns {
  take(userId: string): number | Promise<number>;
}

/**
 * The cooldowns of the community database, for bots whose members may reach several processes
 * (DATABASE_URL, or shards in several processes): one wait per member across all of them. The
 * database is opened when the bot starts, before any question, hence `store` is read lazily.
 */
export class DatabaseCooldowns implements QuestionCooldowns {
  private shared: SharedCooldowns | null = null;

  constructor(
    private readonly store: () => CooldownStore,
    private readonly seconds: number,
  ) {}

  take(userId: string): Promise<number> {
    this.shared ??= new SharedCooldowns(this.store(), this.seconds);
    return this.shared.take(userId);
  }
}

/** Per-user rate limit for questions in one process's memory: one question per `seconds` per user. */
export class Cooldowns implements QuestionCooldowns {
  private readonly lastAsked = new Map<string, number>();

  constructor(private readonly seconds: number) {}

  /**
   * Records a question by `userId` at `now` (ms) and returns 0, or returns the whole seconds
   * the user still has to wait (and records nothing).
   */
  take(userId: string, now = Date.now()): number {
    if (this.seconds <= 0) return 0;
    const last = this.lastAsked.get(userId);
    const waitMs = last === undefined ? 0 : last + this.seconds * 1000 - now;
    if (waitMs > 0) return Math.ceil(waitMs / 1000);
    this.lastAsked.set(userId, now);
    // Forget users whose cooldown is long over, so the map does not grow with every member.
    if (this.lastAsked.size > 10_000) {
      for (const [id, at] of this.lastAsked) if (at + this.seconds * 1000 < now) this.lastAsked.delete(id);
    }
    return 0;
  }
}

/** Per-user rate limit for questions: one question per `seconds` per user. */
export class Cooldowns {
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

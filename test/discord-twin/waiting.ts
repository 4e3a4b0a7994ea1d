// One change signal for the whole twin: every mutation calls notify(), every waiter re-checks its
// probe. Simpler and race-free compared with per-event emitters (a waiter registered after the
// event still sees the state because the probe is checked immediately).

export class Changes {
  private readonly waiters = new Set<{ check: () => void; fail: (error: Error) => void }>();
  private closed = false;

  notify(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }

  /** Resolves with the first non-undefined probe result; rejects after timeoutMs. */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    if (this.closed) return Promise.reject(new Error('discord twin: closed'));
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        check: () => {
          let value: T | undefined;
          try {
            value = probe();
          } catch (error) {
            finish();
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (value !== undefined) {
            finish();
            resolve(value);
          }
        },
        fail: (error: Error) => {
          finish();
          reject(error);
        },
      };
      const timer = setTimeout(
        () => waiter.fail(new Error(`discord twin: timed out after ${timeoutMs} ms waiting for ${describe()}`)),
        timeoutMs,
      );
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** Rejects every pending waiter, so a closed twin never leaves a test hanging until its timeout. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.fail(new Error('discord twin: closed while waiting'));
  }
}

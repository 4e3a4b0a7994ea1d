/**
 * Runs a job one at a time, and lets requests share runs: a request while nothing runs starts a
 * run; a request while one runs waits for the next run, which every request made meanwhile
 * shares. So a thousand requests during a build cost one more build, not a thousand, and each
 * request's promise settles with a run that started after it was made (and so saw its change).
 */
export class CoalescingRunner<T> {
  private running: Promise<T> | null = null;
  private queued: { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } | null = null;

  constructor(private readonly job: () => Promise<T>) {}

  /** True while a run is in progress. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves (or rejects) with the outcome of a run that starts after this call. */
  request(): Promise<T> {
    if (this.running === null) return this.start();
    if (this.queued === null) {
      let resolve!: (value: T) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<T>((yes, no) => {
        resolve = yes;
        reject = no;
      });
      this.queued = { promise, resolve, reject };
    }
    return this.queued.promise;
  }

  /** Waits until nothing runs and nothing is queued, ignoring outcomes. */
  async settle(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
  }

  private start(): Promise<T> {
    const run = (async () => this.job())();
    this.running = run.finally(() => {
      this.running = null;
      const next = this.queued;
      this.queued = null;
      if (next) this.start().then(next.resolve, next.reject);
    });
    // Callers get the job's own outcome; the chained promise is only for sequencing.
    this.running.catch(() => {});
    return run;
  }
}

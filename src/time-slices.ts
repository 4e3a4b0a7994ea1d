import { performance } from 'node:perf_hooks';

/**
 * How long a slice of background work may hold the event loop. The bot builds indexes in its own
 * process: a question that comes in meanwhile waits for at most one slice (issue #12).
 */
const DEFAULT_SLICE_MS = 4;

/** Resolves after the event loop has handled what is waiting (I/O, timers, interactions). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Long synchronous work cut into slices of a few milliseconds: call `pause()` between units of
 * work, and it yields to the event loop whenever the current slice has run its time. Measured in
 * time rather than in units, since a unit's cost varies (a passage's length, a term's postings).
 */
export class TimeSlices {
  private sliceStarted = performance.now();

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  /** Yields to the event loop if this slice has run `sliceMs` or more; otherwise returns at once. */
  async pause(): Promise<void> {
    if (performance.now() - this.sliceStarted < this.sliceMs) return;
    await yieldToEventLoop();
    this.sliceStarted = performance.now();
  }
}

import { percentile } from '../retrieval/evaluate.ts';

/** Counts answered questions and keeps the latest answer times for /stats. */
export class AnswerStats {
  private answered = 0;
  private readonly recentMs: number[] = [];
  private static readonly WINDOW = 1000;

  record(ms: number): void {
    this.answered++;
    this.recentMs.push(ms);
    if (this.recentMs.length > AnswerStats.WINDOW) this.recentMs.shift();
  }

  get count(): number {
    return this.answered;
  }

  /** Median answer time of the last 1000 answers, or null before the first. */
  get medianMs(): number | null {
    return this.recentMs.length === 0 ? null : percentile(this.recentMs, 50);
  }
}

import { describe, expect, it } from 'vitest';
import { AnswerStats } from '../../src/bot/answer-stats.ts';

describe('AnswerStats', () => {
  it('has no median before the first answer', () => {
    const stats = new AnswerStats();
    expect(stats.count).toBe(0);
    expect(stats.medianMs).toBeNull();
  });

  it('counts answers and gives the median answer time', () => {
    const stats = new AnswerStats();
    for (const ms of [300, 100, 200]) stats.record(ms);
    expect(stats.count).toBe(3);
    expect(stats.medianMs).toBe(200);
    stats.record(50);
    expect(stats.count).toBe(4);
    // Nearest rank: the lower of the two middle values for an even count.
    expect(stats.medianMs).toBe(100);
  });

  it('takes the median over the last 1000 answers while counting all of them', () => {
    const stats = new AnswerStats();
    for (let i = 0; i < 1000; i++) stats.record(1);
    for (let i = 0; i < 600; i++) stats.record(1000);
    expect(stats.count).toBe(1600);
    // Over all 1600 answers the median would be 1; the window holds 400 × 1 and 600 × 1000.
    expect(stats.medianMs).toBe(1000);
    for (let i = 0; i < 1000; i++) stats.record(7);
    expect(stats.medianMs).toBe(7);
    expect(stats.count).toBe(2600);
  });
});

import { describe, expect, it } from 'vitest';
import { TimeSlices, yieldToEventLoop } from '../src/time-slices.ts';

describe('TimeSlices', () => {
  it('lets waiting callbacks run once a slice has used its time', async () => {
    const slices = new TimeSlices(0);
    let ran = false;
    setImmediate(() => (ran = true));
    await slices.pause();
    expect(ran).toBe(true);
  });

  it('returns at once, without yielding, while the slice has time left', async () => {
    const slices = new TimeSlices(60_000);
    let ran = false;
    setImmediate(() => (ran = true));
    for (let i = 0; i < 100; i++) await slices.pause();
    expect(ran).toBe(false);
    await yieldToEventLoop();
    expect(ran).toBe(true);
  });
});

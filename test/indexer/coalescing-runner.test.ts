import { describe, expect, it } from 'vitest';
import { CoalescingRunner } from '../../src/indexer/coalescing-runner.ts';

/** A job whose runs the test finishes one by one. */
function controlledJob() {
  const runs: { finish: (value: number) => void; fail: (error: Error) => void }[] = [];
  const job = () =>
    new Promise<number>((resolve, reject) => {
      runs.push({ finish: resolve, fail: reject });
    });
  return { runs, job };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingRunner', () => {
  it('runs one job at a time; requests made during a run share the next run', async () => {
    const { runs, job } = controlledJob();
    const runner = new CoalescingRunner(job);
    const first = runner.request();
    const during = Array.from({ length: 1000 }, () => runner.request());
    await tick();
    expect(runs).toHaveLength(1);
    expect(runner.busy).toBe(true);
    runs[0]!.finish(1);
    expect(await first).toBe(1);
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.finish(2);
    expect(new Set(await Promise.all(during))).toEqual(new Set([2]));
    await tick();
    expect(runs).toHaveLength(2);
    expect(runner.busy).toBe(false);
  });

  it('passes a failed run to its requests only; the next run starts fresh', async () => {
    const { runs, job } = controlledJob();
    const runner = new CoalescingRunner(job);
    const failing = runner.request();
    const next = runner.request();
    runs[0]!.fail(new Error('locked'));
    await expect(failing).rejects.toThrow('locked');
    await tick();
    runs[1]!.finish(7);
    expect(await next).toBe(7);
    await runner.settle();
    expect(runner.busy).toBe(false);
  });
});

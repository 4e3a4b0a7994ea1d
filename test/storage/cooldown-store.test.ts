/**
 * Shared cooldowns on both engines: the same answers as the bot's in-memory cooldowns
 * (test/bot/cooldowns.test.ts), kept in the database so that every process sharing it enforces
 * one cooldown per member, atomically, and forgotten once over.
 */
import { expect, it } from 'vitest';
import { SharedCooldowns } from '../../src/storage/cooldown-store.ts';
import { describeEachEngine } from '../helpers/community-engines.ts';
import { openCommunityDatabase } from '../../src/storage/open-store.ts';

describeEachEngine('shared cooldowns', (engine) => {
  it('lets the first question through and makes a second within the window wait the remaining whole seconds', async () => {
    const cooldowns = new SharedCooldowns(await engine.open(), 5);
    expect(await cooldowns.take('u1', 10_000)).toBe(0);
    expect(await cooldowns.take('u1', 10_000)).toBe(5);
    expect(await cooldowns.take('u1', 11_000)).toBe(4);
    // Partial seconds round up: 0.5 s left is still "1 s".
    expect(await cooldowns.take('u1', 14_500)).toBe(1);
    expect(await cooldowns.take('u1', 14_999)).toBe(1);
  });

  it('lets the member ask again once the window is over, and a refused question does not extend it; members are independent', async () => {
    const cooldowns = new SharedCooldowns(await engine.open(), 5);
    expect(await cooldowns.take('u1', 0)).toBe(0);
    expect(await cooldowns.take('u2', 1000)).toBe(0);
    expect(await cooldowns.take('u1', 4000)).toBe(1);
    expect(await cooldowns.take('u1', 5000)).toBe(0);
    // The window starts again at the accepted question.
    expect(await cooldowns.take('u1', 6000)).toBe(4);
    expect(await cooldowns.take('u1', 10_001)).toBe(0);
    expect(await cooldowns.take('u2', 5999)).toBe(1);
  });

  it('is disabled by 0 seconds, and then writes nothing', async () => {
    const store = await engine.open();
    const cooldowns = new SharedCooldowns(store, 0);
    for (let i = 0; i < 5; i++) expect(await cooldowns.take('u1', 1000)).toBe(0);
    expect(await store.forgetCooldowns(Number.MAX_SAFE_INTEGER)).toBe(0);
  });

  it('forgets members whose cooldown is over, at most once per interval, and never those still waiting', async () => {
    const store = await engine.open();
    const forgotten: number[] = [];
    const counting = {
      takeCooldown: store.takeCooldown.bind(store),
      forgetCooldowns: async (before: number) => {
        forgotten.push(before);
        return store.forgetCooldowns(before);
      },
    };
    const cooldowns = new SharedCooldowns(counting, 5, { forgetEveryMs: 60_000 });
    // 1,000 members within a minute (one every 59 ms); only the first take forgets (nothing yet).
    for (let i = 0; i < 1000; i++) expect(await cooldowns.take(`m${i}`, i * 59)).toBe(0);
    expect(forgotten).toEqual([-5000]);
    // 60 s after the first take, the next one forgets everyone whose window ended before it.
    expect(await cooldowns.take('late', 60_000)).toBe(0);
    await cooldowns.settle();
    expect(forgotten).toEqual([-5000, 55_000]);
    // Members 0…932 asked before 55 s: forgotten. The other 67, still waiting, and "late" are remembered.
    expect(await cooldowns.take('m999', 60_001)).toBe(4);
    expect(await store.forgetCooldowns(Number.MAX_SAFE_INTEGER)).toBe(68);
  });

  it('two processes taking the same member at once let exactly one question through', async () => {
    const place = await engine.place();
    const first = await openCommunityDatabase({ ...place, create: true });
    const second = await openCommunityDatabase({ ...place, create: false });
    try {
      for (let round = 0; round < 20; round++) {
        const now = 1_000_000 + round * 10_000;
        const waits = await Promise.all([first.takeCooldown('racer', now, 5), second.takeCooldown('racer', now, 5), first.takeCooldown('racer', now, 5), second.takeCooldown('racer', now, 5)]);
        expect(waits.filter((wait) => wait === 0), `round ${round}`).toHaveLength(1);
        expect(waits.filter((wait) => wait === 5), `round ${round}`).toHaveLength(3);
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { Cooldowns } from '../../src/bot/cooldowns.ts';

/** The number of users the cooldowns remember (private state, read to prove it stays bounded). */
const remembered = (cooldowns: Cooldowns): number => (cooldowns as unknown as { lastAsked: Map<string, number> }).lastAsked.size;

describe('Cooldowns.take', () => {
  it('lets the first question through and makes a second within the window wait the remaining whole seconds', () => {
    const cooldowns = new Cooldowns(5);
    expect(cooldowns.take('u1', 10_000)).toBe(0);
    expect(cooldowns.take('u1', 10_000)).toBe(5);
    expect(cooldowns.take('u1', 11_000)).toBe(4);
    // Partial seconds round up: 0.5 s left is still "1 s".
    expect(cooldowns.take('u1', 14_500)).toBe(1);
    expect(cooldowns.take('u1', 14_999)).toBe(1);
  });

  it('lets the user ask again once the window is over, and a refused question does not extend it', () => {
    const cooldowns = new Cooldowns(5);
    expect(cooldowns.take('u1', 0)).toBe(0);
    expect(cooldowns.take('u1', 4000)).toBe(1);
    expect(cooldowns.take('u1', 5000)).toBe(0);
    // The window starts again at the accepted question.
    expect(cooldowns.take('u1', 6000)).toBe(4);
    expect(cooldowns.take('u1', 10_001)).toBe(0);
  });

  it('keeps users independent', () => {
    const cooldowns = new Cooldowns(30);
    expect(cooldowns.take('alice', 0)).toBe(0);
    expect(cooldowns.take('bob', 1000)).toBe(0);
    expect(cooldowns.take('alice', 1000)).toBe(29);
    expect(cooldowns.take('bob', 2000)).toBe(29);
    expect(cooldowns.take('carol', 2000)).toBe(0);
  });

  it('is disabled by 0 seconds', () => {
    const cooldowns = new Cooldowns(0);
    for (let i = 0; i < 5; i++) expect(cooldowns.take('u1', 1000)).toBe(0);
    expect(remembered(cooldowns)).toBe(0);
  });

  it('uses the clock when no time is given', () => {
    const cooldowns = new Cooldowns(60);
    expect(cooldowns.take('u1')).toBe(0);
    expect(cooldowns.take('u1')).toBeGreaterThanOrEqual(59);
  });

  it('does not grow without bound as many users ask over time', () => {
    const cooldowns = new Cooldowns(5);
    // 100,000 different users, ten a second: only ~50 are within their window at any time.
    for (let i = 0; i < 100_000; i++) expect(cooldowns.take(`user-${i}`, i * 100)).toBe(0);
    expect(remembered(cooldowns)).toBeLessThanOrEqual(10_001);
    // Those still in their window are remembered.
    expect(cooldowns.take('user-99999', 99_999 * 100 + 1000)).toBe(4);
  });
});

// Discord ids are snowflakes, and discord.js derives `createdTimestamp` (and thus interaction age
// checks) from them, so generated ids must encode the real creation time.

export const DISCORD_EPOCH = 1_420_070_400_000;

let increment = 0;

export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1) & 0xfff;
  // worker id 1, process id 1: arbitrary, but non-zero so ids never collide with hand-written ones like "1".
  const id = (BigInt(at - DISCORD_EPOCH) << 22n) | (1n << 17n) | (1n << 12n) | BigInt(increment);
  return id.toString();
}

export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

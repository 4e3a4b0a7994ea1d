/**
 * The build lock's judgement of a lock it finds (issue #10, finding 2): a PID alone does not say
 * the holder still runs. A reused PID, an old-format lock of a process started later, a lock from
 * another host whose heartbeat stopped: each is taken over with a warning saying whose and why.
 * A live holder keeps its lock, also where only its heartbeat can show that it lives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBuildLock, currentProcessIdentity, IndexLockedError, type ProcessIdentity } from '../../src/index/build-lock.ts';
import { lockIndex } from '../../src/index/index-store.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-lock-');
let self: ProcessIdentity;
let other: ChildProcess;

beforeAll(async () => {
  self = await currentProcessIdentity();
  // Another live process on this host, to stand for "whoever has that PID now".
  other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  await new Promise((resolve) => other.once('spawn', resolve));
});

afterAll(() => {
  other?.kill();
});

const hoursAgo = (hours: number): Date => new Date(Date.now() - hours * 3_600_000);

/** A lock file as Quelle writes it, for `identity`, with its heartbeat (mtime) at `heartbeat`. */
async function writeLock(dir: string, identity: Partial<ProcessIdentity> & { pid: number }, heartbeat = new Date()): Promise<string> {
  const lockPath = path.join(dir, '.lock');
  await writeFile(lockPath, `${JSON.stringify({ format: 2, ...self, ...identity, acquiredAt: hoursAgo(1).toISOString(), token: 'theirs' })}\n`);
  await utimes(lockPath, heartbeat, heartbeat);
  return lockPath;
}

async function refused(promise: Promise<unknown>): Promise<IndexLockedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IndexLockedError);
  return error as IndexLockedError;
}

async function holderPid(lockPath: string): Promise<number> {
  return (JSON.parse(await readFile(lockPath, 'utf8')) as { pid: number }).pid;
}

describe('a lock whose PID now belongs to another process', () => {
  it('is taken over when the live process of that PID started at another time (this very process, as in a fresh container)', async () => {
    const dir = await tempDir();
    const lockPath = await writeLock(dir, { pid: process.pid, startTicks: '1' });
    const logger = recordingLogger();
    const lock = await lockIndex(dir, { logger });
    expect(await holderPid(lockPath)).toBe(process.pid);
    expect(logger.lines.join('\n')).toMatch(new RegExp(`warn .*Taking over a stale index lock of process ${process.pid} on ${self.hostname}: process ${process.pid} is now a different process \\(its PID was reused\\)`));
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('is taken over when another live process has that PID now', async () => {
    const dir = await tempDir();
    await writeLock(dir, { pid: other.pid!, startTicks: '1' });
    const logger = recordingLogger();
    await (await lockIndex(dir, { logger })).release();
    expect(logger.lines.join('\n')).toContain(`process ${other.pid} is now a different process`);
  });

  it('is kept when that process is the holder (same start time): INDEX_LOCKED names it, its host and its heartbeat', async () => {
    if (self.startTicks === null) return; // no /proc here: only the heartbeat can tell (tested below)
    const dir = await tempDir();
    const otherStart = (await readFile(`/proc/${other.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19]!;
    const lockPath = await writeLock(dir, { pid: other.pid!, startTicks: otherStart }, hoursAgo(2));
    // An old heartbeat does not matter: the holder is known to run (its event loop may be busy).
    const error = await refused(lockIndex(dir));
    expect(error.holder).toMatchObject({ pid: other.pid, hostname: self.hostname, thisProcess: false });
    expect(Math.abs(error.holder!.heartbeatAt.getTime() - (await stat(lockPath)).mtimeMs)).toBeLessThan(2);
    expect(error.holder!.since.getTime()).toBeLessThan(Date.now() - 3_000_000);
    expect(error.message).toContain(`process ${other.pid} on ${self.hostname}`);
    expect(error.message).toContain(lockPath);
  });
});

describe('an old-format lock (the PID only)', () => {
  it('is taken over when the process of that PID started after the lock was written', async () => {
    const dir = await tempDir();
    const lockPath = path.join(dir, '.lock');
    await writeFile(lockPath, `${process.pid}\n`);
    await utimes(lockPath, hoursAgo(24 * 365), hoursAgo(24 * 365));
    const logger = recordingLogger();
    await (await lockIndex(dir, { logger })).release();
    expect(logger.lines.join('\n')).toContain(`process ${process.pid} started after the lock was written (its PID was reused)`);
  });

  it('is kept while its process runs and started before it was written', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, '.lock'), `${other.pid}\n`);
    const error = await refused(lockIndex(dir));
    expect(error.holder).toMatchObject({ pid: other.pid, hostname: null });
  });

  it('is taken over when that PID now runs another program (a kernel thread or PID 1 of a container), even one started before it', async () => {
    const dir = await tempDir();
    const lockPath = path.join(dir, '.lock');
    const sleeper = spawn('sleep', ['30']);
    try {
      await new Promise((resolve) => sleeper.once('spawn', resolve));
      await writeFile(lockPath, `${sleeper.pid}\n`);
      await utimes(lockPath, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
      const logger = recordingLogger();
      await (await lockIndex(dir, { logger })).release();
      expect(logger.lines.join('\n')).toContain(`process ${sleeper.pid} is "sleep", not a Node.js build (its PID was reused)`);
    } finally {
      sleeper.kill();
    }
  });

  it('is taken over when its process is gone, and so is unreadable content', async () => {
    const dir = await tempDir();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    await writeFile(path.join(dir, '.lock'), `${gone.pid}\n`);
    const logger = recordingLogger();
    await (await lockIndex(dir, { logger })).release();
    await writeFile(path.join(dir, '.lock'), 'garbage');
    await (await lockIndex(dir, { logger })).release();
    expect(logger.lines.join('\n')).toContain(`process ${gone.pid} no longer exists`);
    expect(logger.lines.join('\n')).toContain('its content is unreadable');
  });
});

describe('a lock whose holder cannot be checked directly: the heartbeat decides', () => {
  const cases: [string, Partial<ProcessIdentity>, RegExp][] = [
    ['another host', { hostname: 'build-box-7' }, /taken on another host \(build-box-7\)/],
    ['before a reboot', { bootId: 'an-earlier-boot' }, /taken before a reboot/],
    ['another PID namespace (container)', { pidNamespace: 'pid:[1]' }, /another PID namespace/],
  ];

  it.each(cases)('%s: kept while the heartbeat is fresh, taken over once it is older than the limit', async (_name, identity, why) => {
    const dir = await tempDir();
    const lockPath = await writeLock(dir, { pid: process.pid, ...identity }, new Date(Date.now() - 2_000));
    const error = await refused(lockIndex(dir, { staleAfterMs: 30_000 }));
    expect(error.message).toMatch(why);
    expect(error.message).toMatch(/last heartbeat was \d s ago/);
    expect(error.staleAfterMs).toBe(30_000);

    await utimes(lockPath, new Date(Date.now() - 31_000), new Date(Date.now() - 31_000));
    const logger = recordingLogger();
    await (await lockIndex(dir, { staleAfterMs: 30_000, logger })).release();
    expect(logger.lines.join('\n')).toMatch(why);
    expect(logger.lines.join('\n')).toMatch(/heartbeat is 3\d s old \(the limit is 30 s\)/);
  });

  it('a live holder refreshes its heartbeat, so it keeps the lock past the limit', async () => {
    const dir = await tempDir();
    const lockPath = path.join(dir, '.lock');
    const staleAfterMs = 300;
    // The holder looks like another host's, so the contender can only judge by the heartbeat.
    const holder = await acquireBuildLock(lockPath, { heartbeatMs: 20, identity: { ...self, hostname: 'build-box-7' } });
    const taken = (await stat(lockPath)).mtimeMs;
    try {
      // Wait for a heartbeat later than the limit after taking: without heartbeats none comes.
      const deadline = Date.now() + 10_000;
      while ((await stat(lockPath)).mtimeMs <= taken + staleAfterMs) {
        expect(Date.now(), 'no heartbeat refreshed the lock').toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const error = await refused(acquireBuildLock(lockPath, { staleAfterMs }));
      expect(error.holder).toMatchObject({ pid: process.pid, hostname: 'build-box-7' });
    } finally {
      await holder.release();
    }
    await (await acquireBuildLock(lockPath, { staleAfterMs })).release();
  });
});

describe('taking over', () => {
  it('a holder whose lock was taken over does not remove the new holder lock when it releases', async () => {
    const dir = await tempDir();
    const lockPath = path.join(dir, '.lock');
    const logger = recordingLogger();
    const first = await acquireBuildLock(lockPath, { heartbeatMs: 3_600_000, identity: { ...self, hostname: 'build-box-7' }, logger });
    await utimes(lockPath, hoursAgo(1), hoursAgo(1));
    const second = await acquireBuildLock(lockPath, { staleAfterMs: 1_000 });
    // The first holder (stalled past the limit) ends: the second one's lock stays.
    await first.release();
    expect(await holderPid(lockPath)).toBe(process.pid);
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ hostname: self.hostname });
    expect(logger.lines.join('\n')).toContain('The index lock had been taken over by another process; leaving its lock in place');
    await second.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('racing callers over a stale lock: exactly one gets it, every round', async () => {
    const dir = await tempDir();
    for (let round = 0; round < 200; round++) {
      await writeLock(dir, { pid: process.pid, startTicks: '1' });
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => lockIndex(dir)));
      const held = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof lockIndex>>> => r.status === 'fulfilled');
      expect(held, `round ${round}`).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IndexLockedError);
      await held[0]!.value.release();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes a claim left by a killed process even when its PID is alive again, once it is older than any claim lives', async () => {
    const dir = await tempDir();
    const fresh = `.lock.${process.pid}.abcdef`;
    const old = `.lock.${process.pid}.012345`;
    await writeFile(path.join(dir, fresh), 'x');
    await writeFile(path.join(dir, old), 'x');
    await utimes(path.join(dir, old), hoursAgo(1), hoursAgo(1));
    await (await lockIndex(dir)).release();
    expect(await readdir(dir)).toEqual([fresh]);
  });
});

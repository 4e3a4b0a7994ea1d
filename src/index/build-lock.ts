import { randomBytes } from 'node:crypto';
import { link, open, readFile, readlink, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, QuelleError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';

/**
 * The index directory's build lock: a file naming its holder, taken by writing a private claim
 * and hard-linking it into place (so the lock never exists half-written), and kept alive by a
 * heartbeat, the lock file's mtime, which the holder refreshes.
 *
 * A PID alone does not say whether the holder still runs: in a fresh container the indexer gets
 * the same small PID every time, and after a reboot any PID may belong to someone else. So the
 * lock records the holder's host name, boot id, PID namespace and start time
 * (`/proc/<pid>/stat` field 22). When all of these can be compared with the live process of that
 * PID, the answer is certain: the holder is gone, is a different process, or still runs (and
 * then keeps its lock however long its event loop stalls). When they cannot (another host or
 * container, a reboot, no /proc), only the heartbeat tells, and the lock is stale once it is
 * older than {@link DEFAULT_STALE_AFTER_MS}.
 */

/** How often a holder refreshes its heartbeat. */
export const DEFAULT_HEARTBEAT_MS = 5_000;

/**
 * How old a heartbeat may get before a lock whose holder cannot be checked directly counts as
 * stale: twelve missed beats. The heartbeat is a timer, so it stops while the holder's event
 * loop is busy (parsing or writing a million passages takes seconds); hosts sharing a folder may
 * also disagree on the time by a few seconds. A minute covers both with room, and costs at most
 * a minute's wait after a crash in a container.
 */
export const DEFAULT_STALE_AFTER_MS = 60_000;

/** A claim file lives for a few milliseconds; one older than this was left by a killed process. */
const CLAIM_MAX_AGE_MS = 60_000;

/** Linux's USER_HZ, the unit of `/proc/<pid>/stat` start times; fixed by the kernel ABI. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Who a process is, as far as a lock can tell. Fields are null where the system does not say. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly hostname: string;
  readonly bootId: string | null;
  readonly pidNamespace: string | null;
  /** Start time in clock ticks since boot (`/proc/<pid>/stat` field 22), as text. */
  readonly startTicks: string | null;
}

/** The holder of a lock, as its file and the file's mtime tell. */
export interface LockHolder {
  readonly pid: number;
  /** Null for a lock written by an older Quelle, which recorded only the PID. */
  readonly hostname: string | null;
  /** When the holder took the lock (for an old-format lock: when the file was written). */
  readonly since: Date;
  /** The last heartbeat (the lock file's mtime). */
  readonly heartbeatAt: Date;
  /** True when this very process holds it. */
  readonly thisProcess: boolean;
}

/** INDEX_LOCKED with who holds the lock, so that callers (the bot) can say it in their own words. */
export class IndexLockedError extends QuelleError {
  constructor(
    message: string,
    readonly lockPath: string,
    readonly holder: LockHolder | null,
    /** After how long without a heartbeat the lock is taken over, where the holder cannot be checked directly. */
    readonly staleAfterMs: number,
  ) {
    super(ErrorCode.IndexLocked, message);
    this.name = 'IndexLockedError';
  }
}

export interface BuildLockOptions {
  /** Where a stale lock that is taken over is reported (warn). */
  readonly logger?: Logger;
  readonly heartbeatMs?: number;
  readonly staleAfterMs?: number;
  /** Who this process is (tests: another host or process). */
  readonly identity?: ProcessIdentity;
}

/** A held build lock; `release` is idempotent. */
export interface BuildLock {
  release(): Promise<void>;
}

/** What a lock file holds (format 2); an old-format file holds only the PID. */
interface LockRecord {
  readonly pid: number;
  readonly hostname: string | null;
  readonly bootId: string | null;
  readonly pidNamespace: string | null;
  readonly startTicks: string | null;
  readonly acquiredAt: string | null;
  readonly token: string | null;
}

/** This process's identity (Linux adds boot id, PID namespace and start time). */
export async function currentProcessIdentity(): Promise<ProcessIdentity> {
  const [bootId, pidNamespace, startTicks] = await Promise.all([
    readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((text) => text.trim(), () => null),
    readlink('/proc/self/ns/pid').catch(() => null),
    processStartTicks(process.pid),
  ]);
  return { pid: process.pid, hostname: os.hostname(), bootId, pidNamespace, startTicks };
}

/** Start time of `pid` in clock ticks since boot, or null (no such process, or no /proc). */
async function processStartTicks(pid: number): Promise<string | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so count from the last ')'.
    // Field 22 is the 20th after it.
    const ticks = text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
    return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/**
 * The program a process runs (its argv[0]), null for a kernel thread (empty command line), or
 * undefined when that cannot be read (no such process, or no /proc).
 */
async function processProgram(pid: number): Promise<string | null | undefined> {
  try {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine === '' ? null : commandLine.split('\0')[0]!;
  } catch {
    return undefined;
  }
}

/** Whether a program is Node.js (or a wrapper that runs it), the only kind that writes build locks. */
function isNodeProgram(program: string): boolean {
  return /node|tsx|npm|npx/i.test(path.basename(program));
}

/** When the system booted, in ms since the epoch (Linux), or null. */
async function bootTimeMs(): Promise<number | null> {
  try {
    const btime = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'))?.[1];
    return btime === undefined ? null : Number(btime) * 1000;
  } catch {
    return null;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLockRecord(text: string): LockRecord | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    return { pid: Number(trimmed), hostname: null, bootId: null, pidNamespace: null, startTicks: null, acquiredAt: null, token: null };
  }
  try {
    const raw = JSON.parse(trimmed) as Record<string, unknown>;
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    if (typeof raw.pid !== 'number' || !Number.isInteger(raw.pid) || raw.pid <= 0) return null;
    return {
      pid: raw.pid,
      hostname: text(raw.hostname),
      bootId: text(raw.bootId),
      pidNamespace: text(raw.pidNamespace),
      startTicks: text(raw.startTicks),
      acquiredAt: text(raw.acquiredAt),
      token: text(raw.token),
    };
  } catch {
    return null;
  }
}

interface Verdict {
  readonly stale: boolean;
  /** Why, in words for the log and the error. */
  readonly reason: string;
}

/**
 * Whether a lock is stale. Certain where the holder's process can be compared with the live
 * one of that PID (same host, boot and PID namespace); otherwise by the age of its heartbeat.
 */
async function judge(record: LockRecord, mtimeMs: number, self: ProcessIdentity, staleAfterMs: number, now: number): Promise<Verdict> {
  const byHeartbeat = (why: string): Verdict => {
    const age = Math.max(0, now - mtimeMs);
    return age > staleAfterMs
      ? { stale: true, reason: `${why}, and its heartbeat is ${Math.round(age / 1000)} s old (the limit is ${Math.round(staleAfterMs / 1000)} s)` }
      : { stale: false, reason: `${why}; its last heartbeat was ${Math.round(age / 1000)} s ago` };
  };
  const legacy = record.hostname === null;
  if (!legacy && record.hostname !== self.hostname) return byHeartbeat(`it was taken on another host (${record.hostname})`);
  if (record.bootId && self.bootId && record.bootId !== self.bootId) return byHeartbeat('it was taken before a reboot (or on another machine of the same name)');
  if (record.pidNamespace && self.pidNamespace && record.pidNamespace !== self.pidNamespace) return byHeartbeat('it was taken in another PID namespace (container)');
  if (!isProcessAlive(record.pid)) return { stale: true, reason: `process ${record.pid} no longer exists` };
  const liveStart = await processStartTicks(record.pid);
  if (legacy) {
    // An old-format lock has no start time; but its file was written by a process that was
    // running then, so a process of that PID started later is someone else.
    const booted = await bootTimeMs();
    if (liveStart !== null && booted !== null) {
      const startedMs = booted + (Number(liveStart) / CLOCK_TICKS_PER_SECOND) * 1000;
      // btime is whole seconds, start times are ticks: a second of slack.
      if (startedMs > mtimeMs + 1000) return { stale: true, reason: `process ${record.pid} started after the lock was written (its PID was reused)` };
    }
    // Only a Node.js process ever wrote such a lock: a kernel thread or any other program under
    // that PID (PID 1 of a container, host PID 12 being a kernel thread) is someone else.
    const program = await processProgram(record.pid);
    if (program === null || (program !== undefined && !isNodeProgram(program))) {
      return { stale: true, reason: `process ${record.pid} is ${program === null ? 'a kernel thread' : `"${path.basename(program)}"`}, not a Node.js build (its PID was reused)` };
    }
    return { stale: false, reason: `process ${record.pid} is running` };
  }
  if (record.startTicks !== null && liveStart !== null) {
    return record.startTicks === liveStart
      ? { stale: false, reason: `process ${record.pid} is running` }
      : { stale: true, reason: `process ${record.pid} is now a different process (its PID was reused)` };
  }
  return byHeartbeat(`process ${record.pid} exists, but whether it is the holder cannot be checked here`);
}

function holderOf(record: LockRecord, mtimeMs: number, self: ProcessIdentity): LockHolder {
  const acquired = record.acquiredAt === null ? Number.NaN : Date.parse(record.acquiredAt);
  return {
    pid: record.pid,
    hostname: record.hostname,
    since: new Date(Number.isNaN(acquired) ? mtimeMs : acquired),
    heartbeatAt: new Date(mtimeMs),
    thisProcess: record.pid === self.pid && record.hostname === self.hostname && record.startTicks === self.startTicks && record.pidNamespace === self.pidNamespace,
  };
}

/** A unique sibling name for a claim (or a lock being taken over); removable once its process is gone. */
function claimPath(lockPath: string, pid: number): string {
  return `${lockPath}.${pid}.${randomBytes(3).toString('hex')}`;
}

/**
 * Whether `entry` (a name in the lock's directory) is a claim left by a killed process: its
 * process is gone, or it is older than any claim lives (the PID may have been reused).
 */
export async function isLeftoverClaim(dir: string, lockName: string, entry: string): Promise<boolean> {
  const claimant = new RegExp(`^${lockName.replace(/\./g, '\\.')}\\.(\\d+)\\.[0-9a-f]+$`).exec(entry)?.[1];
  if (claimant === undefined) return false;
  if (!isProcessAlive(Number(claimant))) return true;
  const info = await stat(path.join(dir, entry)).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > CLAIM_MAX_AGE_MS;
}

/**
 * Takes the lock at `lockPath`, taking over a stale one (with a warning saying whose and why),
 * or throws {@link IndexLockedError} naming the holder.
 */
export async function acquireBuildLock(lockPath: string, options: BuildLockOptions = {}): Promise<BuildLock> {
  const logger = options.logger ?? silentLogger;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const self = options.identity ?? (await currentProcessIdentity());
  const token = randomBytes(8).toString('hex');
  const record = JSON.stringify({ format: 2, ...self, acquiredAt: new Date().toISOString(), token });

  for (let attempt = 0; attempt < 3; attempt++) {
    // Write the claim first and link it into place: the lock never exists without its holder,
    // so a racing build cannot mistake a lock being written for a stale one. The open handle
    // refreshes the heartbeat of this very file, wherever its name goes.
    const claim = claimPath(lockPath, self.pid);
    let handle: FileHandle | null = null;
    try {
      await writeFile(claim, `${record}\n`);
      handle = await open(claim, 'r');
      await link(claim, lockPath);
    } catch (error) {
      await handle?.close();
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const existing = await readLock(lockPath);
      if (existing === null) continue; // released meanwhile: try again
      const verdict: Verdict = existing.record
        ? await judge(existing.record, existing.mtimeMs, self, staleAfterMs, Date.now())
        : { stale: true, reason: 'its content is unreadable' };
      if (!verdict.stale) throw lockedError(lockPath, existing.record ? holderOf(existing.record, existing.mtimeMs, self) : null, verdict.reason, staleAfterMs);
      logger.warn(
        { lock: lockPath, holder: existing.record ? { pid: existing.record.pid, hostname: existing.record.hostname } : null, reason: verdict.reason },
        `Taking over a stale index lock${existing.record ? ` of process ${existing.record.pid}${existing.record.hostname ? ` on ${existing.record.hostname}` : ''}` : ''}: ${verdict.reason}`,
      );
      await removeUnderTakeover(lockPath, existing.ino);
      continue;
    } finally {
      await rm(claim, { force: true });
    }
    return heldLock(lockPath, handle, heartbeatMs, token, logger);
  }
  throw new IndexLockedError(`Could not take the lock ${lockPath}; delete it if no build is running.`, lockPath, null, staleAfterMs);
}

async function readLock(lockPath: string): Promise<{ record: LockRecord | null; mtimeMs: number; ino: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { record: parseLockRecord(text), mtimeMs: info.mtimeMs, ino: info.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Removes the stale lock `ino`, one process at a time: whoever creates `.lock.takeover` first
 * checks that the lock is still that stale one and removes it; the others go round again and
 * find the winner's live lock. Without it, two processes taking over together could each move
 * aside what the other had just put in place, and a third could link its own lock in between:
 * two holders (seen once in 60 racing rounds on CI).
 */
async function removeUnderTakeover(lockPath: string, ino: number): Promise<void> {
  const takeover = `${lockPath}.takeover`;
  try {
    await writeFile(takeover, `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A process that died while taking over (it holds the file for milliseconds) leaves it behind.
    const info = await stat(takeover).catch(() => null);
    if (info && Date.now() - info.mtimeMs > CLAIM_MAX_AGE_MS) await rm(takeover, { force: true });
    return;
  }
  try {
    const current = await stat(lockPath).catch(() => null);
    if (current?.ino === ino) await rm(lockPath, { force: true });
  } finally {
    await rm(takeover, { force: true });
  }
}

function lockedError(lockPath: string, holder: LockHolder | null, reason: string, staleAfterMs: number): IndexLockedError {
  const who = holder
    ? `process ${holder.pid}${holder.thisProcess ? ' (this process)' : ''}${holder.hostname ? ` on ${holder.hostname}` : ''}, since ${holder.since.toISOString()}`
    : 'another process';
  return new IndexLockedError(
    `Another index build (${who}) is running in ${path.dirname(lockPath)}: ${reason}. ` +
      `Wait for it to finish. A lock whose process is gone is taken over by the next build (one from another host or container once its heartbeat is ${Math.round(staleAfterMs / 1000)} s old); if you are sure no build runs, delete ${lockPath}.`,
    lockPath,
    holder,
    staleAfterMs,
  );
}

function heldLock(lockPath: string, handle: FileHandle | null, heartbeatMs: number, token: string, logger: Logger): BuildLock {
  let released = false;
  let warned = false;
  const beat = (): void => {
    const now = new Date();
    handle?.utimes(now, now).catch((error: unknown) => {
      if (warned || released) return;
      warned = true;
      logger.warn({ lock: lockPath, error: String(error) }, 'Could not refresh the index lock heartbeat');
    });
  };
  // The heartbeat must never keep a finished CLI alive.
  const timer = setInterval(beat, heartbeatMs);
  timer.unref();
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        // Only our own lock: if it was taken over (this process stalled past the limit), the
        // file there now belongs to the new holder.
        const text = await readFile(lockPath, 'utf8').catch(() => null);
        if (text === null) return;
        if (parseLockRecord(text)?.token === token) await rm(lockPath, { force: true });
        else logger.warn({ lock: lockPath }, 'The index lock had been taken over by another process; leaving its lock in place');
      } finally {
        await handle?.close();
      }
    },
  };
}

/**
 * Red-team scenario (issue #10, finding 2): a stale `.lock` whose PID is in use again. In a fresh
 * container the indexer gets the same small PID every time, so the PID of the lock a killed
 * build left is alive — often the new build's own. Before, every build failed with "another build
 * (process N) is running" and every /reindex answered "already running", forever. Now:
 * - the CLI build takes such a lock over, saying whose and why, and builds;
 * - /reindex does too;
 * - while a live build of another process holds the lock, /reindex tells the moderator who holds
 *   it (process, host, since, last heartbeat) and what to do, in their language — not the
 *   "already running" of the bot's own rebuild — and goes through once that build is done.
 */
import { spawn } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/bot/messages.ts';
import { copySeed, runCliCommand, useTempDirs } from '../helpers/index-fixtures.ts';
import { PROJECT_ROOT, shownText, startHarness, TSX, type Harness } from './helpers.ts';

const tempDir = useTempDirs('quelle-rel-stale-lock-');
const longAgo = new Date(Date.now() - 24 * 3_600_000);
let seedsDir: string;

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
});

/** The lock an older Quelle left (the PID only), written long ago; that PID is alive now. */
async function legacyLockOf(pid: number, indexDir: string): Promise<void> {
  const lockPath = path.join(indexDir, '.lock');
  await writeFile(lockPath, `${pid}\n`);
  await utimes(lockPath, longAgo, longAgo);
}

describe('the indexer CLI over a lock whose PID is in use again', () => {
  it('an old-format lock naming a live process that started later: taken over with a warning, the build succeeds', async () => {
    const indexDir = await tempDir('index-');
    // The test process stands for "whoever has PID N now": alive, and started after the lock.
    await legacyLockOf(process.pid, indexDir);
    const { code, stdout, stderr } = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir, '--mode', 'lexical', '--json']);
    expect(stderr).toContain(`warning: Taking over a stale index lock of process ${process.pid}: process ${process.pid} started after the lock was written (its PID was reused)`);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { articles: number }).articles).toBe(1);
  });

  it('a lock from an earlier container (another PID namespace) whose heartbeat stopped: taken over, the build succeeds', async () => {
    const indexDir = await tempDir('index-');
    const lockPath = path.join(indexDir, '.lock');
    const record = { format: 2, pid: 12, hostname: os.hostname(), bootId: null, pidNamespace: 'pid:[4026532999]', startTicks: '4242', acquiredAt: longAgo.toISOString(), token: 'x' };
    await writeFile(lockPath, `${JSON.stringify(record)}\n`);
    await utimes(lockPath, longAgo, longAgo);
    const { code, stderr } = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir, '--mode', 'lexical']);
    expect(stderr).toMatch(/warning: Taking over a stale index lock of process 12 on .*: it was taken in another PID namespace \(container\), and its heartbeat is \d+ s old/);
    expect(code).toBe(0);
  });
});

describe('/reindex and the lock', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ seedsDir });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('a stale lock whose PID is the bot process itself: /reindex takes it over and rebuilds', { timeout: 30_000 }, async () => {
    await legacyLockOf(process.pid, h.indexDir);
    const reindex = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
    const done = await reindex.waitForEdit((message) => message.embeds.length > 0 || /already|failed/.test(message.content), 20_000);
    expect(done.embeds[0]?.title).toBe('Index rebuilt');
    expect(h.logger.lines.join('\n')).toContain(`Taking over a stale index lock of process ${process.pid}`);
  });

  it('a live build in another process: the moderator is told who holds the lock and what to do, in German; then /reindex goes through', { timeout: 60_000 }, async () => {
    const holder = spawn(TSX, [path.join('test', 'reliability', 'lock-holder.ts'), h.indexDir], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
        holder.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
      });
      const record = JSON.parse(await readFile(path.join(h.indexDir, '.lock'), 'utf8')) as { pid: number; hostname: string; acquiredAt: string };

      const reindex = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId, locale: 'de' });
      const blocked = await reindex.waitForEdit((message) => message.content !== messagesFor('de').reindexStarted, 20_000);
      expect(blocked.ephemeral).toBe(true);
      expect(blocked.content).not.toBe(messagesFor('de').reindexRunning);
      expect(blocked.content).toContain('ein anderer Aufbau hält seine Sperre');
      expect(blocked.content).toContain(`Prozess ${record.pid} auf ${record.hostname}`);
      expect(blocked.content).toContain(`seit <t:${Math.floor(Date.parse(record.acquiredAt) / 1000)}:R>`);
      expect(blocked.content).toMatch(/letzter Herzschlag <t:\d+:R>/);
      expect(blocked.content).toContain('Warte, bis er fertig ist, und starte /reindex dann erneut');
      expect(h.logger.lines.join('\n')).toContain('Reindex blocked by another build');

      // The other build ends: the next /reindex rebuilds.
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.stdin!.end();
      await exited;
      const again = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
      const done = await again.waitForEdit((message) => message.embeds.length > 0 || /already|cannot/.test(message.content), 20_000);
      expect(shownText(done)).toContain('Index rebuilt');
      expect(h.twin.violations).toEqual([]);
    } finally {
      holder.kill();
    }
  });
});

/**
 * The check-then-open race: a file that is a plain article when it is checked and is replaced (by
 * a link to a secret outside the folder, or by a FIFO) before it is opened. The
 * swap is made from inside the file system calls the reader makes after its check, so that it
 * lands exactly in the window, every run.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as FsPromises from 'node:fs/promises';

/** Runs once, at the first open or read of an article file after the reader's check. */
const swap: { file: string | null; action: (() => Promise<void>) | null } = { file: null, action: null };

async function swapIfDue(target: unknown): Promise<void> {
  if (swap.action === null || typeof target !== 'string' || path.basename(target) !== swap.file) return;
  const action = swap.action;
  swap.action = null;
  await action();
}

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      await swapIfDue(args[0]);
      return fs.open(...args);
    },
    readFile: async (...args: Parameters<typeof fs.readFile>) => {
      await swapIfDue(args[0]);
      return fs.readFile(...args);
    },
  };
});

const { readArticles } = await import('../../src/articles/read-articles.ts');

const GOOD = 'Ein guter Titel\n\nEin Absatz mit Inhalt.\n';
const SECRET = 'DISCORD_TOKEN=MTQwMDAwMDAwMDAwMDAwMDAwMA.Gx_y-Z.abc_def-ghij_klmn-opqrstuvwxyz_0123456789\n\nDISCORD_CLIENT_ID=1\n';

let dir: string;
let seeds: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'quelle-race-'));
  seeds = path.join(dir, 'seeds');
  await mkdir(seeds);
  await writeFile(path.join(dir, '.env'), SECRET);
  await writeFile(path.join(seeds, 'notes.txt'), GOOD);
});

afterEach(async () => {
  swap.action = null;
  await rm(dir, { recursive: true, force: true });
});

describe('readArticles: a file replaced between the check and the open', () => {
  it.each([
    ['a link to the .env outside the folder', () => symlink('../.env', path.join(seeds, 'notes.txt'))],
    ['a link to a FIFO outside the folder', async () => {
      execFileSync('mkfifo', [path.join(dir, 'pipe')]);
      await symlink('../pipe', path.join(seeds, 'notes.txt'));
    }],
    ['a FIFO (an open without O_NONBLOCK would wait for a writer forever)', async () => {
      execFileSync('mkfifo', [path.join(seeds, 'notes.txt')]);
    }],
  ])('is not read when it became %s', { timeout: 10_000 }, async (_label, replace) => {
    swap.file = 'notes.txt';
    swap.action = async () => {
      await unlink(path.join(seeds, 'notes.txt'));
      await replace();
    };
    const result = await readArticles(seeds);
    expect(swap.action, 'the swap ran inside the read').toBeNull();
    expect(result.articles).toEqual([]);
    expect(result.skipped).toEqual([{ file: 'notes.txt', reason: 'changed while it was being read; run the build again' }]);
  });

  it('is read when nothing changed (the check does not refuse ordinary files)', async () => {
    const result = await readArticles(seeds);
    expect(result.articles.map((article) => article.title)).toEqual(['Ein guter Titel']);
  });
});

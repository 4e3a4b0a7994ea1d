/**
 * Crash safety of the generation store and the build lock: whatever an interrupted save leaves
 * behind, the previous generation stays loadable and the next build cleans up.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArticles } from '../../src/articles/read-articles.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { ErrorCode, QuelleError } from '../../src/errors.ts';
import { buildIndex } from '../../src/indexer/build-index.ts';
import { loadIndex, lockIndex, saveIndex, type SaveIndexInput } from '../../src/index/index-store.ts';
import type { LexicalIndex } from '../../src/index/lexical-index.ts';
import type { VectorIndex } from '../../src/index/vector-index.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { copySeed, fixtureModelSettings, loadFixtureEmbedder, useTempDirs, writeArticle } from '../helpers/index-fixtures.ts';
import { ageRetiredGenerations } from '../helpers/generations.ts';

const tempDir = useTempDirs('quelle-crash-');
let seedsDir: string;
let embedder: Embedder;

beforeAll(async () => {
  embedder = await loadFixtureEmbedder();
  seedsDir = await copySeed(await tempDir('seeds-'));
});

async function current(dir: string): Promise<string> {
  return (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
}

/** A directory holding one lexical index generation of the seed article. */
async function indexedDir(mode: 'lexical' | 'hybrid' = 'lexical'): Promise<string> {
  const dir = await tempDir('index-');
  await runIndexer({ seedsDir, indexDir: dir, mode, modelSettings: fixtureModelSettings, embedder });
  return dir;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.pid).toBeGreaterThan(0);
  return child.pid!;
}

async function expectRejectsWithCode(promise: Promise<unknown>, code: string): Promise<QuelleError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QuelleError);
  expect((error as QuelleError).code).toBe(code);
  return error as QuelleError;
}

describe('interrupted saves', () => {
  it('a killed save (temporary and orphan generations, a half-written CURRENT) leaves the previous generation loadable; the next build removes the leftovers', async () => {
    const dir = await indexedDir();
    const live = await current(dir);
    const before = await loadIndex(dir);

    // What a process killed during saveIndex leaves: a half-written temporary generation, a
    // complete generation renamed into place but never made current, and CURRENT's temp file.
    const orphan = 'gen-2099-01-01T00-00-00-000Z-abcdef';
    const temporary = `.tmp-gen-2099-01-01T00-00-01-000Z-123456`;
    await cp(path.join(dir, live), path.join(dir, orphan), { recursive: true });
    await writeFile(path.join(dir, orphan, 'passages.json'), '{"articles":[],"passages":[]}');
    await mkdir(path.join(dir, temporary));
    await writeFile(path.join(dir, temporary, 'passages.json'), '{"articles":[{"id":"half');
    await writeFile(path.join(dir, '.CURRENT.4242.tmp'), `${orphan}\n`);

    const loaded = await loadIndex(dir);
    expect(loaded.manifest).toEqual(before.manifest);
    expect(loaded.passages).toEqual(before.passages);
    expect(await current(dir)).toBe(live);

    const { summary } = await runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
    expect(summary.unchanged).toBe(1);
    const next = await current(dir);
    expect(next).not.toBe(live);
    // The leftovers are gone; the generation just replaced stays for its grace period.
    expect((await readdir(dir)).sort()).toEqual(['CURRENT', live, next].sort());
    expect((await loadIndex(dir)).passages).toEqual(before.passages);
    // Once that is over, the next build (or lock) removes it.
    expect(await ageRetiredGenerations(dir)).toEqual([live]);
    await (await lockIndex(dir)).release();
    expect((await readdir(dir)).sort()).toEqual(['CURRENT', next]);
  });

  it('taking the lock alone removes leftovers but keeps the current generation', async () => {
    const dir = await indexedDir();
    const live = await current(dir);
    await mkdir(path.join(dir, '.tmp-gen-x'));
    await mkdir(path.join(dir, 'gen-orphan'));
    const lock = await lockIndex(dir);
    try {
      expect((await readdir(dir)).sort()).toEqual(['.lock', 'CURRENT', live]);
    } finally {
      await lock.release();
    }
    expect((await readdir(dir)).sort()).toEqual(['CURRENT', live]);
  });

  async function failingSave(dir: string, breakInput: (input: SaveIndexInput) => SaveIndexInput): Promise<void> {
    const live = await current(dir);
    const before = await loadIndex(dir);
    const { articles } = await readArticles(seedsDir);
    const built = await buildIndex({ articles, mode: 'hybrid', embedder });
    await expect(saveIndex(dir, breakInput(built.index))).rejects.toThrow(/disk full/);
    // CURRENT still names the previous generation, nothing half-written stays behind.
    expect(await current(dir)).toBe(live);
    expect((await readdir(dir)).sort()).toEqual(['CURRENT', live]);
    const loaded = await loadIndex(dir);
    expect(loaded.manifest).toEqual(before.manifest);
    expect(loaded.passages).toEqual(before.passages);
  }

  it('a save that fails after writing passages.json keeps the previous generation current', async () => {
    const dir = await indexedDir();
    await failingSave(dir, (input) => ({
      ...input,
      lexical: {
        toJSON() {
          throw new Error('ENOSPC: disk full');
        },
      } as unknown as LexicalIndex,
    }));
  });

  it('a save that fails while writing the vectors keeps the previous (hybrid) generation current', async () => {
    const dir = await indexedDir('hybrid');
    await failingSave(dir, (input) => ({
      ...input,
      vectors: {
        async save(file: string) {
          await writeFile(file, 'partial');
          throw new Error('ENOSPC: disk full');
        },
      } as unknown as VectorIndex,
    }));
  });

  it('an aborted reindex keeps the previous index and releases the lock', async () => {
    const dir = await indexedDir();
    const live = await current(dir);
    const changedSeeds = await copySeed(await tempDir('seeds-changed-'));
    await writeArticle(changedSeeds, '001_neu', { title: 'Ein neuer Artikel über die Koalition der Willigen', paragraphs: ['Ein neuer Absatz.'] });
    const controller = new AbortController();
    controller.abort();
    await expect(
      runIndexer({ seedsDir: changedSeeds, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings, signal: controller.signal }),
    ).rejects.toThrow();
    expect(await current(dir)).toBe(live);
    expect((await loadIndex(dir)).manifest.counts.articles).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['CURRENT', live]);
  });
});

describe('build lock', () => {
  it('refuses a second concurrent build with INDEX_LOCKED, and allows one after release', async () => {
    const dir = await tempDir('lock-');
    const lock = await lockIndex(dir);
    try {
      const second = await expectRejectsWithCode(lockIndex(dir), ErrorCode.IndexLocked);
      expect(second.message).toContain(`process ${process.pid}`);
      expect(second.message).toContain(path.join(dir, '.lock'));
      await expectRejectsWithCode(runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings }), ErrorCode.IndexLocked);
      // The refused build neither removed the lock nor wrote an index.
      expect(await readdir(dir)).toEqual(['.lock']);
    } finally {
      await lock.release();
    }
    await lock.release(); // idempotent
    const { summary } = await runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
    expect(summary.articles).toBe(1);
    expect(await readdir(dir)).not.toContain('.lock');
  });

  it('two builds started together: exactly one wins, the other gets INDEX_LOCKED', async () => {
    const dir = await tempDir('race-');
    const results = await Promise.allSettled([
      runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings }),
      runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0]!.reason as QuelleError).code).toBe(ErrorCode.IndexLocked);
    expect((await loadIndex(dir)).manifest.counts.passages).toBe(4);
  });

  it('never grants the lock twice to racing callers (a lock being written is not stale)', async () => {
    // Before the pid was linked into place, a racer could read the lock while it was still
    // empty, take it for stale and delete it: two holders in a few percent of the races.
    const dir = await tempDir('lock-race-');
    for (let round = 0; round < 200; round++) {
      const results = await Promise.allSettled([lockIndex(dir), lockIndex(dir), lockIndex(dir)]);
      const held = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof lockIndex>>> => r.status === 'fulfilled');
      expect(held, `round ${round}`).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as QuelleError).code).toBe(ErrorCode.IndexLocked);
      await held[0]!.value.release();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dir = await indexedDir();
    const pid = deadPid();
    await writeFile(path.join(dir, '.lock'), `${pid}\n`);
    const lock = await lockIndex(dir);
    expect((JSON.parse(await readFile(path.join(dir, '.lock'), 'utf8')) as { pid: number }).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).not.toContain('.lock');

    // And a build goes through a stale lock too.
    await writeFile(path.join(dir, '.lock'), `${deadPid()}\n`);
    const { summary } = await runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
    expect(summary.unchanged).toBe(1);
    expect(await readdir(dir)).not.toContain('.lock');
  });

  it('releases the lock when a build fails', async () => {
    const dir = await tempDir('fail-');
    const error = await expectRejectsWithCode(
      runIndexer({ seedsDir: path.join(dir, 'no-such-seeds'), indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings }),
      ErrorCode.SeedsMissing,
    );
    expect(error.message).toContain('no-such-seeds');
    expect(await readdir(dir)).toEqual([]);
    await (await lockIndex(dir)).release();
  });
});

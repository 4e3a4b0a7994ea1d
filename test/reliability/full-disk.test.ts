/**
 * A full disk during save (issue #6). On a real, small tmpfs (needs root with CAP_SYS_ADMIN; the
 * tests skip with a message where mounting is not permitted — full-disk-simulated.test.ts covers
 * the same sweep with ENOSPC injected into fs writes), the free space is set so that the disk
 * fills inside each file of a new generation in turn, then inside the switch of CURRENT: every
 * failing save says so clearly and leaves the previous index current, loadable and answering,
 * and the next start removes what the failed save left. The bot's /reindex on a full disk says
 * the rebuild failed and keeps answering from the previous index.
 *
 * Also, without a mount: hnswlib writes its file without checking for write errors (on a full
 * tmpfs it leaves a truncated file and reports success); saveIndex must not vouch for such a file.
 */
import { statfs } from 'node:fs/promises';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArticles } from '../../src/articles/read-articles.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { buildIndex, type BuildResult } from '../../src/indexer/build-index.ts';
import { loadIndex, lockIndex, saveIndex } from '../../src/index/index-store.ts';
import { LEXICAL_FILE, MANIFEST_FILE, PASSAGES_FILE, VECTORS_FILE } from '../../src/index/manifest.ts';
import type { VectorIndex } from '../../src/index/vector-index.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { fixtureModelSettings, loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { ask, MiB, mountTmpfs, SEED_QUESTION, startHarness, tempDir, undisposable, writeCorpus } from './helpers.ts';

const PAGE = 4096;
const mounted = await mountTmpfs(16 * MiB);
if (!mounted.dir) console.log(`full-disk (tmpfs): skipped — ${mounted.reason}`);

let work: string;
let embedder: Embedder;
let previousSeeds: string;
let nextSeeds: string;

beforeAll(async () => {
  work = await tempDir('disk-');
  embedder = await loadFixtureEmbedder();
  previousSeeds = await writeCorpus(path.join(work, 'previous'), 60, 1);
  nextSeeds = await writeCorpus(path.join(work, 'next'), 200, 2);
});

afterAll(async () => {
  if (mounted.dir) await mounted.unmount();
  if (work) await rm(work, { recursive: true, force: true });
});

async function current(dir: string): Promise<string> {
  return (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
}

/** Leaves exactly `bytes` free on the filesystem of `dir` by sizing a ballast file. */
async function leaveFree(dir: string, bytes: number): Promise<void> {
  const ballast = path.join(dir, 'ballast');
  await rm(ballast, { force: true });
  const { bavail, bsize } = await statfs(dir);
  const size = bavail * bsize - bytes;
  if (size > 0) await writeFile(ballast, Buffer.alloc(size));
}

async function answers(dir: string): Promise<number> {
  return (await new Retriever(await loadIndex(dir), embedder).search(SEED_QUESTION, { k: 3 })).hits.length;
}

describe.skipIf(!mounted.dir)('a real full disk (tmpfs) during save', () => {
  it('wherever the disk fills, the previous index stays current and answers; the next start cleans up', { timeout: 60_000 }, async () => {
    const dir = path.join(mounted.dir!, 'sweep');
    await runIndexer({ seedsDir: previousSeeds, indexDir: dir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    const previous = await current(dir);
    const previousManifest = (await loadIndex(dir)).manifest;
    const { articles } = await readArticles(nextSeeds);
    const built: BuildResult = await buildIndex({ articles, mode: 'hybrid', embedder });

    // What the new generation needs, file by file, in the order saveIndex writes them.
    const dry = await tempDir('disk-dry-');
    const manifest = await saveIndex(dry, built.index);
    const manifestBytes = (await readFile(path.join(dry, await current(dry), MANIFEST_FILE))).length;
    await rm(dry, { recursive: true, force: true });
    const order = [PASSAGES_FILE, LEXICAL_FILE, VECTORS_FILE, MANIFEST_FILE];
    const pages = (file: string) => Math.ceil((file === MANIFEST_FILE ? manifestBytes : manifest.files[file]!.bytes) / PAGE);
    const levels: { stage: string; free: number }[] = [{ stage: 'nothing free', free: 0 }];
    let before = 0;
    for (const file of order) {
      levels.push({ stage: `inside ${file}`, free: (before + Math.floor(pages(file) / 2)) * PAGE });
      before += pages(file);
    }
    levels.push({ stage: 'at the switch of CURRENT', free: before * PAGE });

    const report: string[] = [];
    for (const { stage, free } of levels) {
      await leaveFree(mounted.dir!, free);
      const error = await saveIndex(dir, built.index).then(
        () => null,
        (e: unknown) => e as Error,
      );
      report.push(`${stage} (${free / 1024} KiB free): ${error ? error.message.split('\n')[0] : 'saved'}`);
      expect(error, stage).toBeInstanceOf(Error);
      expect(error!.message, stage).toMatch(/Not enough disk space to save the index in .*free some space|disk full/);
      // The previous generation is still current, loads unchanged and answers — on the full disk.
      expect(await current(dir)).toBe(previous);
      expect((await loadIndex(dir)).manifest.createdAt).toBe(previousManifest.createdAt);
      expect(await answers(dir)).toBeGreaterThan(0);
      expect((await readdir(dir)).filter((entry) => entry.startsWith('.tmp-'))).toEqual([]);
      // The next start (once there is room for its lock file) removes any orphan generation.
      await rm(path.join(mounted.dir!, 'ballast'), { force: true });
      await (await lockIndex(dir)).release();
      expect((await readdir(dir)).sort()).toEqual(['CURRENT', previous]);
    }
    // With room, the same save goes through and the new index serves.
    await leaveFree(mounted.dir!, (before + 2) * PAGE);
    await saveIndex(dir, built.index);
    await rm(path.join(mounted.dir!, 'ballast'), { force: true });
    expect((await loadIndex(dir)).manifest.counts.articles).toBe(201);
    expect(await answers(dir)).toBeGreaterThan(0);
    console.log(`full disk (tmpfs) sweep:\n  ${report.join('\n  ')}`);
    await rm(dir, { recursive: true, force: true });
  });

  it('/reindex on a full disk says it failed, and the bot keeps answering from the previous index', { timeout: 60_000 }, async () => {
    const indexDir = path.join(mounted.dir!, 'bot');
    await runIndexer({ seedsDir: previousSeeds, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    const h = await startHarness({ seedsDir: nextSeeds, indexDir, embedder: undisposable(embedder) });
    try {
      const before = h.bot.service.current;
      await leaveFree(mounted.dir!, 64 * 1024);
      const reindex = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
      const failed = await reindex.waitForEdit((message) => /rebuild failed/.test(message.content), 30_000);
      expect(failed.content).toContain('the previous index keeps serving');
      expect(failed.content).toContain(`Not enough disk space to save the index in ${indexDir}`);
      expect(h.bot.service.current).toBe(before);
      const answer = await ask(h.twin, SEED_QUESTION);
      expect((await answer.waitForFinal(10_000)).embeds[0]!.fields!.length).toBeGreaterThan(0);

      // Space again: the next /reindex goes through.
      await rm(path.join(mounted.dir!, 'ballast'), { force: true });
      const again = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
      await again.waitForEdit((message) => message.embeds.length > 0, 30_000);
      expect(h.bot.service.current!.index.manifest.counts.articles).toBe(201);
      expect(h.twin.violations).toEqual([]);
    } finally {
      await rm(path.join(mounted.dir!, 'ballast'), { force: true });
      await h.stop();
    }
  });
});

describe('vectors written without an error but truncated (what hnswlib does on a full disk)', () => {
  it('the save fails and the previous generation stays current', async () => {
    const dir = await tempDir('disk-trunc-');
    try {
      await runIndexer({ seedsDir: previousSeeds, indexDir: dir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
      const previous = await current(dir);
      const { articles } = await readArticles(nextSeeds);
      const built = await buildIndex({ articles, mode: 'hybrid', embedder });
      const real = built.index.vectors!;
      const truncating = Object.create(real) as VectorIndex;
      Object.defineProperty(truncating, 'save', {
        value: async (file: string) => {
          await real.save(file);
          const bytes = await readFile(file);
          await writeFile(file, bytes.subarray(0, Math.floor(bytes.length * 0.6))); // no error, like hnswlib
        },
      });
      const error = await saveIndex(dir, { ...built.index, vectors: truncating }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(VECTORS_FILE);
      expect(error?.message).toMatch(/disk full/);
      expect(await current(dir)).toBe(previous);
      expect((await readdir(dir)).sort()).toEqual(['CURRENT', previous]);
      expect(await answers(dir)).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

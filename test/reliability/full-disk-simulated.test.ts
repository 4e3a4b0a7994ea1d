/**
 * A full disk during save, simulated (issue #6), for machines where a tmpfs cannot be mounted
 * (full-disk.test.ts does it for real). `node:fs/promises` is wrapped so that writes fail with
 * ENOSPC once a byte budget is used up — after writing what fits, like a real disk. Sweeping the
 * budget through the new generation's files and the switch of CURRENT: every failing build says
 * the disk is full and that the previous index is unchanged, the previous index stays current and
 * answers, and the next start leaves nothing behind. (hnswlib writes natively, past this wrapper;
 * its silent truncation is covered in full-disk.test.ts.)
 */
import type * as FsPromises from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ budget: null as number | null, failures: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const enospc = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  /** Takes `bytes` from the budget; returns how many fit when they do not all fit. */
  const take = (bytes: number): number | null => {
    if (disk.budget === null || bytes <= disk.budget) {
      if (disk.budget !== null) disk.budget -= bytes;
      return null;
    }
    const fits = disk.budget;
    disk.budget = 0;
    disk.failures++;
    return fits;
  };
  const size = (data: unknown): number => (typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength);
  const open: typeof actual.open = async (file, flags, mode) => {
    const handle = await actual.open(file, flags, mode);
    if (flags !== 'w') return handle;
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'writeFile') {
          return async (data: string | Uint8Array) => {
            const fits = take(size(data));
            if (fits === null) return target.writeFile(data);
            await target.writeFile(Buffer.from(data).subarray(0, fits));
            throw enospc();
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  const writeFile: typeof actual.writeFile = async (file, data, options) => {
    const fits = take(size(data));
    if (fits === null) return actual.writeFile(file, data, options);
    await actual.writeFile(file, Buffer.from(data as Uint8Array).subarray(0, fits), options);
    throw enospc();
  };
  return { ...actual, open, writeFile, default: { ...actual, open, writeFile } };
});

const { readFile, readdir, rm } = await import('node:fs/promises');
const { loadIndex } = await import('../../src/index/index-store.ts');
const { runIndexer } = await import('../../src/indexer/run-indexer.ts');
const { EMBEDDING_CACHE_FILE } = await import('../../src/indexer/embedding-cache.ts');
const { Retriever } = await import('../../src/retrieval/retriever.ts');
const { fixtureModelSettings, loadFixtureEmbedder } = await import('../helpers/index-fixtures.ts');
const { SEED_QUESTION, tempDir, writeCorpus } = await import('./helpers.ts');

let work: string;
let previousSeeds: string;
let nextSeeds: string;

beforeAll(async () => {
  work = await tempDir('disk-sim-');
  previousSeeds = await writeCorpus(path.join(work, 'previous'), 40, 1);
  nextSeeds = await writeCorpus(path.join(work, 'next'), 120, 2);
});

afterAll(async () => {
  disk.budget = null;
  if (work) await rm(work, { recursive: true, force: true });
});

async function current(dir: string): Promise<string> {
  return (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
}

describe('ENOSPC injected into the writes of a build (simulated full disk)', () => {
  it('at every budget the previous index stays current and answers, with a clear error', { timeout: 60_000 }, async () => {
    const embedder = await loadFixtureEmbedder();
    const dir = path.join(work, 'index');
    const build = (seedsDir: string) => runIndexer({ seedsDir, indexDir: dir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    await build(previousSeeds);
    const previous = await current(dir);
    const createdAt = (await loadIndex(dir)).manifest.createdAt;

    // How many bytes the new build writes through fs (the lock's pid, passages, lexical, manifest, CURRENT).
    const probe = path.join(work, 'probe');
    disk.budget = Number.MAX_SAFE_INTEGER;
    await runIndexer({ seedsDir: nextSeeds, indexDir: probe, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    const total = Number.MAX_SAFE_INTEGER - disk.budget;
    disk.budget = null;

    const budgets = [0, 3, ...[0.1, 0.3, 0.5, 0.7, 0.9, 0.97].map((f) => Math.floor(total * f)), total - 10];
    const messages = new Set<string>();
    for (const budget of budgets) {
      disk.budget = budget;
      const error = await build(nextSeeds).then(
        () => null,
        (e: unknown) => e as Error,
      );
      disk.budget = null;
      expect(error, `budget ${budget} of ${total}`).toBeInstanceOf(Error);
      messages.add(error!.message.replace(dir, 'DIR').replace(/\.lock\.\d+\.\w+/, '.lock.PID'));
      expect(error!.message).toMatch(new RegExp(`Not enough disk space .*${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*unchanged`));
      expect(await current(dir)).toBe(previous);
      const index = await loadIndex(dir);
      expect(index.manifest.createdAt).toBe(createdAt);
      expect((await new Retriever(index, embedder).search(SEED_QUESTION, { k: 3 })).hits.length).toBeGreaterThan(0);
      // Whatever the failed build left (at most an orphan generation), the next start removes it.
      const { lockIndex } = await import('../../src/index/index-store.ts');
      await (await lockIndex(dir)).release();
      // The embedding cache stays: the next build takes up what this one embedded (issue #12).
      expect((await readdir(dir)).filter((entry) => entry !== EMBEDDING_CACHE_FILE).sort()).toEqual(['CURRENT', previous]);
    }
    console.log(`simulated full disk: ${budgets.length} budgets from 0 to ${total} bytes, all kept the previous index; errors:\n  ${[...messages].join('\n  ')}`);
    expect(disk.failures).toBe(budgets.length);

    disk.budget = total + 1024;
    await build(nextSeeds);
    disk.budget = null;
    expect((await loadIndex(dir)).manifest.counts.articles).toBe(121);
  });
});

/**
 * A load that races a switch of generations (issue #10, finding 5): when another process
 * switches `CURRENT` and removes the generation this load had just read from it, the load
 * follows `CURRENT` to the new generation instead of reporting a corrupt index. It does so a
 * bounded number of times, and never when `CURRENT` did not change (a damaged index is reported
 * as before). `node:fs/promises` is wrapped so that the switch lands exactly between reading
 * `CURRENT` and reading the generation's manifest.
 */
import type * as FsPromises from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const race = vi.hoisted(() => ({
  /** Called before each read of a manifest.json, with its path. */
  onManifestRead: null as ((file: string) => Promise<void>) | null,
  manifestReads: 0,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const readFile = (async (file: Parameters<typeof actual.readFile>[0], options?: Parameters<typeof actual.readFile>[1]) => {
    if (typeof file === 'string' && file.endsWith('manifest.json')) {
      race.manifestReads++;
      await race.onManifestRead?.(file);
    }
    return actual.readFile(file, options);
  }) as typeof actual.readFile;
  return { ...actual, readFile, default: { ...actual, readFile } };
});

const { readdir, rm, writeFile, readFile } = await import('node:fs/promises');
const { loadIndex } = await import('../../src/index/index-store.ts');
const { runIndexer } = await import('../../src/indexer/run-indexer.ts');
const { ErrorCode, QuelleError } = await import('../../src/errors.ts');
const { copySeed, fixtureModelSettings, useTempDirs, writeArticle } = await import('../helpers/index-fixtures.ts');

const tempDir = useTempDirs('quelle-load-retry-');
let seedsDir: string;

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
});

/** An index folder with two generations: `old` (current, 1 article) and `next` (2 articles). */
async function twoGenerations(): Promise<{ dir: string; old: string; next: string }> {
  const dir = await tempDir('index-');
  await runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
  const old = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
  const more = await copySeed(await tempDir('seeds-more-'));
  await writeArticle(more, '001_zweiter', { title: 'Ein zweiter Artikel', paragraphs: ['Noch ein Absatz über etwas anderes.'] });
  await runIndexer({ seedsDir: more, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
  const next = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
  await writeFile(path.join(dir, 'CURRENT'), `${old}\n`);
  return { dir, old, next };
}

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof QuelleError>> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QuelleError);
  return error as InstanceType<typeof QuelleError>;
}

describe('loadIndex while CURRENT switches', () => {
  it('the generation it read from CURRENT is switched away and removed: it loads the new one', async () => {
    const { dir, old, next } = await twoGenerations();
    race.manifestReads = 0;
    race.onManifestRead = async (file) => {
      if (!file.includes(old)) return;
      // Another process's save: CURRENT switched, the old generation removed at once.
      await writeFile(path.join(dir, 'CURRENT'), `${next}\n`);
      await rm(path.join(dir, old), { recursive: true, force: true });
    };
    try {
      const index = await loadIndex(dir);
      expect(index.manifest.counts.articles).toBe(2);
      expect(race.manifestReads).toBe(2);
      expect(await readdir(dir)).not.toContain(old);
    } finally {
      race.onManifestRead = null;
    }
  });

  it('gives up after a few attempts when CURRENT keeps changing, with the last error', async () => {
    const { dir } = await twoGenerations();
    race.manifestReads = 0;
    let switches = 0;
    race.onManifestRead = async (file) => {
      await writeFile(path.join(dir, 'CURRENT'), `gen-gone-${++switches}\n`);
      await rm(path.dirname(file), { recursive: true, force: true });
    };
    try {
      const error = await failure(loadIndex(dir));
      expect(error.code).toBe(ErrorCode.IndexCorrupt);
      expect(race.manifestReads).toBe(3);
    } finally {
      race.onManifestRead = null;
    }
  });

  it('does not retry a damaged generation when CURRENT did not change', async () => {
    const { dir, old } = await twoGenerations();
    await writeFile(path.join(dir, old, 'manifest.json'), '{');
    race.manifestReads = 0;
    const error = await failure(loadIndex(dir));
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(path.join(dir, old, 'manifest.json'));
    expect(race.manifestReads).toBe(1);
  });
});

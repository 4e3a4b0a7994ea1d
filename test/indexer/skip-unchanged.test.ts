/**
 * Updates asked for by the watcher and article changes often find nothing new (the bot's own
 * write seen again): with `skipUnchanged` such a build keeps the previous generation instead of
 * saving an identical one, and a real change still builds.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { copySeed, fixtureModelSettings, loadFixtureEmbedder, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-skip-');
const generations = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith('gen-'));

describe('runIndexer with skipUnchanged', () => {
  it('saves nothing when nothing changed, and builds when an article did', async () => {
    const seedsDir = await copySeed(await tempDir('seeds-'));
    const indexDir = await tempDir('index-');
    const embedder = await loadFixtureEmbedder();
    const options = { seedsDir, indexDir, mode: 'hybrid' as const, modelSettings: fixtureModelSettings, embedder };
    const first = await runIndexer(options);
    const before = await generations(indexDir);

    const again = await runIndexer({ ...options, previous: first.index, skipUnchanged: true });
    expect(again.unchanged).toBe(true);
    expect(again.index).toBe(first.index);
    expect(again.summary).toMatchObject({ added: [], changed: [], removed: [], unchanged: 1, embeddedPassages: 0 });
    expect(await generations(indexDir)).toEqual(before);

    // Read from disk (no `previous` given) it is the same.
    expect((await runIndexer({ ...options, skipUnchanged: true })).unchanged).toBe(true);

    await writeFile(path.join(seedsDir, 'neu.txt'), 'Lokal\n\nNeue Meldung\n\nEin neuer Absatz über den Hafen.\n');
    const changed = await runIndexer({ ...options, previous: first.index, skipUnchanged: true });
    expect(changed.unchanged).toBeUndefined();
    expect(changed.summary.added).toEqual(['neu']);
    expect(changed.summary.embeddedPassages).toBe(1);
    expect((await loadIndex(indexDir)).manifest.counts.articles).toBe(2);
  });
});

/**
 * The seeds watcher collects chokidar's events and flushes them on a trailing timer: a burst of
 * files is one flush; a long copy is flushed every `maxWaitMs`; temporary, hidden and non-article
 * files are ignored.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchSeeds, type SeedsWatcher } from '../../src/ingest/seeds-watcher.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-watch-');
let watcher: SeedsWatcher | null = null;

afterEach(async () => {
  await watcher?.close();
  watcher = null;
});

/** Resolves with the flushes once `count` files were reported in all, or fails after `ms`. */
function collect(count: number, ms = 10_000) {
  const flushes: string[][] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`only ${flushes.flat().length} of ${count} files reported: ${JSON.stringify(flushes.map((f) => f.length))}`)), ms);
  });
  const onChanges = (files: ReadonlySet<string>): void => {
    flushes.push([...files]);
    if (flushes.flat().length >= count) done();
  };
  return { flushes, all, onChanges };
}

describe('watchSeeds', () => {
  it('reports a burst of 300 files as one flush, ignoring temporary, hidden and other files and subfolders', async () => {
    const dir = await tempDir();
    const { flushes, all, onChanges } = collect(300);
    watcher = await watchSeeds(dir, onChanges, recordingLogger(), { quietMs: 400 });
    await mkdir(path.join(dir, 'unter'));
    for (const junk of ['.a.md', 'b.md.swp', 'c.txt~', 'd.crdownload', 'e.pdf', '.quelle-1-abc.tmp', path.join('unter', 'f.md')]) await writeFile(path.join(dir, junk), 'x');
    for (let i = 0; i < 300; i++) await writeFile(path.join(dir, `a${i}.md`), 'Titel\n\nText.\n');
    await all;
    expect(flushes).toHaveLength(1);
    expect(new Set(flushes[0])).toEqual(new Set(Array.from({ length: 300 }, (_, i) => `a${i}.md`)));
  });

  it('flushes a long copy every maxWaitMs, and reports deletions', async () => {
    const dir = await tempDir();
    const { flushes, all, onChanges } = collect(41, 15_000);
    watcher = await watchSeeds(dir, onChanges, recordingLogger(), { quietMs: 300, maxWaitMs: 600 });
    for (let i = 0; i < 40; i++) {
      await writeFile(path.join(dir, `b${i}.txt`), 'Titel\n\nText.\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await rm(path.join(dir, 'b0.txt'));
    await all;
    expect(flushes.length).toBeGreaterThanOrEqual(2);
    expect(flushes.length).toBeLessThanOrEqual(6);
    expect(flushes.at(-1)).toContain('b0.txt');
  });
});

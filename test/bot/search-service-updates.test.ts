/**
 * The search service's index updates (issue #13): requests during a build share the next one; an
 * update waits while another process holds the build lock, then builds; a generation another
 * process makes current is served (hot reload), and the old one serves until then.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SearchService } from '../../src/bot/search-service.ts';
import { loadCoreConfig } from '../../src/config.ts';
import { Analyzer } from '../../src/index/analyzer.ts';
import { currentProcessIdentity } from '../../src/index/build-lock.ts';
import { lockIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';
import { copySeed, fixtureModelSettings, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-updates-');
let service: SearchService | null = null;

afterEach(async () => {
  vi.restoreAllMocks();
  await service?.dispose();
  service = null;
});

async function lexicalService(options: { hotReload?: boolean } = {}) {
  const seedsDir = await copySeed(await tempDir('seeds-'));
  const indexDir = await tempDir('index-');
  await runIndexer({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });
  const logger = recordingLogger();
  service = new SearchService(loadCoreConfig({ QUELLE_SEEDS_DIR: seedsDir, QUELLE_INDEX_DIR: indexDir, QUELLE_MODE: 'lexical' }), logger, undefined, { lockRetryMs: 50, ...options });
  await service.start();
  return { seedsDir, indexDir, logger, service };
}

const article = (words: string) => `Lokal\n\nMeldung über ${words}\n\nEin Absatz über ${words} am Hafen.\n`;

describe('SearchService updates', () => {
  it('runs requests made during a build as one more build, and serves the result', async () => {
    const { seedsDir, logger, service } = await lexicalService();
    await writeFile(path.join(seedsDir, 'eins.txt'), article('Möwen'));
    const first = service.requestUpdate();
    await writeFile(path.join(seedsDir, 'zwei.txt'), article('Fähren'));
    const during = await Promise.all(Array.from({ length: 20 }, () => service.requestUpdate()));
    await first;
    expect(new Set(during.map((update) => update.index)).size).toBe(1);
    expect(during[0]!.index.manifest.counts.articles).toBe(3);
    expect(service.current!.index).toBe(during[0]!.index);
    // One build for the first request and one for the twenty made during it (which may find that
    // the first build already read the second file, and then saves nothing).
    const builds = logger.lines.filter((line) => line.includes('Reindex finished') || line.includes('Index update: nothing changed'));
    expect(builds).toHaveLength(2);
  });

  it('waits while another process holds the build lock, then builds', async () => {
    const { seedsDir, indexDir, logger, service } = await lexicalService();
    const other = await lockIndex(indexDir, { identity: { ...(await currentProcessIdentity()), hostname: 'other-host' } });
    await writeFile(path.join(seedsDir, 'drei.txt'), article('Leuchttürme'));
    const update = service.requestUpdate();
    await logger.waitFor(/Another process is building the index; updating after it/, 5000);
    await other.release();
    expect((await update).summary.added).toEqual(['drei']);
    expect(service.current!.index.manifest.counts.articles).toBe(2);
  });

  it('serves a generation another process made current, and keeps serving the old one until then', async () => {
    const { seedsDir, indexDir, logger, service } = await lexicalService({ hotReload: true });
    const before = service.current!.index;
    await writeFile(path.join(seedsDir, 'vier.txt'), article('Seehunde'));
    await runIndexer({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });
    expect(service.current!.index).toBe(before);
    await logger.waitFor(/Serving an index built by another process/, 10_000);
    expect(service.current!.index.manifest.counts.articles).toBe(2);
    expect((await service.ask('Seehunde am Hafen', 3)).hits.some((hit) => hit.passage.articleId === 'vier')).toBe(true);
  });

  it("reads another process's generation with the serving analyzer: the word lists are not read again (about a second the event loop would wait)", async () => {
    const { seedsDir, indexDir, logger, service } = await lexicalService({ hotReload: true });
    const load = vi.spyOn(Analyzer, 'load');
    await writeFile(path.join(seedsDir, 'fuenf.txt'), article('Kraniche'));
    // The other "process" (here in-process) loads its previous index once, with its own analyzer.
    await runIndexer({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });
    await logger.waitFor(/Serving an index built by another process/, 10_000);
    expect(load).toHaveBeenCalledTimes(1);
    expect((await service.ask('Kraniche am Hafen', 3)).hits.some((hit) => hit.passage.articleId === 'fuenf')).toBe(true);
  });
});

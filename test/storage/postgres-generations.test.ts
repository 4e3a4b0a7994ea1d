/**
 * Index generations published in PostgreSQL (src/storage/postgres-generations.ts), in process: a
 * fetched generation is checked against its manifest before it is made current, the build lock
 * names its holder, the watch says when publications may have been missed, and only the newest
 * generations are kept. The hosts themselves are tested in shared-index.test.ts.
 */
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SearchService } from '../../src/bot/search-service.ts';
import { loadCoreConfig } from '../../src/config.ts';
import { ErrorCode, isQuelleError } from '../../src/errors.ts';
import { IndexLockedError } from '../../src/index/build-lock.ts';
import { syncPublishedGeneration, type IndexDistribution } from '../../src/index/generation-distribution.ts';
import { currentGeneration, loadIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { silentLogger } from '../../src/logger.ts';
import { openPostgresDistribution, type PostgresIndexDistribution } from '../../src/storage/postgres-generations.ts';
import { copySeed, fixtureModelSettings, runCliCommand, useTempDirs, writeArticle } from '../helpers/index-fixtures.ts';
import { freshSchema, query, TEST_DATABASE_URL, tellPostgresSkipped, usePostgresDatabase } from '../helpers/postgres.ts';

tellPostgresSkipped();
const database = usePostgresDatabase('postgres-generations');
const tempDir = useTempDirs('quelle-pg-generations-');

const opened: PostgresIndexDistribution[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((distribution) => distribution.close()));
});

async function open(url: string): Promise<PostgresIndexDistribution> {
  const distribution = await openPostgresDistribution({ url });
  opened.push(distribution);
  return distribution;
}

/** A seeded folder building lexically (no model needed) and publishing through `distribution`. */
async function publisher(distribution: PostgresIndexDistribution): Promise<{ build: () => Promise<string>; seedsDir: string; indexDir: string }> {
  const seedsDir = await copySeed(path.join(await tempDir(), 'seeds'));
  const indexDir = path.join(await tempDir(), 'index');
  let article = 0;
  return {
    seedsDir,
    indexDir,
    build: async () => {
      // Each build has something new, so that each saves (and publishes) a generation.
      await writeArticle(seedsDir, `neu-${++article}`, { title: `Meldung ${article}`, paragraphs: [`Die Meldung Nummer ${article} berichtet über den Stadtrat.`] });
      await runIndexer({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings, distribution, skipUnchanged: true });
      return (await currentGeneration(indexDir))!;
    },
  };
}

describe.skipIf(!TEST_DATABASE_URL)('index generations published in PostgreSQL', () => {
  it.each([
    ['a flipped bit in a chunk', "UPDATE quelle_index_chunks SET data = set_byte(data, 9, get_byte(data, 9) # 1) WHERE file = 'passages.json' AND generation_id = $1", /passages\.json \(checksum mismatch\)/],
    ['a missing chunk', "DELETE FROM quelle_index_chunks WHERE file = 'lexical.json' AND generation_id = $1", /holds 0 bytes of lexical\.json/],
  ])('refuses a published generation with %s, and the one current here keeps serving', async (_label, tamper, problem) => {
    const url = await freshSchema(await database());
    const distribution = await open(url);
    const host = await publisher(distribution);
    const reader = path.join(await tempDir(), 'index');

    const good = await host.build();
    expect(await syncPublishedGeneration(reader, distribution, silentLogger)).toEqual({ kind: 'installed', name: good });
    const damaged = await host.build();
    const [row] = await query<{ id: number }>(url, 'SELECT id FROM quelle_index_generations WHERE name = $1', [damaged]);
    await query(url, tamper, [row!.id]);

    const error = await syncPublishedGeneration(reader, distribution, silentLogger).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(isQuelleError(error, ErrorCode.IndexCorrupt)).toBe(true);
    expect((error as Error).message).toMatch(problem);
    expect(await currentGeneration(reader)).toBe(good);
    expect(await readdir(reader)).not.toContain(damaged);
    expect((await readdir(reader)).filter((entry) => entry.startsWith('.tmp-'))).toEqual([]);
    expect((await loadIndex(reader)).manifest.counts.articles).toBe(2);
  }, 60_000);

  it('`npm run index` and `npm run articles` with DATABASE_URL publish what they build', async () => {
    const url = await freshSchema(await database());
    const distribution = await open(url);
    const seedsDir = await copySeed(path.join(await tempDir(), 'seeds'));
    const indexDir = path.join(await tempDir(), 'index');
    const env = { DATABASE_URL: url, QUELLE_MODE: 'lexical' };
    const built = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir], env);
    expect(built.stderr).toContain('Index generation published for the other hosts');
    expect(built.code).toBe(0);
    expect((await distribution.latest())?.name).toBe(await currentGeneration(indexDir));

    const article = await writeArticle(await tempDir(), 'stadtrat', { title: 'Der Stadtrat tagt', paragraphs: ['Der Stadtrat tagt am Montag im Rathaus.'] });
    const added = await runCliCommand('articles', ['add', article, '--seeds', seedsDir, '--index', indexDir], env);
    expect(added.code).toBe(0);
    const latest = await distribution.latest();
    expect(latest?.name).toBe(await currentGeneration(indexDir));
    expect(JSON.parse(latest!.manifestText).counts.articles).toBe(2);
  }, 60_000);

  it('keeps a build whose publish failed (its lock connection lost) serving here, says so, and publishes it with the next build', async () => {
    const url = await freshSchema(await database());
    const distribution = await open(url);
    const host = await publisher(distribution);
    const before = await host.build();
    // The real distribution, whose lock connection the server ends just before the publish.
    const losing: IndexDistribution = {
      latest: () => distribution.latest(),
      fetch: (name, read) => distribution.fetch(name, read),
      watch: (onPublished) => distribution.watch(onPublished),
      close: () => distribution.close(),
      lockBuild: async () => {
        const lock = await distribution.lockBuild();
        return {
          publish: async (root, name) => {
            await query(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'quelle index-build%' AND datname = current_database()");
            await lock.publish(root, name);
          },
          release: () => lock.release(),
        };
      },
    };
    await writeArticle(host.seedsDir, 'verloren', { title: 'Verlorene Meldung', paragraphs: ['Diese Meldung erreicht die anderen Rechner erst später.'] });
    const run = await runIndexer({ seedsDir: host.seedsDir, indexDir: host.indexDir, mode: 'lexical', modelSettings: fixtureModelSettings, distribution: losing });
    expect(run.summary.notice).toMatch(/serves on this host but was not published to the other hosts .*the next reindex publishes it/);
    const built = await currentGeneration(host.indexDir);
    expect(built).not.toBe(before);
    expect((await distribution.latest())?.name).toBe(before);

    const next = await runIndexer({ seedsDir: host.seedsDir, indexDir: host.indexDir, mode: 'lexical', modelSettings: fixtureModelSettings, distribution, skipUnchanged: true });
    expect(next.unchanged).toBe(true);
    expect((await distribution.latest())?.name).toBe(built);
  }, 60_000);

  it('a bot process shares through DATABASE_URL by itself: it starts with the published generation in an empty folder, and its reindex publishes', async () => {
    const url = await freshSchema(await database());
    const distribution = await open(url);
    const host = await publisher(distribution);
    const published = await host.build();
    const indexDir = path.join(await tempDir(), 'index');
    const service = new SearchService(loadCoreConfig({ QUELLE_SEEDS_DIR: host.seedsDir, QUELLE_INDEX_DIR: indexDir, QUELLE_MODE: 'lexical', DATABASE_URL: url }), silentLogger);
    try {
      await service.start();
      expect(service.unavailableReason).toBeNull();
      expect(service.current?.index.manifest.counts.articles).toBe(2);
      expect(await currentGeneration(indexDir)).toBe(published);

      await writeArticle(host.seedsDir, 'bot', { title: 'Vom Bot gebaut', paragraphs: ['Diese Meldung baut der Bot selbst.'] });
      await service.reindex();
      const built = await currentGeneration(indexDir);
      expect(built).not.toBe(published);
      expect((await distribution.latest())?.name).toBe(built);
    } finally {
      await service.dispose();
    }
  }, 60_000);

  it('names the holder of the build lock to another process, and frees it on release', async () => {
    const url = await freshSchema(await database());
    const [holder, other] = await Promise.all([open(url), open(url)]);
    const lock = await holder.lockBuild();
    const refused = await other.lockBuild().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(IndexLockedError);
    expect((refused as IndexLockedError).holder).toMatchObject({ pid: process.pid, hostname: os.hostname(), thisProcess: false });
    await lock.release();
    const taken = await other.lockBuild();
    await taken.release();
  });

  it('announces each publish to a watch, and says so when the connection was lost and publications may have been missed', async () => {
    const url = await freshSchema(await database());
    const distribution = await open(url);
    const host = await publisher(distribution);
    const heard: (string | null)[] = [];
    let wake: () => void = () => {};
    const next = (): Promise<void> => new Promise((resolve) => (wake = resolve));
    await distribution.watch((name) => {
      heard.push(name);
      wake();
    });

    let announced = next();
    const name = await host.build();
    await announced;
    expect(heard).toEqual([name]);

    announced = next();
    await query(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'quelle index-watch' AND datname = current_database()");
    await announced;
    expect(heard).toEqual([name, null]);
    // Listening again.
    announced = next();
    const after = await host.build();
    await announced;
    expect(heard).toEqual([name, null, after]);
  }, 60_000);

  it('keeps the two newest published generations, and publishes an unchanged index that was never published', async () => {
    const url = await freshSchema(await database());
    const distribution = await open(url);
    const host = await publisher(distribution);
    const names = [await host.build(), await host.build(), await host.build()];
    expect(await query(url, 'SELECT name FROM quelle_index_generations ORDER BY id')).toEqual(names.slice(1).map((name) => ({ name })));
    expect(await query(url, 'SELECT count(DISTINCT generation_id)::int AS n FROM quelle_index_chunks')).toEqual([{ n: 2 }]);

    // The same folder, built with nothing changed, against an empty database: it publishes what serves.
    const fresh = await open(await freshSchema(await database()));
    const indexDir = path.join(await tempDir(), 'index');
    await runIndexer({ seedsDir: host.seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });
    const run = await runIndexer({ seedsDir: host.seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings, distribution: fresh, skipUnchanged: true });
    expect(run.unchanged).toBe(true);
    expect((await fresh.latest())?.name).toBe(await currentGeneration(indexDir));
  }, 60_000);
});

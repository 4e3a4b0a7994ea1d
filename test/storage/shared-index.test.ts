/**
 * One index for many hosts (issue #15): two "hosts" — child processes with their own seeds and
 * index folders, sharing nothing but one PostgreSQL — where a reindex on one is served by the
 * other from the generation it published, a publish killed midway is never served, and two
 * reindexes started at once build once. Skipped, with the way to run them, without a server.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { ADVISORY_LOCK_CLASS, ADVISORY_LOCKS } from '../../src/storage/postgres.ts';
import { copySeed, KOALITION_QUESTION, SEED_TITLE, useTempDirs, writeArticle } from '../helpers/index-fixtures.ts';
import { IndexHost, servesForeign, type HostEvent, type HostOptions } from '../helpers/index-hosts.ts';
import { freshSchema, query, TEST_DATABASE_URL, tellPostgresSkipped, usePostgresDatabase } from '../helpers/postgres.ts';

tellPostgresSkipped();
const database = usePostgresDatabase('shared-index');
const tempDir = useTempDirs('quelle-shared-index-');

const NEW_TITLE = 'Hafenfest in Rostock zieht Rekordzahl an Besuchern an';
const NEW_QUESTION = 'Wie viele Besucher kamen zum Hafenfest in Rostock?';

const running: IndexHost[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((host) => host.stop()));
});

/** A host with folders of its own; `seeded` puts the seed article in its seeds folder. */
async function folders(url: string, seeded: boolean): Promise<HostOptions> {
  const root = await tempDir();
  const seedsDir = path.join(root, 'seeds');
  if (seeded) await copySeed(seedsDir);
  else await mkdir(seedsDir);
  return { seedsDir, indexDir: path.join(root, 'index'), dataDir: path.join(root, 'data'), databaseUrl: url };
}

async function startHost(name: string, options: HostOptions): Promise<IndexHost> {
  const host = await IndexHost.start(name, options);
  running.push(host);
  return host;
}

async function addArticle(seedsDir: string): Promise<void> {
  await writeArticle(seedsDir, 'hafenfest', {
    title: NEW_TITLE,
    paragraphs: ['Zum Hafenfest in Rostock kamen am Wochenende mehr als 400.000 Besucher, so viele wie nie zuvor.'],
  });
}

const reindexed = (event: HostEvent): boolean => event.event === 'reindexed' || event.event === 'reindex-failed';

async function reindex(host: IndexHost): Promise<string> {
  const outcome = await host.request('reindex', reindexed);
  if (outcome.event !== 'reindexed') throw new Error(`reindex on ${host.name} failed: ${String(outcome.message)}`);
  return outcome.generation as string;
}

const current = async (indexDir: string): Promise<string> => (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();

describe.skipIf(!TEST_DATABASE_URL)('one index for hosts that share only PostgreSQL', () => {
  it('serves a reindex of host A on host B within 30 s, from the generation A published (B has no articles of its own)', async () => {
    const url = await freshSchema(await database());
    const a = await folders(url, true);
    const b = await folders(url, false);
    const [hostA, hostB] = await Promise.all([startHost('A', a), startHost('B', b)]);

    const first = await reindex(hostA);
    const publishedAt = performance.now();
    await hostB.waitFor(servesForeign(first), 0, 30_000);
    const firstServedMs = performance.now() - publishedAt;
    expect(await hostB.ask(KOALITION_QUESTION)).toMatchObject({ generation: first, titles: expect.arrayContaining([SEED_TITLE]) });

    // A second reindex, while B serves the first: B swaps.
    await addArticle(a.seedsDir);
    const mark = hostB.events.length;
    const second = await reindex(hostA);
    const reindexedAt = performance.now();
    await hostB.waitFor(servesForeign(second), mark, 30_000);
    const secondServedMs = performance.now() - reindexedAt;
    expect(second).not.toBe(first);
    const answer = await hostB.ask(NEW_QUESTION);
    expect(answer.generation).toBe(second);
    expect(answer.titles[0]).toBe(NEW_TITLE);
    expect(firstServedMs).toBeLessThan(30_000);
    expect(secondServedMs).toBeLessThan(30_000);
    // B's folder holds A's generation, verified and installed there; B built nothing.
    expect(await current(b.indexDir)).toBe(second);
    expect(await readdir(b.seedsDir)).toEqual([]);
  }, 180_000);

  it('leaves host B serving the old generation when host A is killed (kill -9) mid-publish; the next publish is served', async () => {
    const url = await freshSchema(await database());
    const a = await folders(url, true);
    const b = await folders(url, false);
    const [hostA, hostB] = await Promise.all([startHost('A', a), startHost('B', b)]);
    const old = await reindex(hostA);
    await hostB.waitFor(servesForeign(old), 0, 30_000);
    await hostA.stop();

    await addArticle(a.seedsDir);
    const killedA = await startHost('A (killed)', { ...a, pausePublish: true });
    const publishing = await killedA.request('reindex', (event) => event.event === 'publishing' || reindexed(event));
    expect(publishing.event).toBe('publishing');
    await killedA.kill();
    // The server has ended A's session (and rolled its publish back) once its lock is free.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('SELECT pg_advisory_lock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCKS.indexBuild]);
    await client.end();

    expect(await query(url, 'SELECT name FROM quelle_index_generations')).toEqual([{ name: old }]);
    expect(await query(url, 'SELECT DISTINCT generation_id FROM quelle_index_chunks')).toHaveLength(1);
    const answer = await hostB.ask(NEW_QUESTION);
    expect(answer.generation).toBe(old);
    expect(answer.titles).not.toContain(NEW_TITLE);
    expect(await current(b.indexDir)).toBe(old);

    // A restarted publishes; B serves that.
    const restartedA = await startHost('A (restarted)', a);
    const mark = hostB.events.length;
    const next = await reindex(restartedA);
    await hostB.waitFor(servesForeign(next), mark, 30_000);
    expect((await hostB.ask(NEW_QUESTION)).titles[0]).toBe(NEW_TITLE);
  }, 180_000);

  it('builds once when two hosts start a reindex at once: the other is told who builds, then serves that build', async () => {
    const url = await freshSchema(await database());
    const [a, b] = await Promise.all([folders(url, true), folders(url, true)]);
    const hosts = await Promise.all([startHost('A', { ...a, pausePublish: true }), startHost('B', { ...b, pausePublish: true })]);
    // The builder stops in its publish, lock held, until told to go on: the other's attempt overlaps it for certain.
    const outcomes = await Promise.all(hosts.map((host) => host.request('reindex', (event) => event.event === 'publishing' || reindexed(event))));
    const builders = outcomes.map((outcome, i) => (outcome.event === 'publishing' ? i : -1)).filter((i) => i >= 0);
    expect(builders).toHaveLength(1);
    const builder = hosts[builders[0]!]!;
    const other = hosts[1 - builders[0]!]!;
    const refused = outcomes[1 - builders[0]!]!;
    expect(refused).toMatchObject({ event: 'reindex-failed', code: ErrorCode.IndexLocked });
    expect(String(refused.message)).toContain(`process ${builder.pid}`);

    const mark = other.events.length;
    const built = await builder.request('continue', reindexed);
    expect(built.event).toBe('reindexed');
    await other.waitFor(servesForeign(built.generation as string), mark, 30_000);
    expect(await query(url, 'SELECT name FROM quelle_index_generations')).toEqual([{ name: built.generation }]);
    // The other host never built: its folder holds only the builder's generation.
    expect((await readdir(other === hosts[0] ? a.indexDir : b.indexDir)).filter((entry) => entry.startsWith('gen-'))).toEqual([built.generation]);
  }, 180_000);
});

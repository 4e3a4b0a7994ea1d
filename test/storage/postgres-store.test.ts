/**
 * What is PostgreSQL's own in the community store: the schema version in a table, migrations
 * applied once when several processes start together, a newer database refused, commands that
 * find no tables, errors that name the database but never its password, votes pressed at once
 * in two processes counted once, and what retention can promise about the server's files.
 * Skipped, with the way to run them, when no server is given (see test/helpers/postgres.ts).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommunityLog, type AnsweredQuestion } from '../../src/community/community-log.ts';
import { ErrorCode, isQuelleError } from '../../src/errors.ts';
import { DAY_MS } from '../../src/storage/community-store.ts';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../src/storage/migrations.ts';
import { applyPostgresMigrations, createPool } from '../../src/storage/postgres.ts';
import { openPostgresStore } from '../../src/storage/postgres-store.ts';
import { answer, T0 } from '../helpers/community-records.ts';
import { freshSchema, query, TEST_DATABASE_DIR, TEST_DATABASE_URL, tellPostgresSkipped, usePostgresDatabase } from '../helpers/postgres.ts';

tellPostgresSkipped();
const database = usePostgresDatabase('postgres-store');

async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe.skipIf(!TEST_DATABASE_URL)('the PostgreSQL community store', () => {
  it('creates the same tables as SQLite and records the version in quelle_schema_versions, once, however many processes start together', async () => {
    const url = await freshSchema(await database());
    // Eight "processes" (pools) open the empty database at the same moment.
    const stores = await Promise.all(Array.from({ length: 8 }, () => openPostgresStore({ url, create: true })));
    for (const store of stores) expect(await store.schemaVersion()).toBe(SCHEMA_VERSION);
    await Promise.all(stores.map((store) => store.close()));
    const tables = await query<{ table_name: string }>(url, 'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name');
    expect(tables.map((row) => row.table_name)).toEqual(['answers', 'article_changes', 'citations', 'cooldowns', 'daily_counts', 'quelle_schema_versions', 'reindex_runs', 'votes']);
    expect(await query(url, 'SELECT component, version FROM quelle_schema_versions')).toEqual([{ component: 'community', version: MIGRATIONS.length }]);
  });

  it('applies each migration in one transaction: a failing one leaves the database at the one before, and a fixed list goes on from there', async () => {
    const url = await freshSchema(await database());
    const pool = createPool(url, { role: 'test' });
    const target = { pool, location: 'the test database', component: 'test-component', tooNewFix: 'do something else' };
    const first: Migration = { version: 1, description: 'a', statements: ['CREATE TABLE a (x TEXT)'] };
    const broken: Migration = { version: 2, description: 'b', statements: ['CREATE TABLE b (x TEXT)', 'INSERT INTO no_such_table VALUES (1)'] };
    try {
      const error = await thrown(applyPostgresMigrations(target, [first, broken]));
      expect(isQuelleError(error, ErrorCode.DatabaseUnusable)).toBe(true);
      expect(error.message).toBe(
        'Updating the database the test database to schema 2 (b) failed: relation "no_such_table" does not exist. It is left at schema 1, unchanged; this is a bug, please report it with this message.',
      );
      expect(await query(url, "SELECT version FROM quelle_schema_versions WHERE component = 'test-component'")).toEqual([{ version: 1 }]);
      expect(await query(url, "SELECT to_regclass('b') AS b")).toEqual([{ b: null }]);
      await pool.query("INSERT INTO a VALUES ('kept')");
      expect(await applyPostgresMigrations(target, [first, { ...broken, statements: ['CREATE TABLE b (x TEXT)'] }])).toBe(2);
      expect(await query(url, 'SELECT x FROM a')).toEqual([{ x: 'kept' }]);
    } finally {
      await pool.end();
    }
  });

  it('refuses a database written by a newer Quelle, says what to do, and leaves it untouched', async () => {
    const url = await freshSchema(await database());
    await (await openPostgresStore({ url, create: true })).close();
    await query(url, "UPDATE quelle_schema_versions SET version = $1 WHERE component = 'community'", [SCHEMA_VERSION + 3]);
    const error = await thrown(openPostgresStore({ url, create: true }));
    expect(isQuelleError(error, ErrorCode.DatabaseTooNew)).toBe(true);
    const where = new URL(url);
    expect(error.message).toBe(
      `The database postgres://${where.username}@${where.host}${where.pathname} was written by a newer version of Quelle (schema ${SCHEMA_VERSION + 3}; this version knows schema ${SCHEMA_VERSION} at most). Run the newer version, or point DATABASE_URL at another database.`,
    );
    expect(await query(url, "SELECT version FROM quelle_schema_versions WHERE component = 'community'")).toEqual([{ version: SCHEMA_VERSION + 3 }]);
  });

  it('a command (create: false) finds no Quelle tables in an empty database, says so, and creates nothing', async () => {
    const url = await freshSchema(await database());
    const error = await thrown(openPostgresStore({ url, create: false }));
    expect(isQuelleError(error, ErrorCode.DatabaseMissing)).toBe(true);
    expect(error.message).toMatch(/^No Quelle tables in postgres:\/\/.* yet: the bot creates them when it starts with this DATABASE_URL\./);
    expect(await query(url, 'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()')).toEqual([{ n: 0 }]);
  });

  it('says what to fix when the server refuses, never showing the password', async () => {
    const url = new URL(await database());
    const password = decodeURIComponent(url.password);
    const wrongPassword = new URL(url);
    wrongPassword.password = 'not-the-password';
    const refused = await thrown(openPostgresStore({ url: wrongPassword.toString(), create: true }));
    expect(isQuelleError(refused, ErrorCode.DatabaseUnusable)).toBe(true);
    expect(refused.message).toMatch(/^Cannot use the PostgreSQL database postgres:\/\/quelle@[^ ]+ \(28P01: password authentication failed for user "quelle"\)\. Check the user name and password in DATABASE_URL/);

    const noDatabase = new URL(url);
    noDatabase.pathname = '/quelle_no_such_database';
    const missing = await thrown(openPostgresStore({ url: noDatabase.toString(), create: true }));
    expect(missing.message).toContain('(3D000: database "quelle_no_such_database" does not exist). Create the database first');

    const closedPort = new URL(url);
    closedPort.port = '1';
    const unreachable = await thrown(openPostgresStore({ url: closedPort.toString(), create: true }));
    expect(unreachable.message).toMatch(/\(ECONNREFUSED: .*\)\. Check DATABASE_URL's host and port, and that the server runs/);

    for (const error of [refused, missing, unreachable]) expect(error.message).not.toContain(password);
  });

  it('counts votes pressed at once in two processes once each: the latest press of each member wins, and the day counts agree', async () => {
    const url = await freshSchema(await database());
    const [first, second] = await Promise.all([openPostgresStore({ url, create: true }), openPostgresStore({ url, create: true })]);
    try {
      await first.recordAnswer(answer('a1'));
      const members = Array.from({ length: 30 }, (_, i) => `member-${i}`);
      // Each member presses 👍 then 👎 a millisecond later; the two presses reach two processes at once.
      await Promise.all(
        members.flatMap((memberId) => [
          first.setVote({ answerId: 'a1', memberId, value: 1, at: T0 + 1 }),
          second.setVote({ answerId: 'a1', memberId, value: -1, at: T0 + 2 }),
        ]),
      );
      expect(await first.activityCounts({ since: 0 })).toMatchObject({ helpful: 0, unhelpful: 30 });
      expect(await query(url, 'SELECT value, count(*)::int AS n FROM votes GROUP BY value')).toEqual([{ value: -1, n: 30 }]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

/** The files of the server's data folder for `url`'s database and its write-ahead log whose bytes contain `needle`. */
async function serverFilesContaining(url: string, needle: string): Promise<string[]> {
  const [{ oid }] = (await query<{ oid: number }>(url, 'SELECT oid FROM pg_database WHERE datname = current_database()')) as [{ oid: number }];
  const found: string[] = [];
  for (const folder of [path.join('base', String(oid)), 'pg_wal']) {
    for (const name of await readdir(path.join(TEST_DATABASE_DIR!, folder))) {
      const file = path.join(TEST_DATABASE_DIR!, folder, name);
      if (!(await stat(file)).isFile()) continue;
      if ((await readFile(file)).includes(Buffer.from(needle, 'utf8'))) found.push(path.join(folder, name));
    }
  }
  return found;
}

function asked(question: string): AnsweredQuestion {
  return {
    question,
    language: 'de',
    surface: 'slash',
    guildId: '111111111111111111',
    channelId: null,
    response: { declined: false, mode: 'lexical', hits: [{ passage: { articleId: 'seed', paragraph: 1, title: 'Kontrolltitel Zaunkoenig-PG' }, relevant: true, score: 1 }] },
    shown: 1,
    latencyMs: 5,
  };
}

/**
 * Read in the server's own files (the throwaway cluster's data folder): QUELLE_LOG_DAYS=0 never
 * sends question text to PostgreSQL, so none is in any file; text kept and later removed by
 * retention stays in the write-ahead log, which is why PostgreSQL's promise is the weaker one.
 */
describe.skipIf(!TEST_DATABASE_URL || !TEST_DATABASE_DIR)('retention in the PostgreSQL server files', () => {
  /** A store whose commits are written to the log at once (the throwaway server defers them). */
  const openSynchronous = async (logDays: number, clock: { now: number }) => {
    const url = new URL(await freshSchema(await database()));
    url.searchParams.set('options', `${url.searchParams.get('options')} -c synchronous_commit=on`);
    const store = await openPostgresStore({ url: url.toString(), create: true });
    return { url: url.toString(), store, log: new CommunityLog({ store, logDays, now: () => clock.now }) };
  };

  it('with QUELLE_LOG_DAYS=0 no question text reaches any file of the server; the answers do (the check sees them)', async () => {
    const { url, store, log } = await openSynchronous(0, { now: T0 });
    for (let i = 0; i < 50; i++) await log.recordAnswer(asked(`Geheimfrage-PG0 ${i}: wo brütet der Zebrafink?`));
    await store.close();
    expect(await serverFilesContaining(url, 'Geheimfrage-PG0')).toEqual([]);
    expect(await serverFilesContaining(url, 'Kontrolltitel Zaunkoenig-PG')).not.toEqual([]);
  });

  it('text that retention removed is gone from every query at once, but stays in the write-ahead log', async () => {
    const clock = { now: T0 - 40 * DAY_MS };
    const { url, store, log } = await openSynchronous(30, clock);
    for (let i = 0; i < 50; i++) await log.recordAnswer(asked(`Altfrage-PG30 ${i}: wo brütet der Zebrafink?`));
    clock.now = T0;
    expect(await log.purge()).toMatchObject({ questionTextsRemoved: 50, answersRemoved: 50 });
    expect(await query(url, "SELECT count(*)::int AS n FROM answers WHERE question LIKE 'Altfrage%'")).toEqual([{ n: 0 }]);
    await store.close();
    expect((await serverFilesContaining(url, 'Altfrage-PG30')).some((file) => file.startsWith('pg_wal'))).toBe(true);
  });
});

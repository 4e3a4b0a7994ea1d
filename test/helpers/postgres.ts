/**
 * PostgreSQL for tests: the server comes from QUELLE_TEST_DATABASE_URL (a role that may create
 * databases). `npm run test:pg` and CI start a throwaway one (tools/postgres/); without it the
 * PostgreSQL tests skip and say how to run them. Each test file gets a database of its own, since
 * advisory locks and NOTIFY channels are per database and files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

export const TEST_DATABASE_URL: string | null = process.env.QUELLE_TEST_DATABASE_URL?.trim() || null;

/** The server's data folder, when the test runs it (the throwaway cluster): for reading its files. */
export const TEST_DATABASE_DIR: string | null = process.env.QUELLE_TEST_DATABASE_DIR?.trim() || null;

export const POSTGRES_SKIP_REASON =
  'PostgreSQL tests skipped: QUELLE_TEST_DATABASE_URL is not set. Run them with a throwaway server: `npm run test:pg` (or point QUELLE_TEST_DATABASE_URL at a server where the role may create databases).';

let toldSkipped = false;

/** Says once per test file why the PostgreSQL tests are skipped (vitest shows a skip without a reason). */
export function tellPostgresSkipped(): void {
  if (TEST_DATABASE_URL || toldSkipped) return;
  toldSkipped = true;
  console.warn(POSTGRES_SKIP_REASON);
}

/** `url` with another database name (and the same role and password). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** `url` whose connections create and find their tables in `schema`. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** The rows of one statement, on a connection of its own (closed again). */
export async function query<Row extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  await query(url, sql);
}

/**
 * A database of this test file's own, created at the first call and dropped after the file's
 * tests (with whatever connections are still open to it).
 */
export function usePostgresDatabase(label: string): () => Promise<string> {
  let created: Promise<string> | null = null;
  afterAll(async () => {
    if (!created || !TEST_DATABASE_URL) return;
    const url = await created;
    await adminQuery(TEST_DATABASE_URL, `DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  });
  return () => {
    if (!TEST_DATABASE_URL) throw new Error(POSTGRES_SKIP_REASON);
    const base = TEST_DATABASE_URL;
    created ??= (async () => {
      const name = `quelle_test_${label.toLowerCase().replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
      await adminQuery(base, `CREATE DATABASE ${name}`);
      return withDatabase(base, name);
    })();
    return created;
  };
}

/** A new empty schema in the database of `url`, and the URL whose connections use it. */
export async function freshSchema(url: string): Promise<string> {
  const schema = `s_${randomBytes(5).toString('hex')}`;
  await adminQuery(url, `CREATE SCHEMA ${schema}`);
  return withSearchPath(url, schema);
}

import pg from 'pg';
import { describeError, ErrorCode, QuelleError } from '../errors.ts';
import { databaseTooNew, migrationFailed, pendingMigrations, type Migration } from './migrations.ts';

/**
 * What every use of PostgreSQL shares (the community store, the index distribution): connecting
 * from DATABASE_URL without ever showing its password, reading numbers as numbers, saying what
 * to do when the server refuses, and applying a list of migrations once across every process
 * that starts at the same time.
 */

/** Who Quelle is in `pg_stat_activity` (each connection adds what it does). */
export const APPLICATION_NAME = 'quelle';

/**
 * Quelle's advisory locks are pairs (class, object): the class says "Quelle" (the bytes "Quel"),
 * the object which lock. Other applications in the same database are unlikely to use the class.
 */
export const ADVISORY_LOCK_CLASS = 0x5175656c;
export const ADVISORY_LOCKS = { migrations: 1, indexBuild: 2 } as const;

/** The table that records each component's schema version (PostgreSQL has no `user_version`). */
const VERSIONS_TABLE = 'quelle_schema_versions';

/** DATABASE_URL without its password, for messages and logs (`postgres://user@host:port/db`). */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the PostgreSQL database of DATABASE_URL';
  }
}

/**
 * BIGINT (times in ms, counts) and NUMERIC (what SUM of a BIGINT gives) come back as numbers:
 * every value Quelle keeps is far below 2^53. Per pool, not pg's global parsers.
 */
const NUMBER_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary' && (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC)) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface ConnectionOptions {
  /** Appended to the application name (`quelle <role>`), so that an operator sees who holds what. */
  readonly role: string;
  readonly max?: number;
  /** Idle connections do not keep the process alive (a command line that ends without closing). */
  readonly allowExitOnIdle?: boolean;
}

/** The connection settings of DATABASE_URL for one purpose. */
export function connectionConfig(url: string, options: ConnectionOptions): pg.PoolConfig & pg.ClientConfig {
  return {
    connectionString: url,
    application_name: `${APPLICATION_NAME} ${options.role}`,
    types: NUMBER_TYPES,
    // A host that vanishes from the network is noticed by TCP keepalive instead of never.
    keepAlive: true,
    connectionTimeoutMillis: 15_000,
    ...(options.max ? { max: options.max } : {}),
    ...(options.allowExitOnIdle ? { allowExitOnIdle: true } : {}),
  };
}

/**
 * A pool for `url`. An idle connection that the server closes (a restart, an administrator)
 * would otherwise crash the process with an unhandled 'error': it is dropped, and the next
 * query opens a new one.
 */
export function createPool(url: string, options: ConnectionOptions): pg.Pool {
  const pool = new pg.Pool(connectionConfig(url, options));
  pool.on('error', () => {});
  return pool;
}

/** A PostgreSQL or connection failure as an error that names the database (never its password) and the fix. */
export function databaseError(url: string, error: unknown): QuelleError {
  if (error instanceof QuelleError) return error;
  const where = describeDatabaseUrl(url);
  const code = (error as { code?: unknown }).code;
  const detail = `${typeof code === 'string' ? `${code}: ` : ''}${describeError(error)}`;
  const fix = ((): string => {
    switch (code) {
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
        return "Check DATABASE_URL's host and port, and that the server runs and accepts TCP connections from this host.";
      case '28P01':
      case '28000':
        return 'Check the user name and password in DATABASE_URL (and that pg_hba.conf lets this host in).';
      case '3D000':
        return 'Create the database first (see "PostgreSQL" in the README: createuser, then createdb -O).';
      case '42501':
        return 'The role of DATABASE_URL lacks a privilege: it must own the database (createdb -O) so that Quelle can create its tables.';
      case '57P01':
      case '57P02':
      case '57P03':
        return 'The server is shutting down or starting: the next request tries again.';
      default:
        return /terminated|Connection terminated|ECONNRESET/i.test(detail)
          ? 'The connection was lost; the next request connects again. Check the server if this repeats.'
          : 'Check the server log for the reason.';
    }
  })();
  return new QuelleError(ErrorCode.DatabaseUnusable, `Cannot use the PostgreSQL database ${where} (${detail}). ${fix}`, { cause: error });
}

/** Runs `work` in a transaction on one connection of `pool`, committing when it resolves and rolling back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: unknown = null;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      // The connection itself failed: it must not go back to the pool.
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/** The version `component` is at (0 when it has none yet), read inside a transaction holding the migration lock. */
async function versionOf(client: pg.PoolClient, component: string): Promise<number> {
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${VERSIONS_TABLE} WHERE component = $1`, [component]);
  return rows[0]?.version ?? 0;
}

/** The schema version `component` is at, or 0 when Quelle has created nothing here yet. */
export async function schemaVersion(pool: pg.Pool, component: string): Promise<number> {
  const { rows } = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [VERSIONS_TABLE]);
  if (!rows[0]?.exists) return 0;
  const version = await pool.query<{ version: number }>(`SELECT version FROM ${VERSIONS_TABLE} WHERE component = $1`, [component]);
  return version.rows[0]?.version ?? 0;
}

export interface MigrationTarget {
  readonly pool: pg.Pool;
  /** For messages. */
  readonly location: string;
  /** Whose schema: `community` (the community store's), `index-distribution`, … */
  readonly component: string;
  /** What to do instead when the database is too new. */
  readonly tooNewFix: string;
}

/**
 * Applies each pending migration of `component` in its own transaction, together with the
 * version it reaches; refuses a database from a newer Quelle. Every transaction first takes a
 * transaction-scoped advisory lock, so that processes starting together (shards, hosts) apply
 * each migration once, one after the other, instead of racing on CREATE TABLE.
 */
export async function applyPostgresMigrations(target: MigrationTarget, migrations: readonly Migration[]): Promise<number> {
  const latest = migrations.length;
  for (;;) {
    const outcome = await inTransaction(target.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, ADVISORY_LOCKS.migrations]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${VERSIONS_TABLE} (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`);
      const version = await versionOf(client, target.component);
      if (version > latest) throw databaseTooNew(target.location, version, latest, target.tooNewFix);
      const [next] = pendingMigrations(version, migrations);
      if (!next) return { done: true, version };
      try {
        for (const statement of next.statements) await client.query(statement);
        await client.query(
          `INSERT INTO ${VERSIONS_TABLE} (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version`,
          [target.component, next.version],
        );
      } catch (error) {
        throw migrationFailed(target.location, next, error);
      }
      return { done: false, version: next.version };
    });
    if (outcome.done) return outcome.version;
  }
}

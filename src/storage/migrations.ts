import { ErrorCode, QuelleError } from '../errors.ts';

/**
 * The database schema as an ordered list of migrations, run by both stores. Each is applied
 * once, in its own transaction, and the database records the last one applied (SQLite:
 * `PRAGMA user_version`; PostgreSQL: a row of `quelle_schema_versions`, see postgres.ts).
 * Never edit a migration that has shipped: add the next one.
 *
 * The SQL is kept to what SQLite and PostgreSQL both accept: BIGINT for times (milliseconds;
 * PostgreSQL's INTEGER is 32-bit), SMALLINT 0/1 for flags (PostgreSQL's BOOLEAN does not take
 * 0/1), TEXT keys chosen by the application (no AUTOINCREMENT / SERIAL), `ON DELETE CASCADE`
 * (SQLite needs `PRAGMA foreign_keys = ON`, which the SQLite store sets), no STRICT or WITHOUT
 * ROWID, no partial or expression indexes. REAL is 4 bytes in PostgreSQL (scores only; nothing is
 * compared across stores). The statements' differences are handled in sql-dialect.ts.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  /** Statements run in order, in one transaction. */
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'answers, citations, votes, daily counts, reindex runs, article changes',
    statements: [
      `CREATE TABLE answers (
        id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        guild_id TEXT,
        channel_id TEXT,
        surface TEXT NOT NULL CHECK (surface IN ('slash', 'mention', 'channel', 'button')),
        language TEXT NOT NULL,
        mode TEXT NOT NULL,
        declined SMALLINT NOT NULL CHECK (declined IN (0, 1)),
        latency_ms BIGINT NOT NULL,
        shown SMALLINT NOT NULL,
        question TEXT
      )`,
      // Every window query and the retention purge select by time.
      'CREATE INDEX answers_by_time ON answers (created_at)',
      `CREATE TABLE citations (
        answer_id TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
        rank SMALLINT NOT NULL,
        article_id TEXT NOT NULL,
        paragraph INTEGER NOT NULL,
        title TEXT NOT NULL,
        score REAL NOT NULL,
        paragraph_hash TEXT,
        PRIMARY KEY (answer_id, rank)
      )`,
      `CREATE TABLE votes (
        answer_id TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
        member_id TEXT NOT NULL,
        value SMALLINT NOT NULL CHECK (value IN (-1, 1)),
        voted_at BIGINT NOT NULL,
        PRIMARY KEY (answer_id, member_id)
      )`,
      // Counts outlive retention: they hold no text. guild_id is '' outside a server (a key column cannot be NULL).
      `CREATE TABLE daily_counts (
        day BIGINT NOT NULL,
        guild_id TEXT NOT NULL,
        surface TEXT NOT NULL,
        questions BIGINT NOT NULL,
        declined BIGINT NOT NULL,
        helpful BIGINT NOT NULL,
        unhelpful BIGINT NOT NULL,
        latency_ms_total BIGINT NOT NULL,
        PRIMARY KEY (day, guild_id, surface)
      )`,
      `CREATE TABLE reindex_runs (
        id TEXT PRIMARY KEY,
        started_at BIGINT NOT NULL,
        finished_at BIGINT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('done', 'failed', 'interrupted')),
        trigger_name TEXT NOT NULL,
        actor_id TEXT,
        mode TEXT,
        model TEXT,
        articles INTEGER,
        passages INTEGER,
        added INTEGER,
        changed INTEGER,
        removed INTEGER,
        skipped INTEGER,
        error TEXT
      )`,
      'CREATE INDEX reindex_runs_by_finish ON reindex_runs (finished_at)',
      `CREATE TABLE article_changes (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        action TEXT NOT NULL,
        article_id TEXT NOT NULL,
        actor_id TEXT,
        actor_name TEXT,
        detail TEXT
      )`,
      'CREATE INDEX article_changes_by_time ON article_changes (at)',
      'CREATE INDEX article_changes_by_article ON article_changes (article_id, at)',
    ],
  },
  {
    version: 2,
    description: 'question cooldowns shared by every bot process',
    statements: [
      // One row per member: when their last question was let through. Pruned as cooldowns end.
      `CREATE TABLE cooldowns (
        member_id TEXT PRIMARY KEY,
        asked_at BIGINT NOT NULL
      )`,
      'CREATE INDEX cooldowns_by_time ON cooldowns (asked_at)',
    ],
  },
];

/** The schema version this code writes: the last migration's. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The migrations a database at `version` still needs, in order. */
export function pendingMigrations(version: number, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`Migration ${index + 1} is numbered ${migration.version}: migrations must be numbered 1, 2, 3, … in order.`);
  });
  return migrations.filter((migration) => migration.version > version);
}

/** The refusal of a database written by a newer Quelle (`location` names it; `fix` says where else to point). */
export function databaseTooNew(location: string, version: number, latest: number, fix: string): QuelleError {
  return new QuelleError(
    ErrorCode.DatabaseTooNew,
    `The database ${location} was written by a newer version of Quelle (schema ${version}; this version knows schema ${latest} at most). Run the newer version, or ${fix}.`,
  );
}

/** A migration that failed: the database stays at the version before it. */
export function migrationFailed(location: string, migration: Migration, error: unknown): QuelleError {
  return new QuelleError(
    ErrorCode.DatabaseUnusable,
    `Updating the database ${location} to schema ${migration.version} (${migration.description}) failed: ${error instanceof Error ? error.message : String(error)}. ` +
      `It is left at schema ${migration.version - 1}, unchanged; this is a bug, please report it with this message.`,
    { cause: error },
  );
}

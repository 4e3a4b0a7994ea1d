/**
 * Where the two engines' SQL differs, in one place. The statements (community-sql.ts) and the
 * migrations (migrations.ts) are written once, in the SQL both accept, with `@name` parameters
 * (better-sqlite3's form); a parameter that is only tested for NULL is cast
 * (`CAST(@guild AS TEXT) IS NULL`), which SQLite accepts and PostgreSQL needs to know its type.
 * For PostgreSQL this module turns the names into `$1`, `$2`, … and adds the row locks that SQLite
 * does not have (it locks the whole database for a write transaction instead).
 *
 * What else differs, and where it is handled:
 * - the schema version: `PRAGMA user_version` (sqlite-store.ts) / a `quelle_schema_versions` row
 *   (postgres.ts);
 * - removing deleted text from the files: SQLite's `secure_delete` and a truncating checkpoint
 *   (sqlite-store.ts); PostgreSQL has no equivalent (see `PostgresCommunityStore.purge`);
 * - result types: PostgreSQL returns BIGINT and NUMERIC (SUM) as strings, which the pool parses
 *   as numbers (postgres.ts; every value Quelle keeps is far below 2^53).
 */

/** A statement for PostgreSQL: positional text and which named parameter fills each position. */
export interface PositionalStatement {
  readonly text: string;
  readonly names: readonly string[];
}

const NAMED_PARAMETER = /@([A-Za-z_][A-Za-z0-9_]*)/g;

/** Turns `@name` parameters into `$1`, `$2`, … (a name used twice gets one number). */
export function toPositional(sql: string): PositionalStatement {
  const names: string[] = [];
  const text = sql.replace(NAMED_PARAMETER, (_, name: string) => {
    let index = names.indexOf(name);
    if (index === -1) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, names };
}

/** The values of a positional statement's parameters, in order; a missing one is a bug, not a NULL. */
export function positionalValues(statement: PositionalStatement, params: object): unknown[] {
  return statement.names.map((name) => {
    const value = (params as Record<string, unknown>)[name];
    if (value === undefined) throw new Error(`The SQL parameter @${name} was not given (a bug in the store): ${statement.text.slice(0, 80)}…`);
    return value;
  });
}

/**
 * A read that locks the rows it returns until the transaction ends (PostgreSQL); in SQLite the
 * write transaction already holds the whole database.
 */
export function lockingRead(sql: string, dialect: 'sqlite' | 'postgres'): string {
  return dialect === 'postgres' ? `${sql} FOR UPDATE` : sql;
}

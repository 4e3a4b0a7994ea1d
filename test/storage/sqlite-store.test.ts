/**
 * What is SQLite's own in the community store: migrations (in order, each in a transaction,
 * recorded in user_version; a newer database refused), WAL, and its errors — on in-memory and
 * temp-file databases. What each storage method promises is tested on both engines in
 * community-store.test.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isQuelleError } from '../../src/errors.ts';
import { DAY_MS } from '../../src/storage/community-store.ts';
import { MIGRATIONS, pendingMigrations, SCHEMA_VERSION, type Migration } from '../../src/storage/migrations.ts';
import { applyMigrations, openSqliteStore } from '../../src/storage/sqlite-store.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';
import { answer, T0 } from '../helpers/community-records.ts';

const tempDir = useTempDirs('quelle-store-');

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('opening and migrations', () => {
  it('creates the schema in WAL mode and records its version in user_version', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    const store = openSqliteStore({ file });
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
    expect(tables).toEqual(['answers', 'article_changes', 'citations', 'cooldowns', 'daily_counts', 'reindex_runs', 'votes']);
    db.close();
  });

  it('applies only the pending migrations, in order, each in one transaction: a failing one leaves the database at the one before', () => {
    const db = new Database(':memory:');
    const first: Migration = { version: 1, description: 'a', statements: ['CREATE TABLE a (x TEXT)'] };
    const broken: Migration = { version: 2, description: 'b', statements: ['CREATE TABLE b (x TEXT)', 'INSERT INTO no_such_table VALUES (1)'] };
    const error = thrown(() => applyMigrations(db, 'test.db', [first, broken]));
    expect(isQuelleError(error, ErrorCode.DatabaseUnusable)).toBe(true);
    expect((error as Error).message).toBe('Updating the database test.db to schema 2 (b) failed: no such table: no_such_table. It is left at schema 1, unchanged; this is a bug, please report it with this message.');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    // The failed migration's first statement was rolled back with it.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();

    db.exec('INSERT INTO a VALUES (1)');
    const fixed: Migration = { version: 2, description: 'b', statements: ['CREATE TABLE b (x TEXT)'] };
    applyMigrations(db, 'test.db', [first, fixed]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    // Migration 1 was not run again.
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 1 });
    db.close();
  });

  it('two processes opening the same new database at once: the one that read version 0 before the other migrated skips what is applied (the sharding e2e hit "table answers already exists")', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    const late = new Database(file);
    // This process reads the version first (0)…
    const version = late.pragma('user_version', { simple: true });
    expect(version).toBe(0);
    // …then the other process opens the same file and applies every migration…
    await openSqliteStore({ file }).close();
    // …and this one goes on from what it read: it must re-read under the write lock.
    let reads = 0;
    const stale = new Proxy(late, {
      get(target, key) {
        if (key !== 'pragma') return Reflect.get(target, key, target) as unknown;
        return (source: string, options?: Database.PragmaOptions) => (source === 'user_version' && options?.simple && reads++ === 0 ? version : target.pragma(source, options));
      },
    });
    expect(() => applyMigrations(stale, file, MIGRATIONS)).not.toThrow();
    expect(late.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    late.close();
  });

  it('refuses a database written by a newer Quelle, says what to do, and leaves it untouched', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    await openSqliteStore({ file }).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    db.close();
    const before = await readFile(file);

    const error = thrown(() => openSqliteStore({ file }));
    expect(isQuelleError(error, ErrorCode.DatabaseTooNew)).toBe(true);
    expect((error as Error).message).toBe(
      `The database ${file} was written by a newer version of Quelle (schema ${SCHEMA_VERSION + 3}; this version knows schema ${SCHEMA_VERSION} at most). ` +
        'Run the newer version, or point QUELLE_DATA_DIR at another folder to start a new database.',
    );
    expect(await readFile(file)).toEqual(before);
  });

  it('refuses a file that is not a database with the fix', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    await writeFile(file, 'this is a text file, not SQLite\n'.repeat(200));
    const error = thrown(() => openSqliteStore({ file }));
    expect(isQuelleError(error, ErrorCode.DatabaseUnusable)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot use the database ${file} \\(SQLITE_NOTADB: .*\\)\\. It is not a Quelle database or it is damaged: move it away`));
  });

  it('an SQLite failure while working is an error that names the file and the fix, not a stack', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    const store = openSqliteStore({ file });
    await store.recordAnswer(answer('a1', { createdAt: T0 - 100 * DAY_MS }));
    // A trigger stands in for a file SQLite cannot write (as root, file modes do not stop it).
    const db = new Database(file);
    db.exec("CREATE TRIGGER refuse BEFORE DELETE ON answers BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END");
    db.close();
    const error = await store.purge({ questionTextBefore: T0, answersBefore: T0 }).catch((caught: unknown) => caught);
    expect(isQuelleError(error, ErrorCode.DatabaseUnusable)).toBe(true);
    expect((error as Error).message).toBe(
      `Cannot use the database ${file} (SQLITE_CONSTRAINT_TRIGGER: attempt to write a readonly database). Check that QUELLE_DATA_DIR is a folder on a writable disk that the user running Quelle can write to.`,
    );
    // The purge's transaction was rolled back as a whole: the question text is still there.
    expect((await store.findAnswer('a1'))?.question).toBe('Frage a1?');
    await store.close();
  });

  it('pendingMigrations refuses a list that is not numbered 1, 2, 3, …', () => {
    const m = (version: number): Migration => ({ version, description: '', statements: [] });
    expect(pendingMigrations(1, [m(1), m(2), m(3)]).map((x) => x.version)).toEqual([2, 3]);
    expect(() => pendingMigrations(0, [m(1), m(3)])).toThrow('Migration 2 is numbered 3');
  });
});

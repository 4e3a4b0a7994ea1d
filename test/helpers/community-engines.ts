/**
 * The community database's tests run once per engine: SQLite always, PostgreSQL when a server is
 * given (see postgres.ts). Each `open()` is an empty database (SQLite in memory; a fresh schema on
 * PostgreSQL), closed after the test.
 */
import { afterEach, describe } from 'vitest';
import type { CommunityDatabase } from '../../src/storage/open-store.ts';
import { openPostgresStore } from '../../src/storage/postgres-store.ts';
import { openSqliteStore } from '../../src/storage/sqlite-store.ts';
import { useTempDirs } from './index-fixtures.ts';
import { freshSchema, TEST_DATABASE_URL, tellPostgresSkipped, usePostgresDatabase } from './postgres.ts';

/** Where a community database may be opened, as the bot is configured: QUELLE_DATA_DIR, and DATABASE_URL for PostgreSQL. */
export interface DatabasePlace {
  readonly dataDir: string;
  readonly databaseUrl: string | null;
}

export interface CommunityEngine {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** An empty community database of this engine, closed after the test. */
  open(): Promise<CommunityDatabase>;
  /** A place with no database yet (an empty data folder; on PostgreSQL also an empty schema). */
  place(): Promise<DatabasePlace>;
}

/**
 * Declares `body` once per engine, as `title (SQLite)` and `title (PostgreSQL)`; the PostgreSQL
 * copy is skipped, with a message, when no server is given.
 */
export function describeEachEngine(title: string, body: (engine: CommunityEngine) => void): void {
  const opened: CommunityDatabase[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const track = (store: CommunityDatabase): CommunityDatabase => {
    opened.push(store);
    return store;
  };

  const tempDir = useTempDirs('quelle-engine-');

  describe(`${title} (SQLite)`, () =>
    body({ name: 'SQLite', open: async () => track(openSqliteStore({ file: ':memory:' })), place: async () => ({ dataDir: await tempDir(), databaseUrl: null }) }),
  );

  const database = usePostgresDatabase(title);
  tellPostgresSkipped();
  describe.skipIf(!TEST_DATABASE_URL)(`${title} (PostgreSQL)`, () =>
    body({
      name: 'PostgreSQL',
      open: async () => track(await openPostgresStore({ url: await freshSchema(await database()), create: true })),
      place: async () => ({ dataDir: await tempDir(), databaseUrl: await freshSchema(await database()) }),
    }),
  );
}

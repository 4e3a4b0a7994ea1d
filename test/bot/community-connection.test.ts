/**
 * The bot's community database follows DATABASE_URL (issue #15): PostgreSQL when it is set,
 * the SQLite file in QUELLE_DATA_DIR otherwise. The PostgreSQL case is skipped, with the way to
 * run it, when no server is given.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CommunityConnection } from '../../src/bot/community-connection.ts';
import { silentLogger } from '../../src/logger.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';
import { freshSchema, query, TEST_DATABASE_URL, tellPostgresSkipped, usePostgresDatabase } from '../helpers/postgres.ts';

tellPostgresSkipped();
const database = usePostgresDatabase('community-connection');
const tempDir = useTempDirs('quelle-community-connection-');

async function openConnection(dataDir: string, databaseUrl: string | null): Promise<CommunityConnection> {
  const connection = new CommunityConnection({ dataDir, databaseUrl, logDays: 30, currentIndex: () => null, logger: silentLogger });
  await connection.open();
  return connection;
}

describe('the bot\'s community database', () => {
  it('is the SQLite file in the data folder without DATABASE_URL', async () => {
    const dataDir = await tempDir();
    const connection = await openConnection(dataDir, null);
    await connection.close();
    expect(await readdir(dataDir)).toContain('quelle.db');
  });

  it.skipIf(!TEST_DATABASE_URL)('is the PostgreSQL database of DATABASE_URL when it is set, and nothing is written to the data folder', async () => {
    const url = await freshSchema(await database());
    const dataDir = await tempDir();
    const connection = await openConnection(dataDir, url);
    await connection.close();
    expect(await query(url, "SELECT component FROM quelle_schema_versions WHERE component = 'community'")).toEqual([{ component: 'community' }]);
    expect(await readdir(dataDir)).toEqual([]);
  });
});

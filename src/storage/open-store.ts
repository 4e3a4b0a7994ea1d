import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, QuelleError } from '../errors.ts';
import { openSqliteStore, type SqliteCommunityStore } from './sqlite-store.ts';

/** The database's file name inside QUELLE_DATA_DIR (with `-wal` and `-shm` beside it while open). */
export const DATABASE_FILE = 'quelle.db';

/** The database file of a data folder. */
export function databasePath(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

export interface OpenStoreOptions {
  /** QUELLE_DATA_DIR. */
  readonly dataDir: string;
  /**
   * Create the folder and the database when missing (the bot); false for commands that only
   * read what the bot recorded, which then say that there is nothing yet.
   */
  readonly create: boolean;
}

/** Opens the community database of a data folder (the embedded SQLite file; issue #15 adds PostgreSQL here). */
export async function openCommunityStore({ dataDir, create }: OpenStoreOptions): Promise<SqliteCommunityStore> {
  const file = databasePath(dataDir);
  if (!create && !existsSync(file)) {
    throw new QuelleError(
      ErrorCode.DatabaseMissing,
      `No database at ${file} yet: the bot creates it when it answers its first question. Check QUELLE_DATA_DIR (or --data DIR) if the bot keeps it elsewhere.`,
    );
  }
  await mkdir(dataDir, { recursive: true });
  return openSqliteStore({ file });
}

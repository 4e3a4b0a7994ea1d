import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, QuelleError } from '../errors.ts';
import type { CommunityStore } from './community-store.ts';
import type { CooldownStore } from './cooldown-store.ts';
import { openPostgresStore } from './postgres-store.ts';
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

/** The community database, whichever engine keeps it: the community loop's store and the shared cooldowns. */
export type CommunityDatabase = CommunityStore & CooldownStore;

export interface OpenDatabaseOptions extends OpenStoreOptions {
  /** DATABASE_URL: PostgreSQL instead of the SQLite file in `dataDir`; null or undefined for SQLite. */
  readonly databaseUrl?: string | null;
}

/** Opens the community database of a data folder (the embedded SQLite file). */
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

/**
 * Opens the community database as configured: PostgreSQL when DATABASE_URL is set (shared by
 * every process and host), otherwise the SQLite file in QUELLE_DATA_DIR.
 */
export async function openCommunityDatabase(options: OpenDatabaseOptions): Promise<CommunityDatabase> {
  if (options.databaseUrl) return openPostgresStore({ url: options.databaseUrl, create: options.create });
  return openCommunityStore(options);
}

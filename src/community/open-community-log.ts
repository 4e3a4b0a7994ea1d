import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import { openCommunityDatabase, type CommunityDatabase } from '../storage/open-store.ts';
import { CommunityLog } from './community-log.ts';
import type { ParagraphSource } from './paragraphs.ts';

export interface OpenCommunityLogOptions {
  /** QUELLE_DATA_DIR. */
  readonly dataDir: string;
  /** DATABASE_URL: the database is PostgreSQL's instead of the SQLite file in `dataDir`. */
  readonly databaseUrl?: string | null;
  /** QUELLE_LOG_DAYS. */
  readonly logDays: number;
  /** True for the bot (it creates the folder and the database); false for commands that only read what the bot recorded. */
  readonly create: boolean;
  /** The serving index's paragraphs, for the buttons (the bot passes a function over its current index). */
  readonly paragraphs?: () => ParagraphSource | null;
  /** How often retention runs after the first time, at opening; 0 for never (a command that ends soon). */
  readonly purgeEveryMs?: number;
  readonly logger?: Logger;
}

export interface OpenedCommunityLog {
  readonly log: CommunityLog;
  readonly store: CommunityDatabase;
  /** Stops the periodic retention and closes the database. */
  close(): Promise<void>;
}

export const HOUR_MS = 3_600_000;

/**
 * Opens the community database and applies retention at once, so that nothing past
 * QUELLE_LOG_DAYS is ever served, then every `purgeEveryMs` (the bot: hourly). A failed purge
 * is logged and tried again next time: it never stops answering.
 */
export async function openCommunityLog(options: OpenCommunityLogOptions): Promise<OpenedCommunityLog> {
  const logger = options.logger ?? silentLogger;
  const store = await openCommunityDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl ?? null, create: options.create });
  const log = new CommunityLog({ store, logDays: options.logDays, ...(options.paragraphs ? { paragraphs: options.paragraphs } : {}) });
  const purge = async (): Promise<void> => {
    const result = await log.purge();
    if (result.answersRemoved + result.questionTextsRemoved > 0) logger.info({ ...result, logDays: options.logDays }, 'Retention removed expired questions and answers');
  };
  try {
    await purge();
  } catch (error) {
    await store.close();
    throw error;
  }
  const timer =
    options.purgeEveryMs && options.purgeEveryMs > 0
      ? setInterval(() => purge().catch((error: unknown) => logger.warn({ err: error }, 'Retention could not run; it is tried again later')), options.purgeEveryMs)
      : null;
  // The timer alone never keeps the process alive.
  timer?.unref();
  return {
    log,
    store,
    async close() {
      if (timer) clearInterval(timer);
      await store.close();
    },
  };
}

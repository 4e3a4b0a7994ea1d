import { openCommunityLog, type OpenedCommunityLog } from '../community/open-community-log.ts';
import type { CommandRun } from '../command-line.ts';
import type { CoreConfig } from '../config.ts';

/**
 * What `npm run insights` and `npm run feedback` share: the data folder (`--data DIR` over
 * QUELLE_DATA_DIR), or PostgreSQL when DATABASE_URL is set; the database the bot recorded (never
 * created by these commands), and retention applied first, so that nothing past QUELLE_LOG_DAYS
 * is ever shown or exported.
 */
export function openCommunityForCli(config: CoreConfig, dataFlag: string | undefined, run: CommandRun): Promise<OpenedCommunityLog> {
  const dataDir = dataFlag ?? config.dataDir;
  if (!config.databaseUrl) run.uses({ path: dataDir, role: 'data folder', choose: '--data DIR or QUELLE_DATA_DIR' });
  return openCommunityLog({ dataDir, databaseUrl: config.databaseUrl, logDays: config.logDays, create: false });
}

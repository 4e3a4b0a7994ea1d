import { CommunityLog } from '../community/community-log.ts';
import type { CommandRun } from '../command-line.ts';
import type { CoreConfig } from '../config.ts';
import { openCommunityStore } from '../storage/open-store.ts';
import type { SqliteCommunityStore } from '../storage/sqlite-store.ts';

/**
 * What `npm run insights` and `npm run feedback` share: the data folder (`--data DIR` over
 * QUELLE_DATA_DIR), the database the bot recorded (never created by these commands), and
 * retention applied first, so that nothing past QUELLE_LOG_DAYS is ever shown or exported.
 */
export interface OpenedCommunity {
  readonly store: SqliteCommunityStore;
  readonly log: CommunityLog;
}

export async function openCommunityForCli(config: CoreConfig, dataFlag: string | undefined, run: CommandRun): Promise<OpenedCommunity> {
  const dataDir = dataFlag ?? config.dataDir;
  run.uses({ path: dataDir, role: 'data folder', choose: '--data DIR or QUELLE_DATA_DIR' });
  const store = await openCommunityStore({ dataDir, create: false });
  const log = new CommunityLog({ store, logDays: config.logDays });
  try {
    await log.purge();
  } catch (error) {
    await store.close();
    throw error;
  }
  return { store, log };
}

// A sharded deployment on one host for tests and measurements: a Discord twin with two guilds on
// each shard, an index built by the fixture model, the commands registered globally, and the
// environment that points `npm start` (see bot-process.ts) at all of it.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerCommands } from '../../src/bot/register-commands.ts';
import { loadCoreConfig } from '../../src/config.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { startDiscordTwin, type DiscordTwin, type TwinGuild, type TwinOptions } from '../discord-twin/twin.js';
import { BOT_TOKEN, FIXTURE_MODEL, PROJECT_ROOT, twinEnv } from './bot-harness.ts';

export interface ShardDeployment {
  readonly twin: DiscordTwin;
  readonly seedsDir: string;
  readonly indexDir: string;
  /** The environment of every bot process (add the shard settings). */
  readonly env: Record<string, string>;
  /** Closes the twin and deletes the folders; stop the bot processes first. */
  close(): Promise<void>;
}

export interface ShardDeploymentOptions {
  /** Shards the guilds are spread over: two guilds on each. */
  readonly shards: number;
  readonly twin?: TwinOptions;
  /** Folders whose articles are copied into seeds/ and indexed (default: the project's seeds). */
  readonly articleDirs?: readonly string[];
  /** The model that builds the index and answers (default: the fixture model). */
  readonly modelDir?: string;
}

/** The shard that owns a guild: (guild_id >> 22) % count, as on Discord. */
export function ownerShard(guild: TwinGuild, count: number): number {
  return Number((BigInt(guild.id) >> 22n) % BigInt(count));
}

export async function startShardDeployment(options: ShardDeploymentOptions): Promise<ShardDeployment> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'quelle-shards-'));
  const seedsDir = path.join(work, 'seeds');
  const indexDir = path.join(work, 'embeddings');
  for (const dir of options.articleDirs ?? [path.join(PROJECT_ROOT, 'seeds')]) await cp(dir, seedsDir, { recursive: true });
  const modelDir = options.modelDir ?? FIXTURE_MODEL;
  await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: loadCoreConfig({ EMBEDDING_MODEL_DIR: modelDir }).model });
  const twin = await startDiscordTwin({ token: BOT_TOKEN, ...options.twin });
  for (let shard = 0; shard < options.shards; shard++) for (let copy = 0; copy < 2; copy++) twin.addGuild({ shard: [shard, options.shards] });
  await registerCommands({ token: BOT_TOKEN, apiUrl: twin.apiUrl, clientId: twin.ids.applicationId, guildId: null });
  // Registered globally: every guild has the commands, as in a sharded deployment.
  const { DISCORD_GUILD_ID: _registrationOnly, ...env } = twinEnv(twin, seedsDir, indexDir);
  return {
    twin,
    seedsDir,
    indexDir,
    env: { ...env, EMBEDDING_MODEL_DIR: modelDir, QUELLE_DATA_DIR: path.join(work, 'data'), LOG_LEVEL: 'info' },
    async close() {
      await twin.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

// Starts the real bot (discord.js client, search service, commands) against the local Discord
// twin, with an index built from the seed article by the fixture model.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationCommandOptionType } from 'discord.js';
import { createBot, type Bot } from '../../src/bot/bot.ts';
import { registerCommands } from '../../src/bot/register-commands.ts';
import { loadBotConfig, type BotConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { startDiscordTwin, type DiscordTwin, type InteractionHandle, type TwinOptions } from '../discord-twin/twin.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const FIXTURE_MODEL = path.join(PROJECT_ROOT, 'test', 'fixtures', 'tiny-model');
export const SEED_ID = '000_844079290e2bd696';
export const SEED_QUESTION = 'Wo traf sich die Koalition der Willigen?';
/** Shaped like a real bot token, so that redaction by pattern is exercised too. */
export const BOT_TOKEN = 'MTQwMDAwMDAwMDAwMDAwMDAwMA.GabcdE.abcdefghijklmnopqrstuvwxyz0123456789AB';

/** A logger that keeps every line, so tests can read what the bot logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (obj: object | string, msg?: string) => {
    lines.push(`${level} ${typeof obj === 'string' ? obj : JSON.stringify(obj)} ${msg ?? ''}`);
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export interface Harness {
  readonly twin: DiscordTwin;
  readonly bot: Bot;
  readonly config: BotConfig;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly seedsDir: string;
  readonly indexDir: string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  readonly twin?: TwinOptions;
  /** Build no index before the bot starts. */
  readonly withoutIndex?: boolean;
  readonly clientOptions?: Parameters<typeof createBot>[0]['clientOptions'];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'quelle-e2e-'));
  const seedsDir = path.join(work, 'seeds');
  const indexDir = path.join(work, 'embeddings');
  await cp(path.join(PROJECT_ROOT, 'seeds'), seedsDir, { recursive: true });
  const twin = await startDiscordTwin({ token: BOT_TOKEN, ...options.twin });
  const config = loadBotConfig({
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_API_URL: twin.apiUrl,
    DISCORD_CLIENT_ID: twin.ids.applicationId,
    DISCORD_GUILD_ID: twin.ids.guildId,
    QUELLE_SEEDS_DIR: seedsDir,
    QUELLE_INDEX_DIR: indexDir,
    EMBEDDING_MODEL_DIR: FIXTURE_MODEL,
    QUELLE_COOLDOWN_SECONDS: '0',
    ...options.env,
  });
  const logger = recordingLogger();
  if (!options.withoutIndex) {
    const { runIndexer } = await import('../../src/indexer/run-indexer.ts');
    await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: config.model });
  }
  await registerCommands({ token: config.token, apiUrl: config.apiUrl, clientId: config.clientId, guildId: config.guildId });
  const bot = createBot({ config, logger, clientOptions: { waitGuildTimeout: 100, ...options.clientOptions } });
  await bot.start();
  return {
    twin,
    bot,
    config,
    logger,
    seedsDir,
    indexDir,
    async stop() {
      await bot.stop();
      await twin.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** Sends /ask as a member of the twin's guild. */
export function ask(twin: DiscordTwin, question: string, options: { locale?: string; user?: string; results?: number } = {}): Promise<InteractionHandle> {
  return twin.sendCommand({
    name: 'ask',
    options: [
      { name: 'question', type: ApplicationCommandOptionType.String, value: question },
      ...(options.results ? [{ name: 'results', type: ApplicationCommandOptionType.Integer, value: options.results }] : []),
    ],
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.user ? { user: options.user } : {}),
  });
}

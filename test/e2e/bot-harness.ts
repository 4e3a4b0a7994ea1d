// Starts the real bot (discord.js client, search service, commands) against the local Discord
// twin, with an index built from the seed article by the fixture model.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationCommandOptionType } from 'discord.js';
import { createBot, type Bot, type CreateBotOptions } from '../../src/bot/bot.ts';
import { registerCommands } from '../../src/bot/register-commands.ts';
import { loadBotConfig, type BotConfig } from '../../src/config.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import type { Logger } from '../../src/logger.ts';
import { startDiscordTwin, type DiscordTwin, type InteractionHandle, type TwinMessage, type TwinOptions } from '../discord-twin/twin.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const FIXTURE_MODEL = path.join(PROJECT_ROOT, 'test', 'fixtures', 'tiny-model');
export const SEED_ID = '000_844079290e2bd696';
export const SEED_QUESTION = 'Wo traf sich die Koalition der Willigen?';
/** Shaped like a real bot token, so that redaction by pattern is exercised too. */
export const BOT_TOKEN = 'MTQwMDAwMDAwMDAwMDAwMDAwMA.GabcdE.abcdefghijklmnopqrstuvwxyz0123456789AB';

/** A logger that keeps every line, so tests can read what the bot logged (and wait for a line). */
export function recordingLogger(): Logger & { lines: string[]; waitFor(pattern: RegExp, timeoutMs?: number, fromLine?: number): Promise<string> } {
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const line = `${level} ${typeof obj === 'string' ? obj : JSON.stringify(obj)} ${msg ?? ''}`;
    lines.push(line);
    for (const waiter of waiters) waiter(line);
  };
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    /** Resolves with the first line from `lines[fromLine]` on (logged already or later) that matches. */
    waitFor(pattern, timeoutMs = 10_000, fromLine = 0) {
      const logged = lines.slice(fromLine).find((line) => pattern.test(line));
      if (logged !== undefined) return Promise.resolve(logged);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no log line matched ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-10).join('\n')}`));
        }, timeoutMs);
        const waiter = (line: string): void => {
          if (!pattern.test(line)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(line);
        };
        waiters.add(waiter);
      });
    },
  };
}

export interface Harness {
  readonly twin: DiscordTwin;
  readonly bot: Bot;
  readonly config: BotConfig;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly seedsDir: string;
  readonly indexDir: string;
  /** Stops the bot and starts a new one with the same settings, database and twin (`bot` is then the new one). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  readonly twin?: TwinOptions;
  /** Seeds folder to use as is (default: a copy of the project's seeds). */
  readonly seedsDir?: string;
  /** Index folder to use as is (default: a fresh one). */
  readonly indexDir?: string;
  /** Build an index before the bot starts (default: true unless `indexDir` is given). */
  readonly buildIndex?: boolean;
  /** An embedder for the build and the bot (default: the fixture model, loaded by each). */
  readonly embedder?: Embedder;
  /** An embedder for the build only (default: `embedder`): the build calibrates with hundreds of questions. */
  readonly buildEmbedder?: Embedder;
  readonly clientOptions?: CreateBotOptions['clientOptions'];
  readonly outageWarningIntervalMs?: number;
  /** Timing of the seeds folder's watcher (default: the bot's). */
  readonly seedsWatcher?: CreateBotOptions['seedsWatcher'];
}

/** discord.js delays a re-identify within 5 s of the previous one; tests that invalidate sessions need it gone. */
export const NO_IDENTIFY_THROTTLE = { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) } } as const;

/**
 * The environment that points a bot at a twin, with the fixture model, no cooldown and no seeds
 * watcher, and its community database beside the index folder (never the project's `data/`).
 */
export function twinEnv(twin: DiscordTwin, seedsDir: string, indexDir: string, dataDir = path.join(path.dirname(indexDir), 'data')): Record<string, string> {
  return {
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_API_URL: twin.apiUrl,
    DISCORD_CLIENT_ID: twin.ids.applicationId,
    DISCORD_GUILD_ID: twin.ids.guildId,
    QUELLE_SEEDS_DIR: seedsDir,
    QUELLE_INDEX_DIR: indexDir,
    QUELLE_DATA_DIR: dataDir,
    EMBEDDING_MODEL_DIR: FIXTURE_MODEL,
    QUELLE_COOLDOWN_SECONDS: '0',
    // Tests that write into seeds/ and then run /reindex stay deterministic; the watcher's own
    // tests turn it on (QUELLE_WATCH: 'true').
    QUELLE_WATCH: 'false',
  };
}

/** The real bot (discord.js client, search service, commands) against a fresh Discord twin. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'quelle-e2e-'));
  const seedsDir = options.seedsDir ?? path.join(work, 'seeds');
  if (!options.seedsDir) await cp(path.join(PROJECT_ROOT, 'seeds'), seedsDir, { recursive: true });
  const indexDir = options.indexDir ?? path.join(work, 'embeddings');
  const twin = await startDiscordTwin({ token: BOT_TOKEN, ...options.twin });
  // The database in this harness's own folder: a test's index folder may sit right in the system's
  // temporary folder, and a database beside it would be shared with every other such test.
  const config = loadBotConfig({ ...twinEnv(twin, seedsDir, indexDir, path.join(work, 'data')), ...options.env });
  const logger = recordingLogger();
  const embedder = options.embedder ? { embedder: options.embedder } : {};
  if (options.buildIndex ?? !options.indexDir) {
    const { runIndexer } = await import('../../src/indexer/run-indexer.ts');
    const forBuild = options.buildEmbedder ? { embedder: options.buildEmbedder } : embedder;
    await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: config.model, ...forBuild });
  }
  await registerCommands({ token: config.token, apiUrl: config.apiUrl, clientId: config.clientId, guildId: config.guildId });
  const createOne = (): Bot =>
    createBot({
      config,
      logger,
      clientOptions: { waitGuildTimeout: 100, ...NO_IDENTIFY_THROTTLE, ...options.clientOptions },
      ...embedder,
      ...(options.outageWarningIntervalMs === undefined ? {} : { outageWarningIntervalMs: options.outageWarningIntervalMs }),
      ...(options.seedsWatcher ? { seedsWatcher: options.seedsWatcher } : {}),
    });
  let bot = createOne();
  await bot.start();
  return {
    twin,
    get bot() {
      return bot;
    },
    config,
    logger,
    seedsDir,
    indexDir,
    async restart() {
      await bot.stop();
      bot = createOne();
      await bot.start();
    },
    async stop() {
      await bot.stop();
      await twin.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** All text a message shows: content, embed titles, descriptions, fields and footers. */
export function shownText(message: TwinMessage): string {
  return [
    message.content,
    ...message.embeds.flatMap((embed) => [
      embed.title ?? '',
      embed.description ?? '',
      ...(embed.fields ?? []).flatMap((field) => [field.name, field.value]),
      embed.footer?.text ?? '',
    ]),
  ].join('\n');
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

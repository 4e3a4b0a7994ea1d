import { once } from 'node:events';
import { REST, Routes, ShardingManager, type ClientOptions, type Shard } from 'discord.js';
import type { BotConfig, ShardSettings } from '../config.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { redactSecrets } from './redact.ts';

/** Discord lets a bot identify one shard per ~5 s (max_concurrency 1); discord.js's default spacing. */
const SPAWN_DELAY_MS = 5500;
/** A shard loads the index and the model before it logs in: give a large model time. */
const READY_TIMEOUT_MS = 5 * 60_000;
/** How long a shard may take to stop (it finishes a running reindex) before it is killed. */
const STOP_TIMEOUT_MS = 30_000;

/** What a shard's process sends its manager before it exits because Discord refused it for good. */
export interface ShardFatalMessage {
  readonly quelleFatal: string;
}

function isFatalMessage(message: unknown): message is ShardFatalMessage {
  return typeof message === 'object' && message !== null && typeof (message as { quelleFatal?: unknown }).quelleFatal === 'string';
}

/** True in a process a ShardingManager spawned: discord.js reads its shard from SHARDS and SHARD_COUNT. */
export function isShardProcess(env: Record<string, string | undefined>): boolean {
  return env.SHARDING_MANAGER !== undefined;
}

/**
 * Client options for the shards this process runs itself: DISCORD_SHARD_IDS of
 * DISCORD_SHARD_COUNT (or every shard of the count). None when unsharded, and none in a managed
 * shard's process, where discord.js takes the shard from the manager's environment.
 */
export function processShardOptions(sharding: ShardSettings, env: Record<string, string | undefined>): Partial<ClientOptions> {
  if (sharding.manager || typeof sharding.count !== 'number' || isShardProcess(env)) return {};
  return { shards: [...(sharding.ids ?? Array.from({ length: sharding.count }, (_, id) => id))], shardCount: sharding.count };
}

/** The shards this process runs, for its log lines; null when unsharded. */
export function processShardIds(sharding: ShardSettings, env: Record<string, string | undefined>): number[] | null {
  if (isShardProcess(env)) return env.SHARDS === undefined ? null : [Number(env.SHARDS)];
  const options = processShardOptions(sharding, env);
  return Array.isArray(options.shards) ? options.shards : null;
}

/** Discord's recommended shard count (GET /gateway/bot), asked through DISCORD_API_URL when set. */
export async function recommendedShardCount(config: Pick<BotConfig, 'token' | 'apiUrl'>): Promise<number> {
  const rest = new REST(config.apiUrl ? { api: config.apiUrl } : {}).setToken(config.token);
  const { shards } = (await rest.get(Routes.gatewayBot())) as { shards: number };
  return Math.max(1, shards);
}

export interface ShardSupervisorOptions {
  readonly config: BotConfig;
  readonly logger: Logger;
  /** The script every shard's process runs: the bot's entry point. */
  readonly file: string;
  /** Node options for the shards' processes (the manager's own, e.g. `--import tsx`). */
  readonly execArgv: readonly string[];
}

/**
 * discord.js's ShardingManager, one child process per shard of this host, with what an operator
 * needs around it: the count resolved through DISCORD_API_URL, a log line per shard that starts,
 * is ready or exits (and is restarted), and a stop that lets every shard finish its work.
 */
export class ShardSupervisor {
  /** Resolves with the reason when a shard was refused by Discord for good (a revoked token, …): restarting cannot help. */
  readonly fatal: Promise<string>;
  private manager: ShardingManager | null = null;
  private stopping = false;
  private resolveFatal: (reason: string) => void = () => {};

  constructor(private readonly options: ShardSupervisorOptions) {
    this.fatal = new Promise((resolve) => (this.resolveFatal = resolve));
  }

  /** Spawns every shard of this host, one after the other; resolves when all are ready. */
  async start(): Promise<{ totalShards: number; shardList: number[] }> {
    const { config, logger } = this.options;
    const totalShards = config.sharding.count === 'auto' || config.sharding.count === null ? await recommendedShardCount(config) : config.sharding.count;
    const shardList = [...(config.sharding.ids ?? Array.from({ length: totalShards }, (_, id) => id))];
    const manager = new ShardingManager(this.options.file, {
      totalShards,
      shardList,
      token: config.token,
      execArgv: [...this.options.execArgv],
      respawn: true,
    });
    this.manager = manager;
    manager.on('shardCreate', (shard) => this.watch(shard));
    logger.info({ totalShards, shardList }, `Starting ${shardList.length} of ${totalShards} shards, one process each`);
    await manager.spawn({ amount: totalShards, delay: SPAWN_DELAY_MS, timeout: READY_TIMEOUT_MS });
    logger.info({ totalShards, shardList }, 'Every shard is ready');
    return { totalShards, shardList };
  }

  /** Stops every shard's process (SIGTERM, then SIGKILL after 30 s) without restarting it. */
  async stop(): Promise<void> {
    this.stopping = true;
    const manager = this.manager;
    if (!manager) return;
    manager.respawn = false;
    await Promise.all(
      manager.shards.map(async (shard) => {
        const child = shard.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private watch(shard: Shard): void {
    const { logger } = this.options;
    shard.on('ready', () => logger.info({ shard: shard.id }, `Shard ${shard.id} is ready`));
    shard.on('death', (child) => {
      if (this.stopping) return;
      const exitCode = 'exitCode' in child ? child.exitCode : null;
      logger.warn({ shard: shard.id, exitCode }, `Shard ${shard.id}'s process exited; starting it again`);
    });
    // A failed restart: without a listener the manager itself would crash.
    shard.on('error', (error) => logger.error({ shard: shard.id, error: redactSecrets(describeError(error)) }, `Shard ${shard.id} failed`));
    shard.on('message', (message: unknown) => {
      if (isFatalMessage(message)) this.resolveFatal(`Shard ${shard.id}: ${message.quelleFatal}`);
    });
  }
}

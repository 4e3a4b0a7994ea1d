import type { Client } from 'discord.js';

/** What one bot process reports for /stats: its shards, their servers, and the questions it answered. */
export interface ProcessStats {
  readonly shards: readonly number[];
  /** Servers per shard id of this process. */
  readonly serversByShard: Readonly<Record<number, number>>;
  readonly answered: number;
}

/** /stats' view of the deployment: this process and, under a ShardingManager, every process it runs. */
export interface DeploymentStats {
  /** Total shards of the deployment (1 when unsharded). */
  readonly shardCount: number;
  readonly thisProcess: ProcessStats;
  /** Every process the manager reached (this one included); without a manager, or when it did not answer in time, just this one. */
  readonly processes: readonly ProcessStats[];
  /** Whether `processes` came through a ShardingManager. */
  readonly managed: boolean;
}

/**
 * The key under which each client carries its stats reader. broadcastEval runs a function in
 * every shard's process with only the client at hand, so the reader has to hang on the client;
 * a registered symbol is the same in every process.
 */
const STATS_KEY = 'quelle.processStats';
/** /stats must answer within Discord's 3 s: a shard that is restarting is left out. */
const BROADCAST_TIMEOUT_MS = 1500;

type StatsReader = () => ProcessStats;

/**
 * Lets /stats (in this process or, through the manager, in another) read this process's stats:
 * its shards and their servers from the client, and the questions `answered()` counts.
 */
export function publishProcessStats(client: Client, answered: () => number): void {
  const read: StatsReader = () => {
    const shards = [...client.ws.shards.keys()].sort((a, b) => a - b);
    const serversByShard: Record<number, number> = Object.fromEntries(shards.map((id) => [id, 0]));
    for (const guild of client.guilds.cache.values()) serversByShard[guild.shardId] = (serversByShard[guild.shardId] ?? 0) + 1;
    return { shards, serversByShard, answered: answered() };
  };
  (client as unknown as Record<symbol, StatsReader>)[Symbol.for(STATS_KEY)] = read;
}

function readOwn(client: Client): ProcessStats {
  const read = (client as unknown as Record<symbol, StatsReader | undefined>)[Symbol.for(STATS_KEY)];
  return read ? read() : { shards: [], serversByShard: {}, answered: 0 };
}

/** True when the client runs as one of several shards (under a manager or with DISCORD_SHARD_IDS). */
export function isSharded(client: Client): boolean {
  return client.shard !== null || (client.options.shardCount ?? 1) > 1;
}

/** This process's stats, and every process's through the ShardingManager when there is one. */
export async function collectDeploymentStats(client: Client): Promise<DeploymentStats> {
  const thisProcess = readOwn(client);
  const shardCount = client.shard?.count ?? client.options.shardCount ?? 1;
  if (!client.shard) return { shardCount, thisProcess, processes: [thisProcess], managed: false };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), BROADCAST_TIMEOUT_MS)));
  // The function runs in each shard's process as source text: it may use only its arguments.
  const answers = await Promise.race([
    client.shard
      .broadcastEval((shardClient, key) => {
        const read = (shardClient as unknown as Record<symbol, (() => ProcessStats) | undefined>)[Symbol.for(key)];
        return read ? read() : null;
      }, { context: STATS_KEY })
      .catch(() => null),
    timeout,
  ]).finally(() => clearTimeout(timer));
  const processes: ProcessStats[] = answers ? answers.flatMap((answer) => (answer ? [answer as ProcessStats] : [])) : [thisProcess];
  return { shardCount, thisProcess, processes, managed: true };
}

/** Sums over processes: shards that reported, their servers, and the questions answered. */
export function totalsOf(processes: readonly ProcessStats[]): { shards: number; servers: number; answered: number } {
  let shards = 0;
  let servers = 0;
  let answered = 0;
  for (const stats of processes) {
    shards += stats.shards.length;
    answered += stats.answered;
    for (const count of Object.values(stats.serversByShard)) servers += count;
  }
  return { shards, servers, answered };
}

import { Events, type Client } from 'discord.js';
import { ErrorCode, QuelleError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * Gateway close codes after which discord.js gives up (it neither resumes nor identifies again),
 * with what each means for the person running the bot. Restarting does not help with any of
 * them, so the process has to fail loudly instead of idling or exiting 0.
 */
export const FATAL_CLOSE_ADVICE: ReadonlyMap<number, string> = new Map([
  [4004, 'Discord rejected the bot token (gateway close 4004, authentication failed). Check DISCORD_TOKEN in .env: copy the token again from the Developer Portal (your application → Bot → Reset Token) if it was reset or revoked.'],
  [4010, 'Discord rejected the shard settings (gateway close 4010, invalid shard). Quelle runs a single shard: remove any shard settings given to the client.'],
  [4011, 'Discord requires sharding for this bot (gateway close 4011, sharding required): it is in too many servers for one connection, and Quelle does not shard. Remove it from servers it does not need to be in.'],
  [4012, 'Discord no longer accepts the gateway API version discord.js uses (gateway close 4012, invalid API version). Update discord.js (`npm update discord.js`) and start again.'],
  [4013, 'Discord rejected the gateway intents (gateway close 4013, invalid intents). The intents are set in src/bot/bot.ts; this is a bug in Quelle, please report it.'],
  [4014, "Discord refused a privileged gateway intent (gateway close 4014, disallowed intents). Quelle asks for Message Content only when QUELLE_ANSWER_CHANNEL_IDS lists channels: turn it on in the Developer Portal (your application → Bot → Privileged Gateway Intents → Message Content), or empty QUELLE_ANSWER_CHANNEL_IDS to answer only /ask and mentions."],
]);

/** A gateway close Discord will not take back: the bot cannot go on. */
export class GatewayClosedError extends QuelleError {
  readonly closeCode: number;

  constructor(closeCode: number) {
    super(ErrorCode.GatewayRefused, FATAL_CLOSE_ADVICE.get(closeCode) ?? `Discord closed the gateway for good (close code ${closeCode}).`);
    this.name = 'GatewayClosedError';
    this.closeCode = closeCode;
  }
}

export interface GatewayWatchOptions {
  /** How often a continuing outage is logged again (default 30 s). */
  readonly outageWarningIntervalMs?: number;
}

export const DEFAULT_OUTAGE_WARNING_INTERVAL_MS = 30_000;

/**
 * Watches the client's gateway connection: logs a lost connection, each reconnect attempt (at
 * debug level), a warning every `outageWarningIntervalMs` while it stays lost, and the resume;
 * and turns an unrecoverable close into {@link fatal}.
 */
export class GatewayWatch {
  /** Resolves on an unrecoverable close; never otherwise. */
  readonly fatal: Promise<GatewayClosedError>;
  private readonly intervalMs: number;
  private readonly lastCloseCode = new Map<number, number>();
  private outage: { since: number; attempts: number; timer: NodeJS.Timeout } | null = null;
  /** Set by stop(): destroying the client closes the gateway too, which is no outage. */
  private stopped = false;
  private resolveFatal: (error: GatewayClosedError) => void = () => {};
  private closedForGood: GatewayClosedError | null = null;

  constructor(
    private readonly client: Client,
    private readonly logger: Logger,
    options: GatewayWatchOptions = {},
  ) {
    this.intervalMs = options.outageWarningIntervalMs ?? DEFAULT_OUTAGE_WARNING_INTERVAL_MS;
    this.fatal = new Promise((resolve) => (this.resolveFatal = resolve));
    client.on(Events.ShardReady, (shard) => this.onShardReady(shard));
    client.on(Events.ShardReconnecting, (shard) => this.onReconnecting(shard));
    client.on(Events.ShardResume, (shard) => this.onBack(shard, 'resumed'));
    client.on(Events.ShardDisconnect, (event, shard) => this.onDisconnect(event.code, shard));
  }

  /** The unrecoverable close, if one came: set synchronously, before discord.js reports the failure anywhere else. */
  get fatalError(): GatewayClosedError | null {
    return this.closedForGood;
  }

  /** Stops watching: call before destroying the client. */
  stop(): void {
    this.stopped = true;
    this.endOutage();
  }

  private endOutage(): void {
    if (this.outage) clearInterval(this.outage.timer);
    this.outage = null;
  }

  private onShardReady(shardId: number): void {
    // The shard object exists from the first READY on; its close event carries the close code.
    if (!this.lastCloseCode.has(shardId)) {
      this.lastCloseCode.set(shardId, 0);
      this.client.ws.shards.get(shardId)?.on('close', (event) => this.lastCloseCode.set(shardId, event.code));
    }
    this.onBack(shardId, 'restored with a new session');
  }

  private onReconnecting(shard: number): void {
    if (this.stopped) return;
    const closeCode = this.lastCloseCode.get(shard) || undefined;
    if (this.outage) {
      this.outage.attempts++;
      this.logger.debug({ shard, attempt: this.outage.attempts, closeCode }, 'Gateway reconnect attempt');
      return;
    }
    const since = Date.now();
    const timer = setInterval(() => {
      if (!this.outage) return;
      const seconds = secondsSince(this.outage.since);
      this.logger.warn({ shard, seconds, attempts: this.outage.attempts }, `Gateway still disconnected after ${seconds} s; reconnecting (${countOf(this.outage.attempts, 'attempt')} so far)`);
    }, this.intervalMs);
    timer.unref();
    this.outage = { since, attempts: 1, timer };
    this.logger.warn({ shard, closeCode }, 'Gateway connection lost; reconnecting');
  }

  private onBack(shard: number, how: string): void {
    if (!this.outage) return;
    const { since, attempts } = this.outage;
    this.endOutage();
    const seconds = secondsSince(since);
    this.logger.info({ shard, seconds, attempts }, `Gateway connection ${how} after ${seconds} s (${countOf(attempts, 'attempt')})`);
  }

  private onDisconnect(code: number, shard: number): void {
    this.endOutage();
    if (!FATAL_CLOSE_ADVICE.has(code)) {
      this.logger.warn({ shard, closeCode: code }, 'Gateway disconnected');
      return;
    }
    this.closedForGood ??= new GatewayClosedError(code);
    this.resolveFatal(this.closedForGood);
  }
}

function secondsSince(since: number): number {
  return Number(((Date.now() - since) / 1000).toFixed(1));
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

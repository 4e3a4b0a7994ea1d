import { Client, Events, GatewayIntentBits, type ClientOptions } from 'discord.js';
import type { BotConfig } from '../config.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { NO_MENTIONS } from './command.ts';
import { ArticleDesk } from '../article-admin/article-desk.ts';
import { ArticleStore } from '../article-admin/article-store.ts';
import { FanOutAuditSink, LogAuditSink, type AuditSink } from '../article-admin/audit.ts';
import type { IndexUpdater } from '../article-admin/index-updater.ts';
import { FeedPoller, feedStateFile } from '../ingest/feeds/feed-poller.ts';
import { watchSeeds, type SeedsWatcher, type SeedsWatcherOptions } from '../ingest/seeds-watcher.ts';
import { ChannelAuditSink } from './audit-channel.ts';
import { commands, handlers } from './commands/index.ts';
import { Cooldowns, DatabaseCooldowns, type QuestionCooldowns } from './cooldowns.ts';
import { publishProcessStats } from './deployment-stats.ts';
import { createInteractionRouter } from './interaction-router.ts';
import { GatewayWatch, type GatewayClosedError } from './gateway-watch.ts';
import { createMessageHandler, unusableAnswerChannels } from './message-questions.ts';
import { CommunityConnection } from './community-connection.ts';
import { guardOutgoingRequests } from './outgoing-guard.ts';
import { redactSecrets, SecretRedactor } from './redact.ts';
import { SearchService } from './search-service.ts';

export interface Bot {
  readonly client: Client;
  readonly service: SearchService;
  /** The news feeds' poller, when QUELLE_FEEDS lists any. */
  readonly feeds: FeedPoller | null;
  /**
   * Resolves when Discord closes the gateway for good (bad token, disallowed intents, …): the
   * client will not reconnect, so the process should stop with the error's advice.
   */
  readonly fatal: Promise<GatewayClosedError>;
  /** Loads the index and model, then logs in; resolves when the client is ready. Rejects with a GatewayClosedError when Discord refuses the connection. */
  start(): Promise<void>;
  /** Disconnects, waits for a running reindex and frees the model. */
  stop(): Promise<void>;
}

export interface CreateBotOptions {
  readonly config: BotConfig;
  readonly logger: Logger;
  /** Extra client options (tests shorten waitGuildTimeout). */
  readonly clientOptions?: Partial<ClientOptions>;
  /** A model to use instead of loading the configured one (tests inject a slow embedder). */
  readonly embedder?: Embedder;
  /** Removes secrets from everything sent to Discord (default: one for the configured token). */
  readonly redactor?: SecretRedactor;
  /** How often a continuing gateway outage is logged again (default 30 s; tests shorten it). */
  readonly outageWarningIntervalMs?: number;
  /** Timing of the seeds folder's watcher (tests shorten it). */
  readonly seedsWatcher?: SeedsWatcherOptions;
}

/** Wires the discord.js client to the search service and the command handlers. */
export function createBot({ config, logger, clientOptions = {}, embedder, redactor = new SecretRedactor([config.token]), outageWarningIntervalMs, seedsWatcher = {} }: CreateBotOptions): Bot {
  const service = new SearchService(config, logger, embedder, { hotReload: true });
  const answerChannels = config.answerChannelIds.length > 0;
  const client = new Client({
    // Mentions of the bot carry their content without the privileged Message Content intent;
    // answer channels read every message, so only they ask for it (Discord refuses a bot
    // whose privileged intent is not turned on in the Developer Portal: 4014).
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, ...(answerChannels ? [GatewayIntentBits.MessageContent] : [])],
    allowedMentions: NO_MENTIONS,
    // Each interaction token gets its own REST handler, which discord.js sweeps only after an
    // hour by default: a busy hour holds one per question (~800 bytes each). Sweep idle ones
    // every minute.
    ...clientOptions,
    rest: {
      handlerSweepInterval: 60_000,
      ...(config.apiUrl ? { api: config.apiUrl } : {}),
      ...clientOptions.rest,
      makeRequest: guardOutgoingRequests({ redactor, logger, send: clientOptions.rest?.makeRequest }),
    },
  });

  publishProcessStats(client, () => service.stats.count);

  const auditSinks: AuditSink[] = [new LogAuditSink(logger)];
  if (config.auditChannelId) auditSinks.push(new ChannelAuditSink(client, config.auditChannelId));
  const updater: IndexUpdater = { update: () => service.requestUpdate(), current: () => service.current?.index ?? null };
  const store = new ArticleStore(config.seedsDir);
  const audit = new FanOutAuditSink(auditSinks, logger);
  const articles = new ArticleDesk({ store, index: updater, audit });
  const feeds = config.feeds.length > 0 ? new FeedPoller({ feeds: config.feeds, intervalMs: config.feedMinutes * 60_000, store, audit, index: updater, stateFile: feedStateFile(config.indexDir), logger }) : null;
  const community = new CommunityConnection({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, logDays: config.logDays, currentIndex: () => service.current?.index ?? null, logger });
  // A member's questions may reach several processes (hosts sharing DATABASE_URL, or shards in
  // several processes): then the wait lives in the database, so that it holds in all of them.
  const severalProcesses = config.databaseUrl !== null || config.sharding.manager || config.sharding.count !== null;
  const cooldowns: QuestionCooldowns = severalProcesses ? new DatabaseCooldowns(() => community.store, config.cooldownSeconds) : new Cooldowns(config.cooldownSeconds);
  const services = { service, config, logger, cooldowns, articles, feeds, community };
  const route = createInteractionRouter({ ...services, commands, handlers });
  const answerMessage = createMessageHandler(services);
  let watcher: SeedsWatcher | null = null;
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  client.on(Events.MessageCreate, (message) => void answerMessage(message));
  client.on(Events.Error, (error) => logger.error({ error: redactSecrets(describeError(error)) }, 'Discord client error'));
  const gateway = new GatewayWatch(client, logger, outageWarningIntervalMs === undefined ? {} : { outageWarningIntervalMs });

  return {
    client,
    service,
    feeds,
    fatal: gateway.fatal,
    async start() {
      // Before the index and the login: a database the bot cannot open (DATABASE_TOO_NEW) stops it at once, with the fix.
      await community.open();
      await service.start();
      if (config.watchSeeds) {
        watcher = await watchSeeds(
          config.seedsDir,
          (files) => {
            logger.info({ files: files.size }, 'Seeds folder changed; updating the index');
            service.requestUpdate().catch((error: unknown) => logger.error({ error: redactSecrets(describeError(error)) }, 'Updating the index after a change in the seeds folder failed; the previous index keeps serving'));
          },
          logger,
          seedsWatcher,
        ).catch((error: unknown) => {
          logger.warn({ error: describeError(error) }, 'Cannot watch the seeds folder; new files are indexed at the next /reindex');
          return null;
        });
      }
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      const refused = gateway.fatal.then((error) => Promise.reject(error));
      try {
        await Promise.race([client.login(config.token).then(() => ready), refused]);
      } catch (error) {
        // discord.js rejects login with a bare "Authentication failed"; the close code says more.
        throw gateway.fatalError ?? error;
      }
      // After login: what the feeds save is posted to the audit channel.
      feeds?.start();
      const unusable = client.isReady() ? unusableAnswerChannels(client, config.answerChannelIds) : [];
      if (unusable.length > 0) {
        logger.warn({ channels: unusable }, 'QUELLE_ANSWER_CHANNEL_IDS lists channels the bot cannot see or answer in: check each id (a text or forum channel of a server the bot is in) and that the bot may view it');
      }
      const retriever = service.current;
      const manifest = retriever?.index.manifest;
      const denseRelevance = retriever && config.mode !== 'lexical' ? retriever.denseRelevance(config.mode) : null;
      logger.info(
        {
          user: client.user?.tag,
          guilds: client.guilds.cache.size,
          articles: manifest?.counts.articles ?? 0,
          passages: manifest?.counts.passages ?? 0,
          model: manifest?.model?.id ?? null,
          messageContentIntent: answerChannels,
          answerChannels: config.answerChannelIds.length,
          mode: retriever ? (retriever.denseUnavailableReason() && config.mode !== 'lexical' ? 'lexical' : config.mode) : 'unavailable',
          ...(service.unavailableReason ? { indexProblem: service.unavailableReason } : {}),
          ...(service.modelProblem ? { modelProblem: service.modelProblem } : {}),
          ...(service.vectorsProblem ? { vectorsProblem: service.vectorsProblem } : {}),
          // Whether the model may say "relevant" (its calibration on this index), or why only word search decides.
          ...(denseRelevance ? { denseRelevance } : {}),
          ...(config.deprecations.length > 0 ? { deprecated: config.deprecations } : {}),
        },
        'Quelle is ready',
      );
    },
    async stop() {
      gateway.stop();
      await watcher?.close();
      await feeds?.stop();
      await client.destroy();
      await service.dispose();
      await community.close();
    },
  };
}

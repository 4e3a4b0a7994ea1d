import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { config as loadDotenv } from 'dotenv';
import { EXIT_FAILURE, EXIT_USAGE, parseCliArgs, UsageError } from '../command-line.ts';
import { loadBotConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { createBotLogger } from './bot-logger.ts';
import { createBot } from './bot.ts';
import { GatewayClosedError } from './gateway-watch.ts';
import { redactSecrets, SecretRedactor } from './redact.ts';
import { isShardProcess, processShardIds, processShardOptions, ShardSupervisor } from './sharding.ts';

const USAGE = `Usage: npm start [-- --help]

Runs the Quelle Discord bot until Ctrl-C or SIGTERM: it answers /ask, /reindex, /articles,
/article, /stats, /insights, @mentions and the answers' buttons from the index in
QUELLE_INDEX_DIR and the database in QUELLE_DATA_DIR, logging one JSON line per event. It indexes files added to QUELLE_SEEDS_DIR while it runs, serves indexes other processes
build, and saves new items of QUELLE_FEEDS as articles.

Settings come from the environment or .env (see .env.example):
  DISCORD_TOKEN      the bot token (required)
  DISCORD_CLIENT_ID  the application id (looked up from the token when unset)
  DISCORD_GUILD_ID   the server to register commands in while developing
  DISCORD_API_URL    a REST proxy or the local Discord twin
  QUELLE_INDEX_DIR, QUELLE_SEEDS_DIR, QUELLE_MODE, EMBEDDING_MODEL(_DIR), LOG_LEVEL, …
  QUELLE_WATCH       index changes in the seeds folder as they happen (default true)
  QUELLE_FEEDS       RSS/Atom feeds to save new articles from; QUELLE_FEED_MINUTES between polls
  QUELLE_AUDIT_CHANNEL_ID   a channel where every article change is posted
  QUELLE_ANSWER_CHANNEL_IDS channels where every new message or forum post is answered in a
                            thread (needs the privileged Message Content intent)
  QUELLE_DATA_DIR, QUELLE_LOG_DAYS   the community database and how long questions are kept
  QUELLE_SHARDS      auto or a number: run discord.js's ShardingManager, one process per shard
  DISCORD_SHARD_IDS, DISCORD_SHARD_COUNT   run only these shards (e.g. 0,1 of 4) on this host

Related commands:
  npm run index      build the index from the articles first
  npm run register   register the slash commands with Discord (once, and after changes)
  npm run articles   add, replace, remove, show and list articles from the command line
  npx tsx test/discord-twin/serve.ts   a local Discord twin to try the bot without Discord

Exit codes: 0 stopped by Ctrl-C/SIGTERM, 1 cannot start or Discord closed the connection for
good (a bad token, a disallowed intent: the log says what to do), 2 usage error.`;

/** `npm start`: runs the bot until SIGINT or SIGTERM. */
try {
  const { values, positionals } = parseCliArgs({}, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (positionals.length > 0) throw new UsageError(`npm start takes no arguments (got "${positionals.join(' ')}").\n\n${USAGE}`);
} catch (error) {
  process.stderr.write(`${describeError(error)}\n`);
  process.exit(error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE);
}

// V8 lets a heap grow to a multiple of what survived its last full collection before it collects
// again, by a factor it picks by itself (often 2 or more). The bot keeps its index in that heap
// and makes a few MB of garbage per question, so the heap stood at 300 MB where 140 MB were live,
// and the bot's resident memory peaked at 939–1,137 MB in the benchmark (10k passages, e5-sized
// model, a reindex while members ask); at 25% it peaked at 815 MB, with no collection over 24 ms.
// Set here rather than on the command line so every way of starting the bot (npm start, shard
// processes, a plain `node src/bot/main.ts`) gets it; V8 reads it at each collection.
setFlagsFromString('--heap-growing-percent=25');

loadDotenv({ quiet: true });

let config;
try {
  config = loadBotConfig();
} catch (error) {
  // Configuration problems are reported at once, with the fix, before anything connects.
  console.error(describeError(error));
  process.exit(EXIT_FAILURE);
}

const redactor = new SecretRedactor([config.token]);
const rootLogger = createBotLogger({ level: config.logLevel, redactor });

if (config.sharding.manager && !isShardProcess(process.env)) await superviseShards();

/** QUELLE_SHARDS: this process only runs the ShardingManager; each shard's process runs this file again as the bot. */
async function superviseShards(): Promise<never> {
  const supervisor = new ShardSupervisor({ config: config!, logger: rootLogger, file: fileURLToPath(import.meta.url), execArgv: process.execArgv });
  let stopping = false;
  const stop = async (reason: Record<string, unknown>, exitCode: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      rootLogger.info(reason, 'Stopping every shard');
      await supervisor.stop();
    }
    return process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop({ signal: 'SIGINT' }, 0));
  process.on('SIGTERM', () => void stop({ signal: 'SIGTERM' }, 0));
  void supervisor.fatal.then((reason) => {
    rootLogger.fatal({ reason }, 'A shard was refused by Discord for good; stopping every shard');
    return stop({ reason }, EXIT_FAILURE);
  });
  try {
    await supervisor.start();
  } catch (error) {
    rootLogger.fatal({ error: redactSecrets(describeError(error)) }, 'Could not start every shard (the shard log above says why)');
    return stop({ error: 'start failed' }, EXIT_FAILURE);
  }
  // Runs until a signal or a fatal shard ends the process.
  return new Promise<never>(() => {});
}

const shardIds = processShardIds(config.sharding, process.env);
const logger = shardIds ? rootLogger.child({ shards: shardIds }) : rootLogger;
const bot = createBot({ config, logger, redactor, clientOptions: processShardOptions(config.sharding, process.env) });

let stopping = false;
/** Stops the bot and exits; a second call (a second signal while stopping) is ignored. */
async function shutdown(reason: Record<string, unknown>, exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info(reason, 'Shutting down');
  const timer = setTimeout(() => process.exit(exitCode || EXIT_FAILURE), 30_000).unref();
  await bot.stop().catch((error: unknown) => logger.error({ error: redactSecrets(describeError(error)) }, 'Error while stopping'));
  clearTimeout(timer);
  process.exit(exitCode);
}

/** Discord will not take the connection back: say what to do, and fail so that a supervisor sees it. */
async function failForGood(error: GatewayClosedError): Promise<void> {
  logger.fatal({ closeCode: error.closeCode }, error.message);
  // A ShardingManager would start this shard again and again: tell it to stop every shard.
  await bot.client.shard?.send({ quelleFatal: error.message }).catch(() => undefined);
  return shutdown({ closeCode: error.closeCode }, EXIT_FAILURE);
}

process.on('SIGINT', () => void shutdown({ signal: 'SIGINT' }, 0));
process.on('SIGTERM', () => void shutdown({ signal: 'SIGTERM' }, 0));
process.on('unhandledRejection', (reason) => logger.error({ error: redactSecrets(describeError(reason)) }, 'Unhandled rejection'));

try {
  await bot.start();
} catch (error) {
  if (error instanceof GatewayClosedError) {
    await failForGood(error);
  } else {
    const message = redactSecrets(describeError(error));
    logger.fatal({ error: message }, /token/i.test(message) ? 'Login failed: check DISCORD_TOKEN' : 'Could not start');
    await bot.stop().catch(() => {});
    process.exit(EXIT_FAILURE);
  }
}
void bot.fatal.then(failForGood);

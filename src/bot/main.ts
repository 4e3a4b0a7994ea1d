import { config as loadDotenv } from 'dotenv';
import { EXIT_FAILURE, EXIT_USAGE, parseCliArgs, UsageError } from '../command-line.ts';
import { loadBotConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { createBotLogger } from './bot-logger.ts';
import { createBot } from './bot.ts';
import { GatewayClosedError } from './gateway-watch.ts';
import { redactSecrets, SecretRedactor } from './redact.ts';

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
const logger = createBotLogger({ level: config.logLevel, redactor });

const bot = createBot({ config, logger, redactor });

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
function failForGood(error: GatewayClosedError): Promise<void> {
  logger.fatal({ closeCode: error.closeCode }, error.message);
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

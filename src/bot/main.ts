import { config as loadDotenv } from 'dotenv';
import { loadBotConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { createBotLogger } from './bot-logger.ts';
import { createBot } from './bot.ts';
import { redactSecrets, SecretRedactor } from './redact.ts';

/** `npm start`: runs the bot until SIGINT or SIGTERM. */
loadDotenv({ quiet: true });

let config;
try {
  config = loadBotConfig();
} catch (error) {
  // Configuration problems are reported at once, with the fix, before anything connects.
  console.error(describeError(error));
  process.exit(1);
}

const redactor = new SecretRedactor([config.token]);
const logger = createBotLogger({ level: config.logLevel, redactor });

const bot = createBot({ config, logger, redactor });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'Shutting down');
  const timer = setTimeout(() => process.exit(1), 30_000).unref();
  await bot.stop().catch((error: unknown) => logger.error({ error: redactSecrets(describeError(error)) }, 'Error while stopping'));
  clearTimeout(timer);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('unhandledRejection', (reason) => logger.error({ error: redactSecrets(describeError(reason)) }, 'Unhandled rejection'));

try {
  await bot.start();
} catch (error) {
  const message = redactSecrets(describeError(error));
  logger.fatal({ error: message }, /token/i.test(message) ? 'Login failed: check DISCORD_TOKEN' : 'Could not start');
  await bot.stop().catch(() => {});
  process.exit(1);
}

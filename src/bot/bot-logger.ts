import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import type { SecretRedactor } from './redact.ts';

export interface BotLoggerOptions {
  readonly level: string;
  /** Removes the configured token (and token-shaped strings) from every line. */
  readonly redactor: SecretRedactor;
  /** Where lines go (default: stdout). */
  readonly destination?: DestinationStream;
}

/**
 * The bot's pino logger. Secrets are removed from each line's fields and message, so that no
 * error text quoting the token or an interaction URL reaches the log.
 */
export function createBotLogger({ level, redactor, destination }: BotLoggerOptions): PinoLogger {
  const options: LoggerOptions = {
    level,
    redact: { paths: ['token', '*.token', 'headers.authorization', 'config.token'], censor: '[redacted]' },
    formatters: {
      // Through JSON first, as pino would write it (an Error becomes its fields), then string by string.
      log: (object) => redactor.redactValue(JSON.parse(JSON.stringify(object))) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((arg) => (typeof arg === 'string' ? redactor.redact(arg) : arg));
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

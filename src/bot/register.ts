import { config as loadDotenv } from 'dotenv';
import { parseCliArgs, runCli, UsageError } from '../command-line.ts';
import { loadBotConfig } from '../config.ts';
import { redactSecrets, SecretRedactor } from './redact.ts';
import { registerCommands } from './register-commands.ts';

/**
 * `npm run register -- [--guild ID | --global]`: registers the slash commands, for one guild
 * (instant; for development) or globally (all guilds; Discord may take up to an hour to show
 * changes). Registration is its own step, not a side effect of starting the bot.
 */
const USAGE = `Usage: npm run register -- [--guild ID | --global]

Registers Quelle's slash commands with Discord (once, and after they change).
  --guild ID   in one server, instantly (for development; default: DISCORD_GUILD_ID if set)
  --global     in every server the bot is in (Discord may take up to an hour to show changes)
Needs DISCORD_TOKEN (and uses DISCORD_CLIENT_ID, DISCORD_API_URL) from the environment or .env.`;

/** Set once the token is known, so that an error quoting it is redacted too. */
let redactor: SecretRedactor | null = null;

runCli(async () => {
  const { values, positionals } = parseCliArgs({ guild: { type: 'string' }, global: { type: 'boolean' } }, USAGE);
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals.join(' ')}".\n\n${USAGE}`);
  if (values.global && values.guild !== undefined) throw new UsageError(`Give either --guild ID or --global, not both.\n\n${USAGE}`);
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) throw new UsageError(`--guild must be a Discord server id (17–20 digits), not "${values.guild}".\n\n${USAGE}`);
  loadDotenv({ quiet: true });
  const config = loadBotConfig();
  redactor = new SecretRedactor([config.token]);
  const guildId = values.global ? null : (values.guild ?? config.guildId);
  const names = await registerCommands({ token: config.token, apiUrl: config.apiUrl, clientId: config.clientId, guildId });
  process.stdout.write(`Registered ${names.length} commands (${names.map((name) => `/${name}`).join(', ')}) ${guildId ? `in guild ${guildId}` : 'globally'}.\n`);
}, { redact: (text) => redactor?.redact(text) ?? redactSecrets(text) });

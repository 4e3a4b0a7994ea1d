import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { loadBotConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { redactSecrets } from './redact.ts';
import { registerCommands } from './register-commands.ts';

/**
 * `npm run register -- [--guild ID | --global]`: registers the slash commands, for one guild
 * (instant; for development) or globally (all guilds; Discord may take up to an hour to show
 * changes). Registration is its own step, not a side effect of starting the bot.
 */
const USAGE = 'Usage: npm run register -- [--guild ID | --global]   (default: DISCORD_GUILD_ID if set, else global)';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { guild: { type: 'string' }, global: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) return void console.log(USAGE);
  loadDotenv({ quiet: true });
  const config = loadBotConfig();
  const guildId = values.global ? null : (values.guild ?? config.guildId);
  if (guildId !== null && !/^\d{17,20}$/.test(guildId)) throw new Error(`--guild must be a Discord server id (17–20 digits), not "${guildId}".`);
  const names = await registerCommands({ token: config.token, apiUrl: config.apiUrl, clientId: config.clientId, guildId });
  console.log(`Registered ${names.length} commands (${names.map((name) => `/${name}`).join(', ')}) ${guildId ? `in guild ${guildId}` : 'globally'}.`);
}

main().catch((error: unknown) => {
  console.error(`error: ${redactSecrets(describeError(error))}\n${USAGE}`);
  process.exitCode = 1;
});

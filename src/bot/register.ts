import { parseArgs } from 'node:util';
import { REST, Routes } from 'discord.js';
import { config as loadDotenv } from 'dotenv';
import { loadBotConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { commands } from './commands/index.ts';
import { redactSecrets } from './redact.ts';

/**
 * `npm run register -- [--guild ID]`: registers the slash commands, for one guild (instant;
 * for development) or globally (all guilds; Discord may take up to an hour to show changes).
 * Registration is its own step, not a side effect of starting the bot.
 */
const USAGE = 'Usage: npm run register -- [--guild ID]   (default: DISCORD_GUILD_ID, else global)';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { guild: { type: 'string' }, global: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) return void console.log(USAGE);
  loadDotenv({ quiet: true });
  const config = loadBotConfig();
  const rest = new REST(config.apiUrl ? { api: config.apiUrl } : {}).setToken(config.token);
  const clientId = config.clientId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const guildId = values.global ? null : (values.guild ?? config.guildId);
  if (guildId !== null && !/^\d{17,20}$/.test(guildId)) throw new Error(`--guild must be a Discord server id (17–20 digits), not "${guildId}".`);
  const body = commands.map((command) => command.data);
  const route = guildId ? Routes.applicationGuildCommands(clientId, guildId) : Routes.applicationCommands(clientId);
  const registered = (await rest.put(route, { body })) as { name: string }[];
  console.log(`Registered ${registered.length} commands (${registered.map((c) => `/${c.name}`).join(', ')}) ${guildId ? `in guild ${guildId}` : 'globally'}.`);
}

main().catch((error: unknown) => {
  console.error(`error: ${redactSecrets(describeError(error))}`);
  process.exitCode = 1;
});

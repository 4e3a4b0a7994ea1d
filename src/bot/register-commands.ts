import { DiscordAPIError, REST, Routes } from 'discord.js';
import { ErrorCode, QuelleError } from '../errors.ts';
import { commands } from './commands/index.ts';

export interface RegisterOptions {
  readonly token: string;
  readonly apiUrl: string | null;
  /** The application id; looked up from the token when null. */
  readonly clientId: string | null;
  /** A guild registers instantly (development); null registers globally. */
  readonly guildId: string | null;
}

/** Replaces the application's slash commands with Quelle's; returns the registered names. */
export async function registerCommands(options: RegisterOptions): Promise<string[]> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token);
  try {
    const clientId = options.clientId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
    const route = options.guildId ? Routes.applicationGuildCommands(clientId, options.guildId) : Routes.applicationCommands(clientId);
    const registered = (await rest.put(route, { body: commands.map((command) => command.data) })) as { name: string }[];
    return registered.map((command) => command.name);
  } catch (error) {
    throw explainRegistrationError(error, options) ?? error;
  }
}

const STALE = 'it may be stale, for example from an earlier run of the Discord twin, which prints fresh lines each time it starts';

/**
 * Discord's refusals that come from the ids in .env or the invitation, with what to check:
 * its own messages ("Missing Access") say nothing about which id is wrong.
 */
function explainRegistrationError(error: unknown, { clientId, guildId }: RegisterOptions): QuelleError | null {
  if (!(error instanceof DiscordAPIError)) return null;
  const explain = (message: string): QuelleError => new QuelleError(ErrorCode.InvalidConfig, message, { cause: error });
  if (error.status === 401) return explain('Discord rejected the bot token (401 Unauthorized). Check DISCORD_TOKEN in .env: copy it again from the Developer Portal (Bot → Reset Token).');
  const wrongApplication = `DISCORD_CLIENT_ID in .env (${clientId ?? 'looked up from the token'}) is not the application of DISCORD_TOKEN: ${STALE}. Set it to the Application ID from the Developer Portal (General Information), or leave it empty to look it up from the token.`;
  switch (error.code) {
    case 20012:
      return explain(`Discord answered "not authorized to perform this action on this application". ${wrongApplication}`);
    case 50001:
      return explain(
        guildId
          ? `Discord answered "Missing Access" when registering the commands in server ${guildId}. Either the bot is not in that server (invite it with the bot and applications.commands scopes, see the README), or DISCORD_GUILD_ID (or --guild) in .env is wrong: ${STALE}.`
          : `Discord answered "Missing Access". ${wrongApplication}`,
      );
    case 10004:
      return explain(`Discord knows no server ${guildId ?? ''} ("Unknown Guild"). Check DISCORD_GUILD_ID in .env or --guild (Developer Mode, then right-click the server → Copy Server ID); ${STALE}.`);
    case 10002:
      return explain(`Discord knows no application ${clientId ?? ''} ("Unknown Application"). Check DISCORD_CLIENT_ID in .env (General Information → Application ID), or leave it empty to look it up from the token; ${STALE}.`);
    default:
      return null;
  }
}

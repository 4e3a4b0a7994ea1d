import { REST, Routes } from 'discord.js';
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
  const clientId = options.clientId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const route = options.guildId ? Routes.applicationGuildCommands(clientId, options.guildId) : Routes.applicationCommands(clientId);
  const registered = (await rest.put(route, { body: commands.map((command) => command.data) })) as { name: string }[];
  return registered.map((command) => command.name);
}

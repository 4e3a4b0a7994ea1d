import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { BotConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Cooldowns } from './cooldowns.ts';
import type { Language, Messages } from './messages.ts';
import type { SearchService } from './search-service.ts';

/** What every command handler gets: dependencies are passed in, never reached for globally. */
export interface CommandContext {
  readonly service: SearchService;
  readonly config: BotConfig;
  readonly logger: Logger;
  readonly cooldowns: Cooldowns;
  readonly language: Language;
  readonly messages: Messages;
  /** Ties the user's error reference to the log line. */
  readonly correlationId: string;
}

/** One slash command: its registration data and its handler. */
export interface Command {
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
}

/** Every message the bot sends: nobody is ever pinged by text it quotes or echoes. */
export const NO_MENTIONS = { parse: [], repliedUser: false } as const;

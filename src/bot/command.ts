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

/** A guard's verdict: go on, or stop with a reason the user can read. */
export type GuardResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * A check a command declares, run by the router before the handler (Sapphire's preconditions).
 * The router answers a denial privately; the handler never sees the interaction.
 */
export type Guard = (interaction: ChatInputCommandInteraction, context: CommandContext) => GuardResult;

/**
 * One slash command: its registration data, its guards and its handler. Every option value is
 * checked against `data` (type, whole number, range, length, choices) before any guard runs.
 */
export interface Command {
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  readonly guards?: readonly Guard[];
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
}

/** Every message the bot sends: nobody is ever pinged by text it quotes or echoes. */
export const NO_MENTIONS = { parse: [], repliedUser: false } as const;

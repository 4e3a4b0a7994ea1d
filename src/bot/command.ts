import type {
  ApplicationCommandOptionChoiceData,
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { ArticleDesk } from '../article-admin/article-desk.ts';
import type { BotConfig } from '../config.ts';
import type { FeedStatusSource } from '../ingest/feeds/feed-status.ts';
import type { Logger } from '../logger.ts';
import type { CommunityConnection } from './community-connection.ts';
import type { QuestionCooldowns } from './cooldowns.ts';
import type { Language, Messages } from './messages.ts';
import type { SearchService } from './search-service.ts';

/** The services every handler may use: passed in, never reached for globally. */
export interface BotServices {
  readonly service: SearchService;
  readonly config: BotConfig;
  readonly logger: Logger;
  readonly cooldowns: QuestionCooldowns;
  /** Adding, replacing and removing articles (the same use cases as `npm run articles`). */
  readonly articles: ArticleDesk;
  /** The news feeds' state for /stats, or null when no feed is configured. */
  readonly feeds: FeedStatusSource | null;
  /** The community database: answers, votes, history (open while the bot runs). */
  readonly community: CommunityConnection;
}

/** What every command and interaction handler gets: the services, plus this interaction's language and reference. */
export interface CommandContext extends BotServices {
  readonly language: Language;
  readonly messages: Messages;
  /** Ties the user's error reference to the log line. */
  readonly correlationId: string;
}

/** A guard's verdict: go on, or stop with a reason the user can read. */
export type GuardResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Every interaction a guard may be asked about: commands, their autocomplete, modal submissions and components. */
export type GuardedInteraction = ChatInputCommandInteraction | AutocompleteInteraction | ModalSubmitInteraction | MessageComponentInteraction;

/**
 * A check a command or handler declares, run by the router before the handler (Sapphire's
 * preconditions). The router answers a denial privately (an autocomplete with no suggestions);
 * the handler never sees the interaction. A guard that reads less than an interaction (the
 * question guards read only who asks) declares a smaller `Subject`, and then guards the
 * questions asked by message too (./message-questions.ts).
 */
export type Guard<Subject = GuardedInteraction> = (subject: Subject, context: CommandContext) => GuardResult | Promise<GuardResult>;

/**
 * One slash command: its registration data, its guards and its handler. Every option value is
 * checked against `data` (type, whole number, range, length, choices) before any guard runs.
 */
export interface Command {
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  readonly guards?: readonly Guard[];
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
  /**
   * Suggestions for the option being typed (declared with `autocomplete: true`). The router
   * answers with at most 25 of them, after the command's guards; a failure answers with none.
   */
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<readonly ApplicationCommandOptionChoiceData[]>;
}

/** Every message the bot sends: nobody is ever pinged by text it quotes or echoes. */
export const NO_MENTIONS = { parse: [], repliedUser: false } as const;

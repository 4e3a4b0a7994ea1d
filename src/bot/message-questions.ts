import { randomUUID } from 'node:crypto';
import { ChannelType, type Client, type Message, type ThreadChannel } from 'discord.js';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { answerQuestion, type AnswerDestination, type AnswerPayload } from './answer-question.ts';
import { NO_MENTIONS, type BotServices, type CommandContext } from './command.ts';
import { firstDenial, QUESTION_GUARDS } from './guards.ts';
import { languageOf, messagesFor, type Messages } from './messages.ts';
import { parseQuestion, QUESTION_MAX } from './question.ts';
import { questionLanguage } from '../retrieval/question-language.ts';
import { redactSecrets } from './redact.ts';
import { plainText, truncate } from './safe-text.ts';

/**
 * How a message is answered:
 * - `mention`: it mentions the bot (anywhere, also in threads): a reply to it;
 * - `channel`: a new message in an answer channel (QUELLE_ANSWER_CHANNEL_IDS, a text channel):
 *   in a thread started from it;
 * - `forum-post`: the starter message of a new post in an answer forum: in the post's thread.
 */
export type MessageRoute = { readonly kind: 'mention' } | { readonly kind: 'channel' } | { readonly kind: 'forum-post'; readonly title: string; readonly forumId: string };

/** The parts of a message the route depends on (a discord.js Message has them). */
export interface RoutableMessage {
  readonly id: string;
  readonly system: boolean;
  readonly author: { readonly id: string; readonly bot: boolean };
  readonly channelId: string;
  readonly channel: { isThread(): boolean; readonly parentId?: string | null; readonly name?: string };
  readonly mentions: { readonly users: { has(id: string): boolean } };
}

/**
 * Whether and how a message is answered. Never a bot's (the bot's own answers included, and
 * webhooks), never a system message (pins, thread notices). In a thread, only a forum post's
 * starter message (its id is the thread's) is answered without a mention: replies in answer
 * threads and any other thread are conversation, answered only when they mention the bot.
 */
export function routeMessage(message: RoutableMessage, botId: string, answerChannels: ReadonlySet<string>): MessageRoute | null {
  if (message.author.bot || message.author.id === botId || message.system) return null;
  const mentioned = message.mentions.users.has(botId);
  const channel = message.channel;
  if (channel.isThread()) {
    const parentId = channel.parentId ?? null;
    if (parentId !== null && answerChannels.has(parentId) && message.id === message.channelId) return { kind: 'forum-post', title: channel.name ?? '', forumId: parentId };
    return mentioned ? { kind: 'mention' } : null;
  }
  if (answerChannels.has(message.channelId)) return { kind: 'channel' };
  return mentioned ? { kind: 'mention' } : null;
}

/**
 * The configured answer channels the bot cannot use: not among the channels it sees once ready
 * (a wrong id, another server, no View Channel), or not a text, announcement or forum channel.
 */
export function unusableAnswerChannels(client: Client<true>, ids: readonly string[]): string[] {
  const usable = new Set([ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum]);
  return ids.filter((id) => {
    const channel = client.channels.cache.get(id);
    return !channel || !usable.has(channel.type);
  });
}

/** A forum post's question: its title and its text, as one question (cut to the longest a question may be). */
export function forumQuestion(title: string, body: string): string {
  const text = body.trim();
  const joined = text === '' || text.startsWith(title.trim()) ? text || title : `${title.trim()} — ${text}`;
  return truncate(joined, QUESTION_MAX);
}

/** A thread's name from its question: one line, at most Discord's 100 characters. */
export function threadName(question: string, fallback: string): string {
  return truncate(plainText(question), 100) || fallback;
}

/** Where a message's answer, refusal or error goes. */
interface MessagePlace extends AnswerDestination {
  say(content: string): Promise<void>;
}

/**
 * Answers messages: mentions of the bot, and in answer channels every new message (in a thread
 * started from it) and every new forum post (in its thread). Question guards (index, cooldown)
 * are the same list /ask declares; a refusal is posted where the answer would have gone, except
 * that a refused message in a text channel gets a reply rather than a thread of its own.
 */
export function createMessageHandler(services: BotServices): (message: Message) => Promise<void> {
  const answerChannels = new Set(services.config.answerChannelIds);
  const { logger } = services;
  return async (message) => {
    if (!message.inGuild()) return;
    const route = routeMessage(message, message.client.user.id, answerChannels);
    if (!route) return;
    const raw = route.kind === 'forum-post' ? forumQuestion(route.title, message.content) : message.content.replace(new RegExp(`<@!?${message.client.user.id}>`, 'g'), ' ');
    const language = questionLanguage(raw) ?? languageOf(message.guild.preferredLocale);
    const messages = messagesFor(language);
    const correlationId = randomUUID().slice(0, 8);
    const context: CommandContext = { ...services, language, messages, correlationId };
    const place = placeFor(route, message, raw, messages, logger);
    try {
      const parsed = parseQuestion(raw, messages);
      if (!parsed.ok) {
        // In an answer channel a message too short to be a question ("ok", "👍") is conversation.
        if (route.kind === 'mention') await place.say(raw.trim() === '' ? messages.mentionHint : parsed.problem);
        else if (!parsed.tooShort) await place.say(parsed.problem);
        return;
      }
      const denial = await firstDenial(QUESTION_GUARDS, { user: message.author }, context);
      if (denial !== null) {
        logger.info({ surface: route.kind, correlationId, user: message.author.id, reason: denial }, 'Refused a question');
        await place.say(denial);
        return;
      }
      await answerQuestion(
        {
          text: parsed.question,
          searchText: parsed.searchText,
          language,
          results: services.config.results,
          surface: route.kind === 'mention' ? 'mention' : 'channel',
          guildId: message.guildId,
          channelId: route.kind === 'forum-post' ? route.forumId : message.channelId,
        },
        place,
        context,
      );
    } catch (error) {
      logger.error({ surface: route.kind, correlationId, error: redactSecrets(describeError(error)) }, 'Answering a message failed');
      await place.say(messages.internalError(correlationId)).catch(() => {});
    }
  };
}

function placeFor(route: MessageRoute, message: Message<true>, question: string, messages: Messages, logger: Logger): MessagePlace {
  const reply = async (payload: AnswerPayload | { content: string }): Promise<void> => void (await message.reply({ ...payload, allowedMentions: NO_MENTIONS }));
  switch (route.kind) {
    case 'mention':
      return { prepare: () => message.channel.sendTyping().catch(() => {}), send: reply, say: (content) => reply({ content }) };
    case 'forum-post': {
      const thread = message.channel as ThreadChannel;
      const post = async (payload: AnswerPayload | { content: string }): Promise<void> => void (await thread.send({ ...payload, allowedMentions: NO_MENTIONS }));
      return { prepare: () => thread.sendTyping().catch(() => {}), send: post, say: (content) => post({ content }) };
    }
    case 'channel': {
      let thread: ThreadChannel | null = null;
      const post = async (payload: AnswerPayload | { content: string }): Promise<void> =>
        thread ? void (await thread.send({ ...payload, allowedMentions: NO_MENTIONS })) : reply(payload);
      return {
        async prepare() {
          try {
            thread = await message.startThread({ name: threadName(question, messages.threadName) });
          } catch (error) {
            // Answering beside the message beats not answering; the log says how to get threads back.
            logger.warn(
              { channel: message.channelId, error: redactSecrets(describeError(error)) },
              'Could not start a thread for an answer-channel question (the bot needs Create Public Threads and Send Messages in Threads there); replying to the message instead',
            );
          }
          await (thread ?? message.channel).sendTyping().catch(() => {});
        },
        send: post,
        say: (content) => post({ content }),
      };
    }
  }
}

import { randomUUID } from 'node:crypto';
import type { Message, MessageReplyOptions } from 'discord.js';
import { describeError } from '../errors.ts';
import { buildAnswerEmbed } from './answer-embed.ts';
import { NO_MENTIONS, type BotServices } from './command.ts';
import { languageOf, messagesFor } from './messages.ts';
import { parseQuestion } from './question.ts';
import { questionLanguage } from '../retrieval/question-language.ts';
import { redactSecrets } from './redact.ts';

/**
 * Answers a message that mentions the bot, like /ask: the text after the mention is the
 * question. Messages carry no locale: the question's own language picks the reply's when it is
 * clearly German or English, otherwise the guild's preferred locale does.
 */
export function createMentionHandler(dependencies: BotServices): (message: Message) => Promise<void> {
  const { service, config, logger, cooldowns } = dependencies;
  return async (message) => {
    const botId = message.client.user.id;
    if (message.author.bot || !message.inGuild() || !message.mentions.users.has(botId)) return;
    const raw = message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ');
    const language = questionLanguage(raw) ?? languageOf(message.guild.preferredLocale);
    const messages = messagesFor(language);
    const reply = (payload: Omit<MessageReplyOptions, 'allowedMentions'>) => message.reply({ ...payload, allowedMentions: NO_MENTIONS });
    const correlationId = randomUUID().slice(0, 8);
    try {
      const parsed = parseQuestion(raw, messages);
      if (!parsed.ok) {
        await reply({ content: raw.trim() === '' ? messages.mentionHint : parsed.problem });
        return;
      }
      const wait = cooldowns.take(message.author.id);
      if (wait > 0) {
        await reply({ content: messages.cooldown(wait) });
        return;
      }
      if (!service.current) {
        await reply({ content: messages.indexUnavailable });
        return;
      }
      await message.channel.sendTyping().catch(() => {});
      const response = await service.ask(parsed.searchText, config.results);
      await reply({ embeds: [buildAnswerEmbed(parsed.question, response, language, messages)] });
    } catch (error) {
      logger.error({ correlationId, error: redactSecrets(describeError(error)) }, 'Mention answer failed');
      await reply({ content: messages.internalError(correlationId) }).catch(() => {});
    }
  };
}

import type { Client } from 'discord.js';
import type { ArticleAuditEvent, AuditSink } from '../article-admin/audit.ts';
import { NO_MENTIONS } from './command.ts';
import { languageOf, messagesFor } from './messages.ts';
import { safeLine, truncate } from './safe-text.ts';

/**
 * Posts every article change to the audit channel (`QUELLE_AUDIT_CHANNEL_ID`), in the server's
 * language: what, which article, who and when. Nobody is pinged (a moderator is named by a
 * mention that does not notify); titles are shown as text.
 */
export class ChannelAuditSink implements AuditSink {
  constructor(
    private readonly client: Client,
    private readonly channelId: string,
  ) {}

  async record(event: ArticleAuditEvent): Promise<void> {
    const channel = await this.client.channels.fetch(this.channelId);
    if (!channel?.isSendable()) throw new Error(`QUELLE_AUDIT_CHANNEL_ID ${this.channelId} is not a channel the bot can post in; check the id and the bot's permissions there`);
    const messages = messagesFor(languageOf('guild' in channel ? channel.guild.preferredLocale : null));
    const who =
      event.actor.via === 'discord'
        ? `<@${event.actor.userId}>`
        : event.actor.via === 'cli'
          ? messages.audit.cli(safeLine(event.actor.user))
          : messages.audit.feed(safeLine(new URL(event.actor.feedUrl).hostname));
    const content = messages.audit.post(messages.audit.actions[event.action], `\`${event.articleId}\``, truncate(safeLine(event.title), 300), who, Math.floor(event.at.getTime() / 1000));
    await channel.send({ content, allowedMentions: NO_MENTIONS });
  }
}

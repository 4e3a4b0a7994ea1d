import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { EMBED_COLOR, formatDate } from '../answer-embed.ts';
import { ErrorCode, UserError } from '../../errors.ts';
import { NO_MENTIONS, type Command } from '../command.ts';
import { requireIndex } from '../guards.ts';
import { safeText, truncate } from '../safe-text.ts';

const PAGE_SIZE = 10;

export const articlesCommand = {
  data: new SlashCommandBuilder()
    .setName('articles')
    .setNameLocalizations({ de: 'artikel' })
    .setDescription('List the indexed articles')
    .setDescriptionLocalizations({ de: 'Die Artikel im Index auflisten' })
    .setContexts(InteractionContextType.Guild)
    .addIntegerOption((option) =>
      option
        .setName('page')
        .setNameLocalizations({ de: 'seite' })
        .setDescription('Page number')
        .setDescriptionLocalizations({ de: 'Seitennummer' })
        .setMinValue(1),
    )
    .toJSON(),

  guards: [requireIndex],

  async execute(interaction, { service, language, messages }) {
    const index = service.current?.index;
    // The guard saw an index; should it be gone since, the router answers as the guard would.
    if (!index) throw new UserError(ErrorCode.IndexMissing, 'index unavailable; a moderator can rebuild it with /reindex');
    const articles = index.articles;
    if (articles.length === 0) {
      await interaction.reply({ content: messages.noArticles, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    const pages = Math.ceil(articles.length / PAGE_SIZE);
    // A whole number from 1 (checked against the declaration); the last page is known only now.
    const page = interaction.options.getInteger('page') ?? 1;
    if (page > pages) {
      await interaction.reply({ content: messages.pageOutOfRange(pages), flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    const lines = articles.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((article, i) => {
      const meta = [formatDate(article.date, language), article.category ? safeText(article.category) : null].filter(Boolean).join(' · ');
      // 10 lines of at most ~400 characters stay well within the 4096 of a description.
      return `**${(page - 1) * PAGE_SIZE + i + 1}.** ${truncate(safeText(article.title), 300)}${meta ? ` — ${meta}` : ''}`;
    });
    await interaction.reply({
      embeds: [{ title: messages.articlesTitle(page, pages), description: lines.join('\n'), color: EMBED_COLOR }],
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
  },
} satisfies Command;

import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type APIEmbed, type SlashCommandStringOption } from 'discord.js';
import type { ArticleDetails } from '../../article-admin/show-article.ts';
import { ArticleRefusedError } from '../../article-admin/submission.ts';
import { EMBED_COLOR, formatDate } from '../answer-embed.ts';
import { buildArticleModal } from '../article-form.ts';
import { discordActor, runArticleChange } from '../article-change-reply.ts';
import { refusalText } from '../article-replies.ts';
import { NO_MENTIONS, type Command } from '../command.ts';
import { downloadAttachment } from '../download-attachment.ts';
import { requireModerator } from '../guards.ts';
import type { Language, Messages } from '../messages.ts';
import { safeLine, truncate } from '../safe-text.ts';
import { sourceLink } from '../source-link.ts';

/** The `id` option of replace, remove and show: suggested from the titles as the moderator types. */
const idOption = (option: SlashCommandStringOption): SlashCommandStringOption =>
  option
    .setName('id')
    .setNameLocalizations({ de: 'kennung' })
    .setDescription('The article (type to search the titles)')
    .setDescriptionLocalizations({ de: 'Der Artikel (tippe, um in den Titeln zu suchen)' })
    .setRequired(true)
    .setMaxLength(100)
    .setAutocomplete(true);

/** Suggestions shown for an empty query: the newest articles. */
const SUGGESTIONS = 25;

export const articleCommand = {
  data: new SlashCommandBuilder()
    .setName('article')
    .setNameLocalizations({ de: 'artikel-verwalten' })
    .setDescription('Add, replace, remove or show an article (moderators)')
    .setDescriptionLocalizations({ de: 'Artikel hinzufügen, ersetzen, entfernen oder anzeigen (Moderatoren)' })
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) =>
      sub
        .setName('add')
        .setNameLocalizations({ de: 'hinzufügen' })
        .setDescription('Add an article from a .txt or .md file, or (without a file) from a form')
        .setDescriptionLocalizations({ de: 'Einen Artikel aus einer .txt- oder .md-Datei hinzufügen, oder (ohne Datei) per Formular' })
        .addAttachmentOption((option) =>
          option
            .setName('file')
            .setNameLocalizations({ de: 'datei' })
            .setDescription('The article in the seed layout (date, category, title, paragraphs) or with front matter')
            .setDescriptionLocalizations({ de: 'Der Artikel im Seed-Format (Datum, Rubrik, Titel, Absätze) oder mit Front Matter' }),
        ),
    )
    .addSubcommand((sub) =>
      sub
        .setName('replace')
        .setNameLocalizations({ de: 'ersetzen' })
        .setDescription("Replace an article's text with a file")
        .setDescriptionLocalizations({ de: 'Den Text eines Artikels durch eine Datei ersetzen' })
        .addStringOption(idOption)
        .addAttachmentOption((option) =>
          option
            .setName('file')
            .setNameLocalizations({ de: 'datei' })
            .setDescription('The new text, as a .txt or .md file')
            .setDescriptionLocalizations({ de: 'Der neue Text als .txt- oder .md-Datei' })
            .setRequired(true),
        ),
    )
    .addSubcommand((sub) =>
      sub
        .setName('remove')
        .setNameLocalizations({ de: 'entfernen' })
        .setDescription('Remove an article from the index')
        .setDescriptionLocalizations({ de: 'Einen Artikel aus dem Index entfernen' })
        .addStringOption(idOption),
    )
    .addSubcommand((sub) =>
      sub
        .setName('show')
        .setNameLocalizations({ de: 'anzeigen' })
        .setDescription('Show an article as it is indexed')
        .setDescriptionLocalizations({ de: 'Einen Artikel so anzeigen, wie er im Index steht' })
        .addStringOption(idOption),
    )
    .toJSON(),

  guards: [requireModerator((messages) => messages.articleNotAllowed)],

  async execute(interaction, context) {
    const { articles, messages, language } = context;
    const subcommand = interaction.options.getSubcommand(true);
    if (subcommand === 'add' && !interaction.options.getAttachment('file')) {
      // A form must be the first response: nothing is deferred before it.
      await interaction.showModal(buildArticleModal(messages));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const actor = discordActor(interaction);
    switch (subcommand) {
      case 'add': {
        const file = interaction.options.getAttachment('file', true);
        await runArticleChange(interaction, context, async () => articles.add({ kind: 'file', bytes: await downloadAttachment(file), name: file.name }, actor));
        return;
      }
      case 'replace': {
        const file = interaction.options.getAttachment('file', true);
        const id = interaction.options.getString('id', true);
        await runArticleChange(interaction, context, async () => articles.replace(id, { kind: 'file', bytes: await downloadAttachment(file), name: file.name }, actor));
        return;
      }
      case 'remove':
        await runArticleChange(interaction, context, () => articles.remove(interaction.options.getString('id', true), actor));
        return;
      case 'show': {
        try {
          const details = await articles.show(interaction.options.getString('id', true));
          await interaction.editReply({ embeds: [showEmbed(details, messages, language)], allowedMentions: NO_MENTIONS });
        } catch (error) {
          if (!(error instanceof ArticleRefusedError)) throw error;
          await interaction.editReply({ content: refusalText(error, messages), allowedMentions: NO_MENTIONS });
        }
        return;
      }
      default:
        throw new Error(`unknown subcommand /article ${subcommand}`);
    }
  },

  async autocomplete(interaction, { articles }) {
    const typed = interaction.options.getFocused();
    // Choice names are shown as plain text (no Markdown); values are the ids the command takes.
    return articles.suggest(typed, SUGGESTIONS).map(({ id, title }) => ({ name: truncate(title.replace(/\s+/g, ' '), 100) || id, value: id }));
  },
} satisfies Command;

/** An article as indexed: id, file, passages, date, category, source link, and its first paragraphs. */
function showEmbed(details: ArticleDetails, messages: Messages, language: Language): APIEmbed {
  const t = messages.article.showFields;
  const article = details.indexed;
  const link = article?.url ? sourceLink(article.title, article.url) : null;
  const fields = [
    { name: t.id, value: `\`${details.id}\``, inline: true },
    { name: t.file, value: truncate(safeLine(details.file), 200), inline: true },
    { name: t.passages, value: article ? String(details.passages.length) : t.notIndexed, inline: true },
    ...(article?.date ? [{ name: t.date, value: formatDate(article.date, language) ?? '–', inline: true }] : []),
    ...(article?.category ? [{ name: t.category, value: truncate(safeLine(article.category), 100), inline: true }] : []),
    ...(link ? [{ name: t.source, value: `${link.markdown} · ${link.domain}`, inline: false }] : []),
  ];
  const body = details.passages.slice(0, 3).map((passage) => `**¶ ${passage.paragraph}** ${truncate(safeLine(passage.text), 600)}`);
  return {
    title: truncate(messages.article.showTitle(safeLine(article?.title ?? details.id)), 256),
    color: EMBED_COLOR,
    fields,
    ...(body.length > 0 ? { description: truncate(body.join('\n\n'), 3000) } : {}),
  };
}

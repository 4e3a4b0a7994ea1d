import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { computeInsights } from '../../community/insights.ts';
import { NO_MENTIONS, type Command } from '../command.ts';
import { requireModerator } from '../guards.ts';
import { buildInsightsEmbed } from '../insights-embed.ts';

export const insightsCommand = {
  data: new SlashCommandBuilder()
    .setName('insights')
    .setNameLocalizations({ de: 'auswertung' })
    .setDescription('What members asked: helpful rate, unanswered questions, top articles (moderators)')
    .setDescriptionLocalizations({ de: 'Was Mitglieder fragten: Hilfreich-Quote, Lücken, Top-Artikel (Moderatoren)' })
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  guards: [requireModerator((messages) => messages.insightsNotAllowed)],

  async execute(interaction, { community, messages }) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // This server's questions only: a moderator never sees another server's members.
    const insights = await computeInsights(community.store, { guildId: interaction.guildId ?? undefined, now: Date.now(), logDays: community.logDays });
    await interaction.editReply({ embeds: [buildInsightsEmbed(insights, messages)], allowedMentions: NO_MENTIONS });
  },
} satisfies Command;

import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { buildAnswerEmbed } from '../answer-embed.ts';
import { NO_MENTIONS, type Command } from '../command.ts';
import { requireIndex } from '../guards.ts';
import { parseQuestion, QUESTION_MAX, QUESTION_MIN } from '../question.ts';

export const askCommand = {
  data: new SlashCommandBuilder()
    .setName('ask')
    .setNameLocalizations({ de: 'frage' })
    .setDescription('Ask a question about the articles; get cited excerpts')
    .setDescriptionLocalizations({ de: 'Stelle eine Frage zu den Artikeln und erhalte belegte Auszüge' })
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      option
        .setName('question')
        .setNameLocalizations({ de: 'frage' })
        .setDescription('Your question, in German or English')
        .setDescriptionLocalizations({ de: 'Deine Frage, auf Deutsch oder Englisch' })
        .setMinLength(QUESTION_MIN)
        .setMaxLength(QUESTION_MAX)
        .setRequired(true),
    )
    .addIntegerOption((option) =>
      option
        .setName('results')
        .setNameLocalizations({ de: 'treffer' })
        .setDescription('How many excerpts to show (1–5)')
        .setDescriptionLocalizations({ de: 'Wie viele Auszüge angezeigt werden (1–5)' })
        .setMinValue(1)
        .setMaxValue(5),
    )
    .toJSON(),

  guards: [requireIndex],

  async execute(interaction, { service, config, cooldowns, language, messages }) {
    const parsed = parseQuestion(interaction.options.getString('question', true), messages);
    if (!parsed.ok) {
      await interaction.reply({ content: parsed.problem, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    const wait = cooldowns.take(interaction.user.id);
    if (wait > 0) {
      await interaction.reply({ content: messages.cooldown(wait), flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    await interaction.deferReply();
    // A whole number from 1 to 5 (the router checked it against the declaration above).
    const results = interaction.options.getInteger('results') ?? config.results;
    const response = await service.ask(parsed.searchText, results);
    await interaction.editReply({ embeds: [buildAnswerEmbed(parsed.question, response, language, messages)], allowedMentions: NO_MENTIONS });
  },
} satisfies Command;

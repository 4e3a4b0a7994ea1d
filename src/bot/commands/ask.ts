import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { answerQuestion } from '../answer-question.ts';
import { NO_MENTIONS, type Command, type Guard } from '../command.ts';
import { QUESTION_GUARDS } from '../guards.ts';
import { parseQuestion, QUESTION_MAX, QUESTION_MIN } from '../question.ts';

/**
 * The question is checked before the question guards, as a message's is, so that a question
 * refused for its length does not start the member's wait.
 */
const questionIsValid: Guard = (interaction, { messages }) => {
  if (!interaction.isChatInputCommand()) return { ok: true };
  const parsed = parseQuestion(interaction.options.getString('question', true), messages);
  return parsed.ok ? { ok: true } : { ok: false, reason: parsed.problem };
};

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

  guards: [questionIsValid, ...QUESTION_GUARDS],

  async execute(interaction, context) {
    const { config, language, messages } = context;
    const parsed = parseQuestion(interaction.options.getString('question', true), messages);
    if (!parsed.ok) {
      await interaction.reply({ content: parsed.problem, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    const question = {
      text: parsed.question,
      searchText: parsed.searchText,
      language,
      // A whole number from 1 to 5 (the router checked it against the declaration above).
      results: interaction.options.getInteger('results') ?? config.results,
      surface: 'slash',
      guildId: interaction.guildId,
      channelId: interaction.channelId,
    } as const;
    await answerQuestion(question, {
      prepare: async () => void (await interaction.deferReply()),
      // Discord wants an acknowledgement within 3 s: an answer ready sooner is it (one round trip, no "thinking…").
      prepareAfterMs: config.answerFirstMs,
      send: async (payload) => {
        const message = { ...payload, allowedMentions: NO_MENTIONS };
        await (interaction.deferred ? interaction.editReply(message) : interaction.reply(message));
      },
    }, context);
  },
} satisfies Command;

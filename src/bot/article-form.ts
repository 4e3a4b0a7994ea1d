import { LabelBuilder, MessageFlags, ModalBuilder, TextInputBuilder, TextInputStyle, type ModalSubmitInteraction } from 'discord.js';
import type { ArticleFields, SubmissionField } from '../article-admin/submission.ts';
import { customId } from './custom-id.ts';
import { requireModerator } from './guards.ts';
import { defineHandler } from './interaction-handler.ts';
import type { Messages } from './messages.ts';
import { runArticleChange, discordActor } from './article-change-reply.ts';

const NAMESPACE = 'article';

/** Discord's limit for a text input; an article longer than this is added as a file. */
const TEXT_MAX = 4000;

const FIELD_LIMITS: Record<SubmissionField, { style: TextInputStyle; max: number; required: boolean }> = {
  title: { style: TextInputStyle.Short, max: 300, required: true },
  date: { style: TextInputStyle.Short, max: 40, required: false },
  category: { style: TextInputStyle.Short, max: 60, required: false },
  url: { style: TextInputStyle.Short, max: 1000, required: false },
  text: { style: TextInputStyle.Paragraph, max: TEXT_MAX, required: true },
};

/** The "add an article" form: title, date, category, source URL and text. Its custom id carries no state. */
export function buildArticleModal(messages: Messages): ModalBuilder {
  const modal = new ModalBuilder().setCustomId(customId(NAMESPACE, 'add')).setTitle(messages.article.modalTitle);
  for (const [field, limits] of Object.entries(FIELD_LIMITS) as [SubmissionField, (typeof FIELD_LIMITS)[SubmissionField]][]) {
    const input = new TextInputBuilder().setCustomId(field).setStyle(limits.style).setMaxLength(limits.max).setRequired(limits.required);
    modal.addLabelComponents(new LabelBuilder().setLabel(messages.article.fields[field]).setTextInputComponent(input));
  }
  return modal;
}

/** A field's value; a crafted submission without it counts as empty (and is refused if required). */
function fieldValue(interaction: ModalSubmitInteraction, field: SubmissionField): string {
  try {
    return interaction.fields.getTextInputValue(field) ?? '';
  } catch {
    return '';
  }
}

/** Handles the submitted form: the same use case as an uploaded file, for moderators only. */
export const articleFormHandler = defineHandler<'add'>({
  kind: 'modal',
  namespace: NAMESPACE,
  guards: [requireModerator((messages) => messages.articleNotAllowed)],
  parse: (id) => (id.action === 'add' && id.args.length === 0 ? 'add' : null),
  async run(interaction, _action, context) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const fields = Object.fromEntries((Object.keys(FIELD_LIMITS) as SubmissionField[]).map((field) => [field, fieldValue(interaction, field)])) as unknown as ArticleFields;
    await runArticleChange(interaction, context, () => context.articles.add({ kind: 'form', fields }, discordActor(interaction)));
  },
});


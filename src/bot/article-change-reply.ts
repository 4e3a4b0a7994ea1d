import type { ModalSubmitInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { ArticleChange } from '../article-admin/article-change.ts';
import type { AuditActor } from '../article-admin/audit.ts';
import { ArticleRefusedError } from '../article-admin/submission.ts';
import { changeText, refusalText } from './article-replies.ts';
import { NO_MENTIONS, type CommandContext } from './command.ts';

/** Who did it, for the audit record. */
export function discordActor(interaction: ChatInputCommandInteraction | ModalSubmitInteraction): AuditActor {
  return { via: 'discord', userId: interaction.user.id, username: interaction.user.username };
}

/**
 * Runs an article change for an interaction that deferred privately, and edits the reply into
 * its outcome: what was done, or the refusal (nothing changed) in the user's language. Other
 * errors go to the router, which answers with a reference.
 */
export async function runArticleChange(
  interaction: ChatInputCommandInteraction | ModalSubmitInteraction,
  { messages, language, logger }: CommandContext,
  change: () => Promise<ArticleChange>,
): Promise<void> {
  let content: string;
  try {
    const done = await change();
    content = changeText(done, messages, language);
  } catch (error) {
    if (!(error instanceof ArticleRefusedError)) throw error;
    logger.info({ user: interaction.user.id, problem: error.problem, line: error.line, field: error.field, reason: error.message }, 'Refused an article change');
    content = refusalText(error, messages);
  }
  await interaction.editReply({ content, allowedMentions: NO_MENTIONS });
}

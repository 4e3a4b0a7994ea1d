import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type APIEmbed } from 'discord.js';
import { describeError } from '../../errors.ts';
import type { BuildProgress } from '../../indexer/build-index.ts';
import { IndexLockedError } from '../../index/build-lock.ts';
import { HybridIndexKeptError } from '../../indexer/run-indexer.ts';
import { NO_MENTIONS, type Command } from '../command.ts';
import type { Messages } from '../messages.ts';
import { requireModerator } from '../guards.ts';
import { redactSecrets } from '../redact.ts';
import { buildReindexSummaryEmbed } from '../reindex-summary.ts';
import { safeText, truncate } from '../safe-text.ts';
import { isIndexLocked } from '../search-service.ts';

/** Interaction tokens live 15 minutes; edits stop a minute before, then the summary goes to the channel. */
const EDIT_WINDOW_MS = 14 * 60 * 1000;
const PROGRESS_EVERY_MS = 2000;

export const reindexCommand = {
  data: new SlashCommandBuilder()
    .setName('reindex')
    .setNameLocalizations({ de: 'neuindizieren' })
    .setDescription('Rebuild the search index from the article files (moderators)')
    .setDescriptionLocalizations({ de: 'Suchindex aus den Artikeldateien neu aufbauen (Moderatoren)' })
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  guards: [requireModerator((messages) => messages.notAllowed)],

  async execute(interaction, { service, logger, messages }) {
    if (service.reindexRunning) {
      await interaction.reply({ content: messages.reindexRunning, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
      return;
    }
    const started = Date.now();
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const canEdit = (): boolean => Date.now() - started < EDIT_WINDOW_MS;

    // Edits go out one after another, so a late progress edit never overwrites the summary.
    let edits: Promise<unknown> = interaction.editReply({ content: messages.reindexStarted, allowedMentions: NO_MENTIONS });
    const edit = (payload: { content?: string; embeds?: APIEmbed[] }): Promise<unknown> => {
      edits = edits
        .catch(() => {})
        .then(() => interaction.editReply({ content: payload.content ?? '', embeds: payload.embeds ?? [], allowedMentions: NO_MENTIONS }))
        .catch((error: unknown) => logger.warn({ error: redactSecrets(describeError(error)) }, 'Could not edit the /reindex reply'));
      return edits;
    };
    let lastProgress = 0; // the first progress report is shown at once
    const onProgress = (progress: BuildProgress): void => {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_EVERY_MS || !canEdit()) return;
      lastProgress = now;
      const seconds = Math.round((now - started) / 1000);
      void edit({ content: messages.reindexProgress(messages.phases[progress.phase], progress.done, progress.total, seconds) });
    };

    let reply: { content?: string; embeds?: APIEmbed[] };
    try {
      const summary = await service.reindex(onProgress);
      reply = { embeds: [buildReindexSummaryEmbed(summary, messages)] };
    } catch (error) {
      if (error instanceof IndexLockedError && error.holder) {
        // Another process (a CLI build, another bot) holds the lock: say who, and what to do.
        logger.warn({ error: redactSecrets(describeError(error)) }, 'Reindex blocked by another build');
        reply = { content: truncate(blockedMessage(error, messages), 1900) };
      } else if (isIndexLocked(error)) {
        reply = { content: messages.reindexRunning };
      } else if (error instanceof HybridIndexKeptError) {
        logger.warn({ error: redactSecrets(describeError(error)) }, 'Reindex refused: no model, and the hybrid index keeps serving');
        reply = { content: truncate(messages.reindexModelUnavailable(redactSecrets(error.modelProblem)), 1900) };
      } else {
        logger.error({ error: redactSecrets(describeError(error)) }, 'Reindex failed; the previous index keeps serving');
        // The error may quote file names from the seeds folder: shown as text, never as Markdown.
        reply = { content: truncate(messages.reindexFailed(safeText(redactSecrets(describeError(error)))), 1900) };
      }
    }
    if (canEdit()) {
      await edit(reply);
    } else if (interaction.channel?.isSendable()) {
      await interaction.channel.send({ ...reply, allowedMentions: NO_MENTIONS });
    }
  },
} satisfies Command;

/** Who holds the lock, for the moderator; the host name comes from a file, so it is made safe to show. */
function blockedMessage(error: IndexLockedError, messages: Messages): string {
  const holder = error.holder!;
  const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
  const host = holder.hostname === null ? '' : truncate(safeText(holder.hostname), 100);
  return messages.reindexBlocked(holder.pid, host, seconds(holder.since), seconds(holder.heartbeatAt), Math.round(error.staleAfterMs / 1000));
}

import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { NO_MENTIONS } from './command.ts';

/**
 * Tells the user that something failed, privately, whatever state the interaction is in:
 * never "The application did not respond". A public deferral is deleted and replaced by an
 * ephemeral follow-up, so the error is not shown to the channel. A component (or a modal sent
 * from one) that deferred may have deferred an update of its message, which deleting the reply
 * would delete: it gets a follow-up.
 */
export async function respondWithError(interaction: RepliableInteraction, content: string): Promise<void> {
  const payload = { content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS } as const;
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply(payload);
    return;
  }
  // A private deferred reply (discord.js sets `ephemeral` only for a reply, never for a deferred
  // update) is edited: a follow-up would leave it "thinking…" until Discord says the application
  // did not respond.
  if (interaction.deferred && !interaction.replied && interaction.ephemeral === true) {
    await interaction.editReply({ content, allowedMentions: NO_MENTIONS });
    return;
  }
  if (interaction.isMessageComponent() || (interaction.isModalSubmit() && interaction.isFromMessage())) {
    await interaction.followUp(payload);
    return;
  }
  if (interaction.deferred && !interaction.replied && !interaction.ephemeral) {
    await interaction.deleteReply().catch(() => {});
    await interaction.followUp(payload);
    return;
  }
  await interaction.followUp(payload);
}

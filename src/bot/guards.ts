import type { Guard } from './command.ts';
import type { Messages } from './messages.ts';
import { isModerator } from './permissions.ts';

/** Commands that read the index: without one, say so (and that a moderator can rebuild it). */
export const requireIndex: Guard = (_interaction, { service, messages }) =>
  service.current ? { ok: true } : { ok: false, reason: messages.indexUnavailable };

/**
 * Moderators only (Manage Server or a `MODERATOR_ROLE_IDS` role), checked on every run: the
 * command's default permission only hides it in Discord's clients. `reason` picks the refusal
 * that names what the command does.
 */
export function requireModerator(reason: (messages: Messages) => string): Guard {
  return (interaction, { config, messages }) => (isModerator(interaction, config.moderatorRoleIds) ? { ok: true } : { ok: false, reason: reason(messages) });
}

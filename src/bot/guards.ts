import type { CommandContext, Guard } from './command.ts';
import type { Messages } from './messages.ts';
import { isModerator } from './permissions.ts';

/** Who asks: all the question guards read, the same for a slash command and a message. */
export interface Asker {
  readonly user: { readonly id: string };
}

/** Commands that read the index: without one, say so (and that a moderator can rebuild it). */
export const requireIndex: Guard<Asker> = (_asker, { service, messages }) =>
  service.current ? { ok: true } : { ok: false, reason: messages.indexUnavailable };

/** One question per `QUELLE_COOLDOWN_SECONDS` per member; a question let through starts the wait. */
export const cooldown: Guard<Asker> = async (asker, { cooldowns, messages }) => {
  const wait = await cooldowns.take(asker.user.id);
  return wait > 0 ? { ok: false, reason: messages.cooldown(wait) } : { ok: true };
};

/**
 * The guards of every question, however it is asked (/ask, a mention, an answer channel): an
 * index must serve, and the member must not be waiting. The index comes first, so that a refusal
 * for a missing index does not start the member's wait.
 */
export const QUESTION_GUARDS: readonly Guard<Asker>[] = [requireIndex, cooldown];

/**
 * Moderators only (Manage Server or a `MODERATOR_ROLE_IDS` role), checked on every run: the
 * command's default permission only hides it in Discord's clients. `reason` picks the refusal
 * that names what the command does.
 */
export function requireModerator(reason: (messages: Messages) => string): Guard {
  return (interaction, { config, messages }) => (isModerator(interaction, config.moderatorRoleIds) ? { ok: true } : { ok: false, reason: reason(messages) });
}

/** The reason the first failing guard gives, in their declared order, or null when all pass. */
export async function firstDenial<Subject>(guards: readonly Guard<Subject>[] | undefined, subject: Subject, context: CommandContext): Promise<string | null> {
  for (const guard of guards ?? []) {
    const result = await guard(subject, context);
    if (!result.ok) return result.reason;
  }
  return null;
}

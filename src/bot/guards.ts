import type { Guard } from './command.ts';

/** Commands that read the index: without one, say so (and that a moderator can rebuild it). */
export const requireIndex: Guard = (_interaction, { service, messages }) =>
  service.current ? { ok: true } : { ok: false, reason: messages.indexUnavailable };

/**
 * Custom ids of modals and message components: `namespace:action:arg:…`, at most 100 characters
 * (Discord's limit). They carry all the state a handler needs, or a key to stored state, never a
 * reference to memory: a button or a form must still work after the bot restarts.
 */

/** Discord's limit for a `custom_id`. */
export const CUSTOM_ID_MAX = 100;

const SEPARATOR = ':';
/** A namespace or action: a short lower-case word. */
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** An argument: anything but the separator and control characters (ids, numbers, tokens). */
const ARGUMENT = /^[^:\p{Cc}]*$/u;

/** A parsed custom id. */
export interface CustomId {
  readonly namespace: string;
  readonly action: string;
  readonly args: readonly string[];
}

/**
 * Builds a custom id. Throws (a programming error, not a user's) when a part is malformed or
 * the whole is longer than Discord allows: keep arguments short, or store the state and pass its key.
 */
export function customId(namespace: string, action: string, ...args: readonly string[]): string {
  if (!NAME.test(namespace)) throw new Error(`custom id namespace "${namespace}" must match ${NAME}`);
  if (!NAME.test(action)) throw new Error(`custom id action "${action}" must match ${NAME}`);
  const bad = args.find((arg) => !ARGUMENT.test(arg));
  if (bad !== undefined) throw new Error(`custom id argument ${JSON.stringify(bad)} may not contain "${SEPARATOR}" or control characters`);
  const id = [namespace, action, ...args].join(SEPARATOR);
  if (id.length > CUSTOM_ID_MAX) throw new Error(`custom id "${id.slice(0, 40)}…" is ${id.length} characters; Discord allows ${CUSTOM_ID_MAX}`);
  return id;
}

/** Parses a custom id, or null when it is not one of ours (another shape, or too long). */
export function parseCustomId(raw: string): CustomId | null {
  if (raw.length > CUSTOM_ID_MAX) return null;
  const [namespace, action, ...args] = raw.split(SEPARATOR);
  if (namespace === undefined || action === undefined || !NAME.test(namespace) || !NAME.test(action)) return null;
  if (!args.every((arg) => ARGUMENT.test(arg))) return null;
  return { namespace, action, args };
}

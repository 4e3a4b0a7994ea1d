import type { MessageComponentInteraction, ModalSubmitInteraction } from 'discord.js';
import type { CommandContext, Guard } from './command.ts';
import type { CustomId } from './custom-id.ts';

/**
 * A handler for modal submissions or message components (buttons, select menus), routed by the
 * one interaction router. Like Sapphire's interaction handlers, it first claims an interaction
 * by its custom id (`parse`: the namespace matched, the action and arguments understood), then
 * runs with what it parsed. State lives in the custom id (see ./custom-id.ts) or in storage
 * keyed by it, never in memory, so that a form or a button still works after a restart.
 *
 * The router answers for it when it declines or fails: an id it does not claim gets a private
 * "no longer valid" note, a guard's denial a private reason, an error a private reference. A
 * handler must acknowledge within 3 s (reply, defer, update or deferUpdate), and only then do
 * slow work.
 */
export type InteractionHandler<Args = unknown> = ModalHandler<Args> | ComponentHandler<Args>;

interface HandlerBase<Args> {
  /** The custom ids' first part; one handler per namespace and kind. */
  readonly namespace: string;
  /** Checks run before `run`, as for commands (for example, moderators only). */
  readonly guards?: readonly Guard[];
  /** Claims the interaction: what `run` needs from the custom id, or null to decline it (stale, malformed). */
  parse(id: CustomId): Args | null;
}

/** Handles modal submissions whose custom id starts with `namespace:`. */
export interface ModalHandler<Args = unknown> extends HandlerBase<Args> {
  readonly kind: 'modal';
  run(interaction: ModalSubmitInteraction, args: Args, context: CommandContext): Promise<void>;
}

/** Handles buttons and select menus whose custom id starts with `namespace:`. */
export interface ComponentHandler<Args = unknown> extends HandlerBase<Args> {
  readonly kind: 'component';
  run(interaction: MessageComponentInteraction, args: Args, context: CommandContext): Promise<void>;
}

/** Declares a handler with its argument type checked, ready for the router's list. */
export function defineHandler<Args>(handler: InteractionHandler<Args>): InteractionHandler {
  return handler as InteractionHandler;
}

// Modal submissions: after the bot answered an interaction with a modal (callback type 9), a test
// submits it with values; the twin dispatches INTERACTION_CREATE type 5 whose components mirror
// the modal's (action rows of text inputs, or labels holding one), as Discord does.

import { isObject } from './limits.js';
import { dispatchInteraction, type TwinInteraction } from './interactions.js';
import type { TwinContext } from './rest.js';
import type { JsonObject, SubmitModalOptions } from './types.js';

const MODAL_CALLBACK = 9;
const TEXT_INPUT = 4;

export function submitModal(ctx: TwinContext, input: SubmitModalOptions): TwinInteraction {
  const shown = input.interaction.callbacks.find((callback) => callback.type === MODAL_CALLBACK && callback.status < 400);
  if (!shown || !isObject(shown.data)) throw new Error('discord twin: the bot answered this interaction with no modal to submit');
  const modal = shown.data;
  const inputIds = new Set<string>();
  const submitted = (component: unknown): JsonObject => {
    const textInput = isObject(component) ? component : {};
    if (textInput.type !== TEXT_INPUT) throw new Error(`discord twin: modal component of type ${String(textInput.type)} cannot be submitted by the twin`);
    const customId = String(textInput.custom_id);
    inputIds.add(customId);
    const value = input.values[customId] ?? '';
    if (typeof textInput.max_length === 'number' && [...value].length > textInput.max_length) {
      throw new Error(`discord twin: "${customId}" allows ${textInput.max_length} characters; Discord's client would not submit ${[...value].length}`);
    }
    if (textInput.required !== false && value === '') throw new Error(`discord twin: "${customId}" is required; Discord's client would not submit it empty`);
    return { type: TEXT_INPUT, id: textInput.id, custom_id: customId, value };
  };
  const components = (Array.isArray(modal.components) ? modal.components : []).map((row: unknown): JsonObject => {
    const top = isObject(row) ? row : {};
    if (top.type === 1) return { type: 1, id: top.id, components: (Array.isArray(top.components) ? top.components : []).map(submitted) };
    if (top.type === 18) return { type: 18, id: top.id, component: submitted(top.component) };
    throw new Error(`discord twin: modal row of type ${String(top.type)} cannot be submitted by the twin`);
  });
  const unknown = Object.keys(input.values).filter((id) => !inputIds.has(id));
  if (unknown.length > 0) throw new Error(`discord twin: the modal has no input ${unknown.join(', ')} (has: ${[...inputIds].join(', ')})`);
  const original = input.interaction.payload;
  return dispatchInteraction(ctx, {
    kind: 'modal',
    type: 5,
    data: { custom_id: modal.custom_id, components },
    userId: input.user ?? String((isObject(original.member) && isObject(original.member.user) ? original.member.user.id : undefined) ?? ctx.state.ids.userId),
    channelId: String(original.channel_id ?? ctx.state.ids.channelId),
    locale: input.locale ?? String(original.locale ?? 'en-US'),
    guildLocale: String(original.guild_locale ?? ctx.state.options.guildLocale),
  });
}

// Creating, editing and deleting stored messages — shared by channel routes, interaction
// callbacks and webhook (follow-up / @original) routes so that limits, mention analysis and
// MESSAGE_* dispatches are identical everywhere.

import { validateComponents } from './components.js';
import { ApiError, invalidFormBody } from './errors.js';
import { isEmptyMessage, isObject, validateMessage } from './limits.js';
import { computePings, readAllowedMentions } from './mentions.js';
import { gatewayMessage } from './payloads.js';
import type { TwinContext, UploadedFile } from './rest.js';
import { snowflake } from './snowflake.js';
import { Intent, type TwinState } from './state.js';
import { beforeMessageCreate, beforeMessageEdit } from './threads.js';
import type { ApiEmbed, JsonObject, MessageSource, Snowflake, TwinAttachment, TwinMessage } from './types.js';

export const MessageFlag = {
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  ComponentsV2: 1 << 15,
} as const;

/** Flags a bot may set: ephemeral only on interaction responses. */
export const CHANNEL_FLAGS = MessageFlag.SuppressEmbeds | MessageFlag.SuppressNotifications | MessageFlag.ComponentsV2;
export const INTERACTION_FLAGS = CHANNEL_FLAGS | MessageFlag.Ephemeral;

export interface CreateMessageInput {
  body: JsonObject;
  files: UploadedFile[];
  source: MessageSource;
  channelId: Snowflake;
  authorId: Snowflake;
  /** Which client-supplied flags are honoured. */
  flagsMask: number;
  /** Added by the twin (e.g. Loading for a deferred response). */
  extraFlags?: number;
  /** A deferred response's placeholder is empty by design. */
  allowEmpty?: boolean;
  interactionId?: Snowflake | undefined;
  referencedMessageId?: Snowflake | undefined;
  /** A forum post's starter message has the thread's id. */
  id?: Snowflake;
}

const asEmbeds = (value: unknown): ApiEmbed[] => (Array.isArray(value) ? value.filter(isObject) : []) as ApiEmbed[];
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function toAttachments(files: UploadedFile[]): TwinAttachment[] {
  return files.map((f) => ({ id: snowflake(), filename: f.filename, size: f.size, contentType: f.contentType }));
}

/** Rejects like Discord would: 50035 for limits, 50006 for nothing to show. */
export function checkMessageBody(message: JsonObject, attachmentCount: number, allowEmpty: boolean): void {
  const errors = [...validateMessage(message), ...validateComponents(message.components, Number(message.flags ?? 0))];
  if (errors.length > 0) throw invalidFormBody(errors);
  if (!allowEmpty && isEmptyMessage(message, attachmentCount)) {
    throw new ApiError(400, 50006, 'Cannot send an empty message', 'empty_message', [
      'no content, embeds, components, attachments, stickers or poll',
    ]);
  }
}

function updatePings(state: TwinState, message: TwinMessage): void {
  const repliedUserId = message.referencedMessageId ? state.message(message.referencedMessageId)?.authorId : undefined;
  const { pings, wouldPing } = computePings({
    content: message.content,
    embeds: message.embeds,
    allowedMentions: message.allowedMentions,
    repliedUserId,
    authorId: message.authorId,
    ephemeral: message.ephemeral,
  });
  message.pings = pings;
  // Sticky: a notification that went out is not undone by a later edit.
  message.wouldPing ||= wouldPing;
}

export function createMessage(ctx: TwinContext, input: CreateMessageInput): TwinMessage {
  const { state } = ctx;
  checkMessageBody(input.body, input.files.length, input.allowEmpty ?? false);
  const flags = (Number(input.body.flags ?? 0) & input.flagsMask) | (input.extraFlags ?? 0);
  beforeMessageCreate(ctx, input.channelId, (flags & MessageFlag.Ephemeral) !== 0);
  const message: TwinMessage = {
    id: input.id ?? snowflake(),
    channelId: input.channelId,
    guildId: state.ids.guildId,
    authorId: input.authorId,
    source: input.source,
    content: typeof input.body.content === 'string' ? input.body.content : '',
    embeds: asEmbeds(input.body.embeds),
    components: asArray(input.body.components),
    attachments: toAttachments(input.files),
    flags,
    ephemeral: (flags & MessageFlag.Ephemeral) !== 0,
    loading: (flags & MessageFlag.Loading) !== 0,
    allowedMentions: readAllowedMentions(input.body.allowed_mentions),
    pings: { everyone: false, users: [], roles: [], repliedUser: false },
    wouldPing: false,
    interactionId: input.interactionId,
    referencedMessageId: input.referencedMessageId,
    reactions: [],
    createdAt: Date.now(),
    editedAt: null,
    edits: 0,
    deleted: false,
  };
  updatePings(state, message);
  state.messages.push(message);
  // Discord also sends the bot its own messages (a classic source of reply loops); never ephemeral ones.
  if (!message.ephemeral) ctx.gateway.dispatch('MESSAGE_CREATE', gatewayMessage(state, message), { intent: Intent.GuildMessages });
  state.changes.notify();
  return message;
}

/** PATCH semantics: only fields present in the body change; limits apply to the result. */
export function editMessage(ctx: TwinContext, message: TwinMessage, body: JsonObject, files: UploadedFile[]): TwinMessage {
  const { state } = ctx;
  const merged: JsonObject = {
    content: 'content' in body ? (body.content ?? '') : message.content,
    embeds: 'embeds' in body ? (body.embeds ?? []) : message.embeds,
    components: 'components' in body ? (body.components ?? []) : message.components,
    flags: message.flags,
    allowed_mentions: body.allowed_mentions,
  };
  let attachments = message.attachments;
  if ('attachments' in body) {
    const keep = new Set(asArray(body.attachments).flatMap((a) => (isObject(a) && a.id !== undefined ? [String(a.id)] : [])));
    attachments = attachments.filter((a) => keep.has(a.id));
  }
  attachments = [...attachments, ...toAttachments(files)];
  checkMessageBody(merged, attachments.length, false);
  beforeMessageEdit(ctx, message.channelId, message.ephemeral);

  const textChanged = 'content' in body || 'embeds' in body;
  message.content = typeof merged.content === 'string' ? merged.content : '';
  message.embeds = asEmbeds(merged.embeds);
  message.components = asArray(merged.components);
  message.attachments = attachments;
  if (typeof body.flags === 'number') {
    message.flags = (message.flags & ~MessageFlag.SuppressEmbeds) | (body.flags & MessageFlag.SuppressEmbeds);
  }
  // Editing a deferred response replaces the "thinking" placeholder.
  message.flags &= ~MessageFlag.Loading;
  message.loading = false;
  message.editedAt = Date.now();
  message.edits++;
  if (textChanged) {
    // An edit without allowed_mentions is parsed with Discord's defaults (everything), so it is
    // judged by what it sent — not by what the original message sent.
    message.allowedMentions = readAllowedMentions(body.allowed_mentions);
    updatePings(state, message);
  }
  if (!message.ephemeral) ctx.gateway.dispatch('MESSAGE_UPDATE', gatewayMessage(state, message), { intent: Intent.GuildMessages });
  state.changes.notify();
  return message;
}

export function deleteMessage(ctx: TwinContext, message: TwinMessage): void {
  message.deleted = true;
  if (!message.ephemeral) {
    ctx.gateway.dispatch(
      'MESSAGE_DELETE',
      { id: message.id, channel_id: message.channelId, guild_id: message.guildId },
      { intent: Intent.GuildMessages },
    );
  }
  ctx.state.changes.notify();
}

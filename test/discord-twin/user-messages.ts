// Messages members send (twin.sendMessage, the starter message of twin.createForumPost): stored,
// counted in their thread, and dispatched as MESSAGE_CREATE the way Discord does it — without
// the privileged MESSAGE_CONTENT intent (1 << 15) a bot receives `content: ""` (and no embeds,
// attachments or components) unless the message mentions it.

import { computePings } from './mentions.js';
import { gatewayMessage } from './payloads.js';
import type { TwinContext } from './rest.js';
import { snowflake } from './snowflake.js';
import { Intent } from './state.js';
import { beforeMessageCreate } from './threads.js';
import type { Snowflake, TwinMessage } from './types.js';

export interface UserMessageInput {
  readonly channelId: Snowflake;
  readonly authorId: Snowflake;
  readonly content: string;
  /** User ids mentioned; each is prepended as `<@id>` unless the content already contains it. */
  readonly mentions?: readonly Snowflake[];
  readonly replyTo?: Snowflake;
  /** A forum post's starter message has the thread's id. */
  readonly id?: Snowflake;
}

/** Stores a member's message and dispatches it; `delivered` is false when no session had GUILD_MESSAGES. */
export function postUserMessage(ctx: TwinContext, input: UserMessageInput): { message: TwinMessage; delivered: boolean } {
  const { state, gateway } = ctx;
  if (!state.channels.has(input.channelId)) throw new Error(`discord twin: no channel ${input.channelId}`);
  const author = state.members.get(input.authorId);
  if (!author) throw new Error(`discord twin: no member ${input.authorId}; create one with twin.addMember()`);
  if (!gateway.hasSession) throw new Error('discord twin: no gateway session — log the client in and wait for clientReady first');
  const referenced = input.replyTo === undefined ? undefined : state.message(input.replyTo);
  if (input.replyTo !== undefined && !referenced) throw new Error(`discord twin: no message ${input.replyTo} to reply to`);
  let content = input.content;
  for (const id of [...(input.mentions ?? [])].reverse()) {
    if (!content.includes(`<@${id}>`) && !content.includes(`<@!${id}>`)) content = `<@${id}> ${content}`;
  }
  const { pings } = computePings({
    content, embeds: [], allowedMentions: undefined, repliedUserId: referenced?.authorId, authorId: author.user.id, ephemeral: false,
  });
  // A reply that pings its target lists the target in `mentions`, like Discord.
  if (pings.repliedUser && referenced && !pings.users.includes(referenced.authorId)) pings.users.push(referenced.authorId);
  // A member writing in an archived thread reopens it (a locked one refuses, as for the bot).
  beforeMessageCreate(ctx, input.channelId, false);
  const message: TwinMessage = {
    id: input.id ?? snowflake(), channelId: input.channelId, guildId: state.ids.guildId, authorId: author.user.id, source: 'user', content,
    embeds: [], components: [], attachments: [], flags: 0, ephemeral: false, loading: false, allowedMentions: undefined,
    pings, wouldPing: false, referencedMessageId: referenced?.id, reactions: [], createdAt: Date.now(), editedAt: null,
    edits: 0, deleted: false,
  };
  state.messages.push(message);
  const payload = gatewayMessage(state, message);
  const mentionsBot = pings.users.includes(state.ids.botUserId);
  // Without MESSAGE_CONTENT Discord blanks content unless the bot is mentioned (or wrote it).
  const redacted = { ...payload, content: '', embeds: [], attachments: [], components: [] };
  const delivered =
    gateway.dispatch('MESSAGE_CREATE', payload, {
      intent: Intent.GuildMessages,
      shape: (session) => ((session.intents & Intent.MessageContent) !== 0 || mentionsBot || author.user.id === state.ids.botUserId ? payload : redacted),
    }) > 0;
  state.changes.notify();
  return { message, delivered };
}

// Threads and forums: the state operations and Discord's rules for them, shared by the REST routes
// (./thread-routes.ts), message creation (./messages.ts) and the twin's own `createForumPost`.
// - A thread started from a message has the message's id; a forum post's starter message has
//   the thread's id. Both are public threads (type 11) with a `parent_id`.
// - THREAD_CREATE (with `newly_created`) and THREAD_UPDATE go to sessions with the GUILDS intent;
//   messages in a thread are MESSAGE_CREATEs with the thread as `channel_id`.
// - Sending in a thread needs SEND_MESSAGES_IN_THREADS (not SEND_MESSAGES).
// - An archived thread refuses edits (50083). A message sent to it reopens it, unless it is locked
//   (then 50083 too). Ephemeral interaction responses are shown to one user and touch neither.

import { ApiError } from './errors.js';
import { apiChannel } from './payloads.js';
import type { TwinContext } from './rest.js';
import { snowflake } from './snowflake.js';
import { Intent, Permission } from './state.js';
import type { Snowflake, TwinChannel, TwinThreadState } from './types.js';

export const ChannelType = { GuildText: 0, PublicThread: 11, GuildForum: 15 } as const;

/** The auto-archive durations Discord accepts, in minutes. */
export const AUTO_ARCHIVE_MINUTES = [60, 1440, 4320, 10080] as const;
/** Discord's default for a new thread. */
const DEFAULT_AUTO_ARCHIVE = 4320;
export const THREAD_NAME_MAX = 100;

export const archivedThread = (detail: string) =>
  new ApiError(400, 50083, 'Thread is archived', 'archived_thread', [detail]);
export const wrongChannelType = (detail: string) =>
  new ApiError(400, 50024, 'Cannot execute action on this channel type', 'wrong_channel_type', [detail]);

export interface CreateThreadInput {
  readonly parent: TwinChannel;
  readonly name: string;
  readonly ownerId: Snowflake;
  /** The starting message's id (a thread from a message), or a new id (a forum post). */
  readonly id?: Snowflake;
  readonly autoArchiveDuration?: number;
}

/** Stores a thread and tells the gateway (THREAD_CREATE, newly created). */
export function createThread(ctx: TwinContext, input: CreateThreadInput): TwinChannel {
  const { state } = ctx;
  const now = Date.now();
  const thread: TwinThreadState = {
    ownerId: input.ownerId,
    archived: false,
    locked: false,
    autoArchiveDuration: input.autoArchiveDuration ?? DEFAULT_AUTO_ARCHIVE,
    archivedAt: now,
    createdAt: now,
    messageCount: 0,
  };
  const channel: TwinChannel = { id: input.id ?? snowflake(), name: input.name, type: ChannelType.PublicThread, parentId: input.parent.id, thread };
  state.channels.set(channel.id, channel);
  ctx.gateway.dispatch('THREAD_CREATE', { ...apiChannel(state, channel), newly_created: true }, { intent: Intent.Guilds });
  state.changes.notify();
  return channel;
}

/** Archives (or reopens) a thread and sends THREAD_UPDATE. */
export function setArchived(ctx: TwinContext, channel: TwinChannel, archived: boolean, locked?: boolean): void {
  const thread = requireThread(channel);
  thread.archived = archived;
  if (locked !== undefined) thread.locked = locked;
  thread.archivedAt = Date.now();
  ctx.gateway.dispatch('THREAD_UPDATE', apiChannel(ctx.state, channel), { intent: Intent.Guilds });
  ctx.state.changes.notify();
}

export function requireThread(channel: TwinChannel): TwinThreadState {
  if (!channel.thread) throw new Error(`discord twin: channel ${channel.id} is not a thread`);
  return channel.thread;
}

/**
 * Before a message is created in `channelId`: a forum takes no messages of its own, a locked
 * archived thread takes none, and an archived one is reopened. Counts the thread's messages.
 */
export function beforeMessageCreate(ctx: TwinContext, channelId: Snowflake, ephemeral: boolean): void {
  const channel = ctx.state.channels.get(channelId);
  if (!channel) return;
  if (channel.type === ChannelType.GuildForum) throw wrongChannelType(`#${channel.name} is a forum: post with POST /channels/${channel.id}/threads`);
  const thread = channel.thread;
  if (!thread || ephemeral) return;
  if (thread.archived && thread.locked) throw archivedThread(`thread ${channel.id} is archived and locked`);
  if (thread.archived) setArchived(ctx, channel, false);
  thread.messageCount++;
}

/** Before a message is edited: an archived thread refuses it (ephemeral messages are not in the thread). */
export function beforeMessageEdit(ctx: TwinContext, channelId: Snowflake, ephemeral: boolean): void {
  const thread = ctx.state.channels.get(channelId)?.thread;
  if (thread?.archived && !ephemeral) throw archivedThread(`message edit in archived thread ${channelId}`);
}

/** The permission a bot needs to send in a channel: in a thread, SEND_MESSAGES_IN_THREADS. */
export function sendPermission(channel: TwinChannel): { bits: bigint; name: string } {
  return channel.thread
    ? { bits: Permission.ViewChannel | Permission.SendMessagesInThreads, name: 'VIEW_CHANNEL/SEND_MESSAGES_IN_THREADS' }
    : { bits: Permission.ViewChannel | Permission.SendMessages, name: 'VIEW_CHANNEL/SEND_MESSAGES' };
}

// REST routes for threads and forums (rules in ./threads.ts):
// - POST /channels/{id}/messages/{mid}/threads: a public thread from a message of a text channel;
//   its id is the message's; a second one for the same message is refused (160004);
// - POST /channels/{id}/threads: in a forum, a post `{name, message}` whose starter message has
//   the thread's id (answered with the thread and `message`); in a text channel, a thread without
//   a starting message;
// - PATCH /channels/{id}: a thread's name, `archived` and `locked`.
// Starting a thread needs CREATE_PUBLIC_THREADS in the parent.

import { ApiError, invalidFormBody, missingPermissions, unknownChannel, unknownMessage } from './errors.js';
import { isObject } from './limits.js';
import { CHANNEL_FLAGS, checkMessageBody, createMessage } from './messages.js';
import { apiChannel, apiMessage } from './payloads.js';
import { route, type Route, type RouteContext, type RouteResult, type TwinContext } from './rest.js';
import { snowflake } from './snowflake.js';
import { Permission } from './state.js';
import { AUTO_ARCHIVE_MINUTES, ChannelType, createThread, setArchived, THREAD_NAME_MAX, wrongChannelType } from './threads.js';
import type { JsonObject, TwinChannel } from './types.js';

const asBody = (body: unknown): JsonObject => (isObject(body) ? body : {});

export function threadRoutes(ctx: TwinContext): Route[] {
  const { state } = ctx;
  const botId = state.ids.botUserId;

  function channelOf(c: RouteContext): TwinChannel {
    const channel = state.channels.get(c.params[0] ?? '');
    if (!channel) throw unknownChannel();
    return channel;
  }

  function requireCreateThreads(channel: TwinChannel): void {
    const needed = Permission.ViewChannel | Permission.CreatePublicThreads | Permission.SendMessagesInThreads;
    if ((state.permissionsOf(botId) & needed) !== needed) throw missingPermissions(`bot lacks CREATE_PUBLIC_THREADS/SEND_MESSAGES_IN_THREADS in #${channel.name}`);
  }

  /** The thread's name (1–100 characters) and auto-archive duration, as Discord checks them. */
  function threadSettings(body: JsonObject): { name: string; autoArchiveDuration?: number } {
    const name = body.name;
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > THREAD_NAME_MAX) {
      throw invalidFormBody([{ path: ['name'], code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between 1 and ${THREAD_NAME_MAX} in length.` }]);
    }
    const duration = body.auto_archive_duration;
    if (duration !== undefined && duration !== null && !AUTO_ARCHIVE_MINUTES.includes(duration as (typeof AUTO_ARCHIVE_MINUTES)[number])) {
      throw invalidFormBody([{ path: ['auto_archive_duration'], code: 'BASE_TYPE_CHOICES', message: `Value must be one of (${AUTO_ARCHIVE_MINUTES.join(', ')}).` }]);
    }
    return typeof duration === 'number' ? { name, autoArchiveDuration: duration } : { name };
  }

  function threadFromMessage(c: RouteContext): RouteResult {
    const parent = channelOf(c);
    if (parent.type !== ChannelType.GuildText) throw wrongChannelType(`threads start from messages of text channels, not of a channel of type ${parent.type}`);
    const message = state.message(c.params[1] ?? '');
    if (!message || message.channelId !== parent.id || message.deleted || message.ephemeral) throw unknownMessage();
    requireCreateThreads(parent);
    if (state.channels.has(message.id)) {
      throw new ApiError(400, 160004, 'A thread has already been created for this message', 'thread_already_exists', [`message ${message.id}`]);
    }
    const thread = createThread(ctx, { ...threadSettings(asBody(c.body)), parent, ownerId: botId, id: message.id });
    return { status: 201, body: apiChannel(state, thread) };
  }

  function threadInChannel(c: RouteContext): RouteResult {
    const parent = channelOf(c);
    const body = asBody(c.body);
    if (parent.type === ChannelType.GuildForum) {
      requireCreateThreads(parent);
      const settings = threadSettings(body);
      // The starter message is checked before the thread exists: a refused post leaves nothing behind.
      const starter = asBody(body.message);
      checkMessageBody(starter, c.files.length, false);
      const id = snowflake();
      const thread = createThread(ctx, { ...settings, parent, ownerId: botId, id });
      const message = createMessage(ctx, { body: starter, files: c.files, source: 'channel', channelId: thread.id, authorId: botId, flagsMask: CHANNEL_FLAGS, id });
      return { status: 201, body: { ...apiChannel(state, thread), message: apiMessage(state, message) } };
    }
    if (parent.type !== ChannelType.GuildText) throw wrongChannelType(`threads are made in text and forum channels, not in a channel of type ${parent.type}`);
    if (body.type !== undefined && body.type !== ChannelType.PublicThread) throw wrongChannelType('the twin makes public threads (type 11) only');
    requireCreateThreads(parent);
    const thread = createThread(ctx, { ...threadSettings(body), parent, ownerId: botId });
    return { status: 201, body: apiChannel(state, thread) };
  }

  function modifyChannel(c: RouteContext): RouteResult {
    const channel = channelOf(c);
    const body = asBody(c.body);
    if (typeof body.name === 'string') channel.name = threadSettings(body).name;
    if (channel.thread && (typeof body.archived === 'boolean' || typeof body.locked === 'boolean')) {
      setArchived(ctx, channel, typeof body.archived === 'boolean' ? body.archived : channel.thread.archived, typeof body.locked === 'boolean' ? body.locked : undefined);
    }
    state.changes.notify();
    return { status: 200, body: apiChannel(state, channel) };
  }

  return [
    route('POST', '/channels/:channel/messages/:message/threads', true, threadFromMessage),
    route('POST', '/channels/:channel/threads', true, threadInChannel),
    route('PATCH', '/channels/:channel', true, modifyChannel),
  ];
}

/**
 * A local Discord twin (REST API v10 + gateway on 127.0.0.1) for end-to-end tests with the real
 * discord.js client. Protocol notes: /work/shared/docs/discord-twin.md.
 *
 *   const twin = await startDiscordTwin({ interactionDeadlineMs?, tokenLifetimeMs?, botPermissions?, ... });
 *   const client = new Client({ intents, rest: { api: twin.apiUrl }, waitGuildTimeout: 100 });
 *   await client.login(twin.token);                       // then wait for 'clientReady'
 *
 *   twin.ids                    { applicationId, guildId, channelId, botUserId, ownerId, userId }
 *   twin.addRole({ name, permissions })                  → TwinRole
 *   twin.addMember({ username, roles, permissions, bot })  → { id, username, roles, permissions }   (bot: another bot's account)
 *   await twin.sendCommand({ name, options, user, locale, permissions })   → InteractionHandle
 *   await twin.sendComponent({ customId, messageId, user })               → InteractionHandle
 *   twin.uploadAttachment({ filename, content })  → id for an ATTACHMENT option ({ type: 11, value: id })
 *   await twin.submitModal({ interaction, values: { inputId: text } })  → InteractionHandle (type 5)
 *       handle.callbacks / original() / followups / state
 *       handle.waitForCallback() / waitForEdit(pred) / waitForFinal() / waitForFollowup(pred)
 *   await twin.sendMessage({ content, user, mentions, replyTo, channelId })  → UserMessageHandle
 *       handle.waitForReply(pred); handle.waitForThreadReply(pred) (in a thread started from it)
 *       twin.channelMessages(channelId?); twin.waitForChannelMessage(pred)
 *   startDiscordTwin({ channels: [{ id, name, type: 0 | 15 }] }), twin.addChannel(...)   text and forum channels
 *   await twin.createForumPost({ channelId, title, content, user })  → { thread, message, waitForReply }
 *   twin.channel(id)            a channel or thread (threads: type 11, parentId, thread.archived, …)
 *   twin.archiveThread(id, { locked })   archived threads refuse edits (50083); a message reopens them
 *   Components on messages are checked (rows, buttons, selects, unique custom ids); sendComponent
 *   clicks only what a message shows (crafted: true for anything else). Without the MESSAGE_CONTENT
 *   intent (1 << 15) the bot receives members' messages with content "" unless they mention it.
 *   twin.commands(guildId?)     registered commands (global / guild)
 *   twin.requests               every REST request { method, path, query, body, status, at, injected }
 *   twin.violations             every rule the bot broke (also answered with Discord's error):
 *                               3 s / double ack / 15 min token, message limits (50035), empty
 *                               message, missing permissions, unknown route, bad token, ...
 *   TwinMessage.wouldPing       whether a message (any version) would notify someone
 *   twin.failNext({ method?, pathPattern, status: 429|500|502|503, retryAfter?, times? })
 *   twin.dropGateway()          kill the socket (1006) → the client resumes
 *   twin.invalidateSession()    answer the next RESUME with op 9 d:false → the client re-identifies
 *   twin.closeGateway(code)     close the sockets with a gateway close code (4004, 4014, …)
 *   twin.refuseIdentify(code)   close every later IDENTIFY/RESUME with that code (null: accept again)
 *   twin.takeGatewayDown() / twin.bringGatewayUp()    an outage: connections fail in between
 *   await twin.waitForGatewayConnected()
 *   await twin.close()          after client.destroy()
 *
 * Tests should end with `expect(twin.violations).toEqual([])`.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AttachmentStore } from './attachments.js';
import { GatewayServer } from './gateway.js';
import { isObject } from './limits.js';
import { interactionRoutes, sendCommand, sendComponent } from './interactions.js';
import { submitModal } from './modals.js';
import { apiChannel, apiGuildCreate, apiMember, apiReady, apiRole } from './payloads.js';
import { createRestHandler, type TwinContext } from './rest.js';
import { coreRoutes } from './routes.js';
import { Intent, TwinState } from './state.js';
import { threadRoutes } from './thread-routes.js';
import { ChannelType, createThread, setArchived, THREAD_NAME_MAX } from './threads.js';
import { postUserMessage } from './user-messages.js';
import type {
  CreateForumPostOptions,
  DiscordTwin,
  ForumPostHandle,
  SendMessageOptions,
  Snowflake,
  TwinMember,
  TwinMemberInfo,
  TwinMessage,
  TwinOptions,
  UserMessageHandle,
} from './types.js';

export type * from './types.js';

const DEFAULT_WAIT_MS = 5000;

export async function startDiscordTwin(options: TwinOptions = {}): Promise<DiscordTwin> {
  const state = new TwinState(options);
  const gateway = new GatewayServer({
    token: state.options.token,
    heartbeatIntervalMs: state.options.heartbeatIntervalMs,
    ready: (sessionId, resumeUrl) => apiReady(state, sessionId, resumeUrl),
    // Without the GUILDS intent Discord sends no GUILD_CREATE.
    guildCreates: (session) => ((session.intents & Intent.Guilds) !== 0 ? [apiGuildCreate(state)] : []),
    guildMembers: (request) => {
      const ids = Array.isArray(request.user_ids) ? request.user_ids.map(String) : typeof request.user_ids === 'string' ? [request.user_ids] : undefined;
      const query = typeof request.query === 'string' ? request.query.toLowerCase() : '';
      const members = [...state.members.values()].filter((m) =>
        ids ? ids.includes(m.user.id) : m.user.username.toLowerCase().startsWith(query));
      return {
        guild_id: state.ids.guildId,
        members: members.map((m) => apiMember(m)),
        chunk_index: 0,
        chunk_count: 1,
        ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      };
    },
    changed: () => state.changes.notify(),
  });
  const attachments = new AttachmentStore(() => ctx.urls.api.replace(/\/api$/, ''));
  const ctx: TwinContext = { state, gateway, attachments, urls: { api: '', gateway: '' } };
  const rest = createRestHandler(state, [...coreRoutes(ctx), ...interactionRoutes(ctx), ...threadRoutes(ctx)]);
  const server = createServer((request, response) => {
    if (!attachments.handle(request, response)) rest(request, response);
  });
  server.on('upgrade', (request, socket, head: Buffer) => gateway.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  ctx.urls.api = `http://127.0.0.1:${port}/api`;
  // No trailing slash or query: @discordjs/ws appends `?v=10&encoding=json`.
  ctx.urls.gateway = `ws://127.0.0.1:${port}/gateway`;
  gateway.setUrl(ctx.urls.gateway);

  const memberInfo = (member: TwinMember): TwinMemberInfo => ({
    id: member.user.id,
    username: member.user.username,
    roles: [...member.roles],
    permissions: state.permissionsOf(member.user.id).toString(),
  });

  const isBotMessage = (m: TwinMessage) => m.authorId === state.ids.botUserId && !m.deleted;

  const waitForBotMessage = (channelId: Snowflake, after: TwinMessage | null, predicate: (m: TwinMessage) => boolean, timeoutMs: number, describe: () => string) =>
    state.changes.waitFor(
      () => state.messages.slice(after ? state.messages.indexOf(after) + 1 : 0).find((m) => isBotMessage(m) && m.channelId === channelId && predicate(m)),
      timeoutMs,
      describe,
    );

  function sendMessage(input: SendMessageOptions): UserMessageHandle {
    const channelId = input.channelId ?? state.ids.channelId;
    const { message, delivered } = postUserMessage(ctx, {
      channelId,
      authorId: input.user ?? state.ids.userId,
      content: input.content,
      ...(input.mentions ? { mentions: input.mentions } : {}),
      ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
    });
    const what = () => `"${message.content.slice(0, 80)}"${delivered ? '' : ' (never delivered: no gateway session with the GUILD_MESSAGES intent)'}`;
    return {
      message,
      delivered,
      waitForReply: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
        waitForBotMessage(channelId, message, predicate, timeoutMs, () => `a bot reply to ${what()}`),
      // A thread started from a message has the message's id.
      waitForThreadReply: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
        waitForBotMessage(message.id, null, predicate, timeoutMs, () => `a bot message in a thread started from ${what()}`),
    };
  }

  function createForumPost(input: CreateForumPostOptions): ForumPostHandle {
    const forum = state.channels.get(input.channelId);
    if (forum?.type !== ChannelType.GuildForum) throw new Error(`discord twin: ${input.channelId} is not a forum channel; add one with addChannel({ type: 15 })`);
    const authorId = input.user ?? state.ids.userId;
    if (!state.members.has(authorId)) throw new Error(`discord twin: no member ${authorId}; create one with twin.addMember()`);
    if (input.title.length === 0 || input.title.length > THREAD_NAME_MAX) throw new Error(`discord twin: a post title has 1–${THREAD_NAME_MAX} characters`);
    // Discord sends THREAD_CREATE first, then the starter message (id = the thread's) in the thread.
    const thread = createThread(ctx, { parent: forum, name: input.title, ownerId: authorId });
    const { message, delivered } = postUserMessage(ctx, { channelId: thread.id, authorId, content: input.content, id: thread.id });
    return {
      thread,
      message,
      delivered,
      waitForReply: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
        waitForBotMessage(thread.id, message, predicate, timeoutMs, () => `a bot reply in the forum post "${input.title.slice(0, 80)}"`),
    };
  }

  return {
    apiUrl: ctx.urls.api,
    gatewayUrl: ctx.urls.gateway,
    token: state.options.token,
    ids: state.ids,
    requests: state.requests,
    violations: state.violations,
    interactions: state.interactions,
    gatewayLog: gateway.log,
    addMember: (input = {}) => {
      const member = state.addMember(input, input.bot ?? false);
      gateway.dispatch('GUILD_MEMBER_ADD', { ...apiMember(member), guild_id: state.ids.guildId }, { intent: Intent.GuildMembers });
      return memberInfo(member);
    },
    addRole: (input) => {
      const role = state.addRole(input);
      gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: state.ids.guildId, role: apiRole(role) }, { intent: Intent.Guilds });
      return role;
    },
    sendCommand: async (input) => sendCommand(ctx, input),
    sendComponent: async (input) => sendComponent(ctx, input),
    uploadAttachment: (input) => attachments.upload(input),
    attachmentDownloads: attachments.downloads,
    submitModal: async (input) => submitModal(ctx, input),
    sendMessage: async (input) => sendMessage(input),
    channel: (id) => state.channels.get(id),
    addChannel: (input) => {
      const channel = state.addChannel(input);
      gateway.dispatch('CHANNEL_CREATE', apiChannel(state, channel), { intent: Intent.Guilds });
      return channel;
    },
    createForumPost: async (input) => createForumPost(input),
    archiveThread: (threadId, options = {}) => {
      const channel = state.channels.get(threadId);
      if (!channel?.thread) throw new Error(`discord twin: ${threadId} is not a thread`);
      setArchived(ctx, channel, true, options.locked ?? false);
    },
    channelMessages: (channelId = state.ids.channelId) => state.messages.filter((m) => m.channelId === channelId),
    waitForChannelMessage: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
      state.changes.waitFor(
        () => state.messages.find((m) => isBotMessage(m) && predicate(m)),
        timeoutMs,
        () => 'a matching bot message',
      ),
    commands: (guildId) => (guildId === undefined ? state.globalCommands : (state.guildCommands.get(guildId) ?? [])),
    failNext: (rule) => {
      if (!isObject(rule) || !(rule.pathPattern instanceof RegExp)) throw new Error('discord twin: failNext needs a pathPattern RegExp');
      state.faults.push({ rule, remaining: rule.times ?? 1 });
    },
    dropGateway: () => gateway.drop(),
    invalidateSession: () => gateway.invalidateSession(),
    closeGateway: (code, reason) => gateway.closeWith(code, reason),
    refuseIdentify: (code) => gateway.refuseIdentify(code),
    takeGatewayDown: () => gateway.takeDown(),
    bringGatewayUp: () => gateway.bringUp(),
    waitForGatewayConnected: async (timeoutMs = DEFAULT_WAIT_MS) => {
      await state.changes.waitFor(() => (gateway.connected ? true : undefined), timeoutMs, () => 'a connected gateway session');
    },
    close: async () => {
      state.changes.close();
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

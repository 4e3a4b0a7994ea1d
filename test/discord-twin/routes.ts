// Bot-token routes: gateway discovery, the bot's user/application, application commands,
// channel messages (+ typing, reactions) and guild/member fetches. Interaction routes live in
// interactions.ts.

import { ApiError, invalidFormBody, missingAccess, missingPermissions, notThisApplication, unknownChannel, unknownGuild, unknownMessage } from './errors.js';
import { isObject, validateCommand, validateCommandList } from './limits.js';
import { CHANNEL_FLAGS, createMessage, deleteMessage, editMessage } from './messages.js';
import { apiApplication, apiChannel, apiGuild, apiMember, apiMessage, apiRole, apiUser } from './payloads.js';
import { route, type Route, type RouteContext, type RouteResult, type TwinContext } from './rest.js';
import { snowflake } from './snowflake.js';
import { Permission } from './state.js';
import { sendPermission } from './threads.js';
import type { ApiCommand, JsonObject, Snowflake, TwinChannel, TwinMessage } from './types.js';

const ok = (body: unknown): RouteResult => ({ status: 200, body });
const noContent: RouteResult = { status: 204 };
const asBody = (body: unknown): JsonObject => (isObject(body) ? body : {});

export function coreRoutes(ctx: TwinContext): Route[] {
  const { state } = ctx;
  const botId = state.ids.botUserId;

  // ---- application commands -----------------------------------------------------------------

  function commandScope(c: RouteContext): { list: ApiCommand[]; guildId?: Snowflake } {
    const [applicationId, guildId] = c.params;
    if (applicationId !== state.ids.applicationId) throw notThisApplication();
    if (c.path.includes('/guilds/')) {
      if (guildId !== state.ids.guildId) throw missingAccess();
      let list = state.guildCommands.get(guildId);
      if (!list) state.guildCommands.set(guildId, (list = []));
      return { list, guildId };
    }
    return { list: state.globalCommands };
  }

  function storeCommand(body: JsonObject, id: Snowflake, guildId: Snowflake | undefined): ApiCommand {
    const { id: _id, application_id: _app, guild_id: _guild, version: _version, ...fields } = body;
    return {
      name_localizations: null,
      description_localizations: null,
      default_member_permissions: null,
      nsfw: false,
      integration_types: [0],
      contexts: null,
      ...fields,
      id,
      application_id: state.ids.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      version: snowflake(),
      type: typeof body.type === 'number' ? body.type : 1,
      name: String(body.name),
      description: typeof body.description === 'string' ? body.description : '',
    };
  }

  const sameCommand = (a: { name?: unknown; type?: unknown }, b: ApiCommand) => a.name === b.name && (a.type ?? 1) === b.type;

  function findCommand(c: RouteContext): { list: ApiCommand[]; index: number; guildId?: Snowflake } {
    const scope = commandScope(c);
    const commandId = c.params[c.params.length - 1];
    const index = scope.list.findIndex((cmd) => cmd.id === commandId);
    if (index === -1) throw new ApiError(404, 10063, 'Unknown application command', 'unknown_command');
    return { ...scope, index };
  }

  const commandRoutes = (prefix: string): Route[] => [
    route('GET', prefix, true, (c) => ok(commandScope(c).list)),
    route('PUT', prefix, true, (c) => {
      const { list, guildId } = commandScope(c);
      const errors = validateCommandList(c.body);
      if (errors.length > 0) throw invalidFormBody(errors);
      // Bulk overwrite keeps the id of a command with the same name and type, like Discord.
      const next = (c.body as JsonObject[]).map((body) => storeCommand(body, list.find((old) => sameCommand(body, old))?.id ?? snowflake(), guildId));
      list.splice(0, list.length, ...next);
      state.changes.notify();
      return ok(list);
    }),
    route('POST', prefix, true, (c) => {
      const { list, guildId } = commandScope(c);
      const body = asBody(c.body);
      const errors = validateCommand(body);
      if (errors.length > 0) throw invalidFormBody(errors);
      const index = list.findIndex((old) => sameCommand(body, old));
      const command = storeCommand(body, list[index]?.id ?? snowflake(), guildId);
      if (index === -1) list.push(command);
      else list[index] = command;
      state.changes.notify();
      return { status: index === -1 ? 201 : 200, body: command };
    }),
    route('GET', `${prefix}/:command`, true, (c) => {
      const { list, index } = findCommand(c);
      return ok(list[index]);
    }),
    route('PATCH', `${prefix}/:command`, true, (c) => {
      const { list, index, guildId } = findCommand(c);
      const current = list[index] as ApiCommand;
      const merged = { ...current, ...asBody(c.body) };
      const errors = validateCommand(merged);
      if (errors.length > 0) throw invalidFormBody(errors);
      list[index] = storeCommand(merged, current.id, guildId);
      state.changes.notify();
      return ok(list[index]);
    }),
    route('DELETE', `${prefix}/:command`, true, (c) => {
      const { list, index } = findCommand(c);
      list.splice(index, 1);
      state.changes.notify();
      return noContent;
    }),
  ];

  // ---- channels and messages ------------------------------------------------------------------

  function channelOf(c: RouteContext): TwinChannel {
    const channel = state.channels.get(c.params[0] ?? '');
    if (!channel) throw unknownChannel();
    return channel;
  }

  function messageOf(c: RouteContext): TwinMessage {
    const channel = channelOf(c);
    const message = state.message(c.params[1] ?? '');
    if (!message || message.channelId !== channel.id || message.deleted || message.ephemeral) throw unknownMessage();
    return message;
  }

  function requirePermission(bit: bigint, name: string, channel: TwinChannel): void {
    if ((state.permissionsOf(botId) & bit) !== bit) throw missingPermissions(`bot lacks ${name} in #${channel.name}`);
  }

  function listMessages(c: RouteContext): RouteResult {
    const channel = channelOf(c);
    requirePermission(Permission.ViewChannel | Permission.ReadMessageHistory, 'VIEW_CHANNEL/READ_MESSAGE_HISTORY', channel);
    const limit = Math.min(Math.max(Number(c.query.get('limit') ?? 50), 1), 100);
    const before = c.query.get('before');
    const after = c.query.get('after');
    let list = state.messages.filter((m) => m.channelId === channel.id && !m.deleted && !m.ephemeral);
    if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
    // Discord returns newest first; with `after` the page closest to `after`.
    const page = after ? list.slice(0, limit) : list.slice(-limit);
    return ok(page.reverse().map((m) => apiMessage(state, m)));
  }

  function postMessage(c: RouteContext): RouteResult {
    const channel = channelOf(c);
    const send = sendPermission(channel);
    requirePermission(send.bits, send.name, channel);
    const body = asBody(c.body);
    let referencedMessageId: Snowflake | undefined;
    if (isObject(body.message_reference)) {
      const reference = body.message_reference;
      const target = state.message(String(reference.message_id));
      if (target && target.channelId === channel.id && !target.deleted && !target.ephemeral) referencedMessageId = target.id;
      else if (reference.fail_if_not_exists !== false) {
        throw invalidFormBody([{ path: ['message_reference'], code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }]);
      }
    }
    const message = createMessage(ctx, {
      body, files: c.files, source: 'channel', channelId: channel.id, authorId: botId, flagsMask: CHANNEL_FLAGS, referencedMessageId,
    });
    return ok(apiMessage(state, message));
  }

  function reaction(add: boolean) {
    return (c: RouteContext): RouteResult => {
      const message = messageOf(c);
      const emoji = c.params[2] ?? '';
      if (add) {
        requirePermission(Permission.AddReactions, 'ADD_REACTIONS', channelOf(c));
        if (!message.reactions.includes(emoji)) message.reactions.push(emoji);
      } else {
        message.reactions = message.reactions.filter((r) => r !== emoji);
      }
      state.changes.notify();
      return noContent;
    };
  }

  // ---- guild ------------------------------------------------------------------------------------

  function guildOf(c: RouteContext): void {
    if (c.params[0] !== state.ids.guildId) throw unknownGuild();
  }

  const gatewayInfo = () => ({ url: ctx.urls.gateway });

  return [
    route('GET', '/gateway/bot', true, () =>
      ok({
        ...gatewayInfo(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      })),
    route('GET', '/gateway', false, () => ok(gatewayInfo())),
    route('GET', '/users/@me', true, () => {
      const bot = state.users.get(botId);
      if (!bot) throw new ApiError(404, 10013, 'Unknown User', 'unknown_user');
      return ok(apiUser(bot));
    }),
    route('GET', '/users/:user', true, (c) => {
      const user = state.users.get(c.params[0] ?? '');
      if (!user) throw new ApiError(404, 10013, 'Unknown User', 'unknown_user');
      return ok(apiUser(user));
    }),
    route('GET', '/applications/@me', true, () => ok(apiApplication(state))),
    ...commandRoutes('/applications/:application/commands'),
    ...commandRoutes('/applications/:application/guilds/:guild/commands'),

    route('GET', '/channels/:channel', true, (c) => ok(apiChannel(state, channelOf(c)))),
    route('GET', '/channels/:channel/messages', true, listMessages),
    route('POST', '/channels/:channel/messages', true, postMessage),
    route('GET', '/channels/:channel/messages/:message', true, (c) => ok(apiMessage(state, messageOf(c)))),
    route('PATCH', '/channels/:channel/messages/:message', true, (c) => {
      const message = messageOf(c);
      if (message.authorId !== botId) {
        throw new ApiError(403, 50005, 'Cannot edit a message authored by another user', 'cannot_edit_others_message');
      }
      return ok(apiMessage(state, editMessage(ctx, message, asBody(c.body), c.files)));
    }),
    route('DELETE', '/channels/:channel/messages/:message', true, (c) => {
      const message = messageOf(c);
      if (message.authorId !== botId) requirePermission(Permission.ManageMessages, 'MANAGE_MESSAGES', channelOf(c));
      deleteMessage(ctx, message);
      return noContent;
    }),
    route('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', true, reaction(true)),
    route('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/@me', true, reaction(false)),
    route('POST', '/channels/:channel/typing', true, (c) => {
      const channel = channelOf(c);
      const send = sendPermission(channel);
      requirePermission(send.bits, send.name, channel);
      return noContent;
    }),

    route('GET', '/guilds/:guild', true, (c) => {
      guildOf(c);
      return ok(apiGuild(state));
    }),
    route('GET', '/guilds/:guild/channels', true, (c) => {
      guildOf(c);
      // Like Discord: the guild's channels, without threads.
      return ok([...state.channels.values()].filter((channel) => !channel.thread).map((channel) => apiChannel(state, channel)));
    }),
    route('GET', '/guilds/:guild/roles', true, (c) => {
      guildOf(c);
      return ok([...state.roles.values()].map(apiRole));
    }),
    route('GET', '/guilds/:guild/members', true, (c) => {
      guildOf(c);
      const limit = Math.min(Math.max(Number(c.query.get('limit') ?? 1), 1), 1000);
      return ok([...state.members.values()].slice(0, limit).map((m) => apiMember(m)));
    }),
    route('GET', '/guilds/:guild/members/:user', true, (c) => {
      guildOf(c);
      const member = state.members.get(c.params[1] ?? '');
      if (!member) throw new ApiError(404, 10007, 'Unknown Member', 'unknown_member');
      return ok(apiMember(member));
    }),
  ];
}

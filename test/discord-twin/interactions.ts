// Interactions: building INTERACTION_CREATE payloads, the handle tests hold, and the routes that
// answer them (callback, @original, follow-ups) with Discord's timing rules:
// - the first callback must arrive within 3 s of the dispatch (else 404 10062),
// - exactly one callback per interaction (else 400 40060),
// - the token works for webhook edits/follow-ups for 15 min (else 401 50027).
// The 3 s clock starts when the dispatch is written to a gateway socket, so time spent buffered
// during a reconnect is not held against the bot.

import { randomBytes } from 'node:crypto';
import { ComponentType, customIds, findComponent } from './components.js';
import { ApiError, invalidFormBody, unknownMessage } from './errors.js';
import { isObject, validateAutocomplete, validateModal } from './limits.js';
import { createMessage, deleteMessage, editMessage, INTERACTION_FLAGS, MessageFlag } from './messages.js';
import { apiChannel, apiMember, apiMessage, apiRole, apiUser } from './payloads.js';
import { route, type Route, type RouteContext, type RouteResult, type TwinContext } from './rest.js';
import { snowflake } from './snowflake.js';
import type { TwinState } from './state.js';
import type {
  ApiCommand,
  CallbackRecord,
  CommandOptionInput,
  InteractionHandle,
  InteractionState,
  JsonObject,
  SendCommandOptions,
  SendComponentOptions,
  Snowflake,
  TwinMessage,
} from './types.js';
import type { Changes } from './waiting.js';

const InteractionType = { ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
const Callback = { Reply: 4, Defer: 5, DeferUpdate: 6, Update: 7, Autocomplete: 8, Modal: 9 } as const;

/** Which callback types Discord accepts for which interaction kind. */
const ALLOWED_CALLBACKS: Record<TwinInteraction['kind'], number[]> = {
  command: [Callback.Reply, Callback.Defer, Callback.Modal],
  component: [Callback.Reply, Callback.Defer, Callback.DeferUpdate, Callback.Update, Callback.Modal],
  autocomplete: [Callback.Autocomplete],
  // A modal submitted from a slash command (not from a message component) cannot update a message.
  modal: [Callback.Reply, Callback.Defer],
};

const DEFAULT_WAIT_MS = 5000;

export class TwinInteraction implements InteractionHandle {
  readonly callbacks: CallbackRecord[] = [];
  readonly followups: TwinMessage[] = [];
  readonly createdAt = Date.now();
  deliveredAt: number | null = null;
  acknowledgement: CallbackRecord | null = null;
  expired = false;
  originalMessage: TwinMessage | null = null;

  constructor(
    readonly id: Snowflake,
    readonly token: string,
    readonly kind: 'command' | 'autocomplete' | 'component' | 'modal',
    readonly payload: JsonObject,
    readonly userId: Snowflake,
    readonly channelId: Snowflake,
    private readonly changes: Changes,
    private readonly deadlineMs: number,
  ) {}

  get state(): InteractionState {
    const ack = this.acknowledgement;
    if (ack) {
      if (ack.type === Callback.Defer) return this.originalMessage?.loading === false ? 'replied' : 'deferred';
      if (ack.type === Callback.DeferUpdate) return 'deferred';
      if (ack.type === Callback.Update) return 'updated';
      if (ack.type === Callback.Autocomplete) return 'autocompleted';
      if (ack.type === Callback.Modal) return 'modal';
      return 'replied';
    }
    if (this.expired || (this.deliveredAt !== null && Date.now() - this.deliveredAt > this.deadlineMs)) return 'expired';
    return 'pending';
  }

  original(): TwinMessage | undefined {
    return this.originalMessage && !this.originalMessage.deleted ? this.originalMessage : undefined;
  }

  private describe(): string {
    const data = isObject(this.payload.data) ? this.payload.data : {};
    const name = typeof data.name === 'string' ? `/${data.name}` : String(data.custom_id ?? '');
    const attempts = this.callbacks.map((c) => `type ${c.type} → ${c.status}`).join(', ') || 'none';
    return `interaction ${this.id} (${name}, state ${this.state}, callbacks: ${attempts})`;
  }

  waitForCallback(timeoutMs = DEFAULT_WAIT_MS): Promise<CallbackRecord> {
    return this.changes.waitFor(() => this.acknowledgement ?? undefined, timeoutMs, () => `a callback to ${this.describe()}`);
  }

  waitForEdit(predicate: (message: TwinMessage) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<TwinMessage> {
    return this.changes.waitFor(
      () => {
        const message = this.original();
        return message && message.edits > 0 && predicate(message) ? message : undefined;
      },
      timeoutMs,
      () => `a matching edit of @original of ${this.describe()}; current: ${JSON.stringify(summary(this.original()))}`,
    );
  }

  waitForFinal(timeoutMs = DEFAULT_WAIT_MS): Promise<TwinMessage> {
    return this.changes.waitFor(
      () => {
        const message = this.original();
        return message && !message.loading ? message : undefined;
      },
      timeoutMs,
      () => `a final (non-deferred) @original of ${this.describe()}`,
    );
  }

  waitForFollowup(predicate: (message: TwinMessage) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<TwinMessage> {
    return this.changes.waitFor(
      () => this.followups.find((m) => !m.deleted && predicate(m)),
      timeoutMs,
      () => `a matching follow-up of ${this.describe()} (${this.followups.length} so far)`,
    );
  }
}

function summary(message: TwinMessage | undefined): object | undefined {
  return message && { content: message.content.slice(0, 200), embeds: message.embeds.length, flags: message.flags, edits: message.edits };
}

// ---------------------------------------------------------------------------------------------
// Dispatching interactions

export interface BuildInput {
  kind: TwinInteraction['kind'];
  type: number;
  data: JsonObject;
  userId: Snowflake;
  channelId: Snowflake;
  locale: string;
  guildLocale: string;
  permissions?: bigint | string | undefined;
  message?: JsonObject;
}

export function dispatchInteraction(ctx: TwinContext, input: BuildInput): TwinInteraction {
  const { state, gateway } = ctx;
  const member = state.members.get(input.userId);
  if (!member) throw new Error(`discord twin: no member ${input.userId}; create one with twin.addMember()`);
  const channel = state.channels.get(input.channelId);
  if (!channel) throw new Error(`discord twin: no channel ${input.channelId}`);
  if (!gateway.hasSession) throw new Error('discord twin: no gateway session — log the client in and wait for clientReady first');
  const permissions = input.permissions === undefined ? state.permissionsOf(input.userId) : BigInt(input.permissions);
  const id = snowflake();
  const token = `twin.${randomBytes(24).toString('base64url')}`;
  const payload: JsonObject = {
    id,
    application_id: state.ids.applicationId,
    type: input.type,
    token,
    version: 1,
    locale: input.locale,
    guild_locale: input.guildLocale,
    guild_id: state.ids.guildId,
    guild: { id: state.ids.guildId, locale: input.guildLocale, features: [] },
    // discord.js reads the channel id from `channel.id`, not `channel_id`.
    channel_id: channel.id,
    channel: { ...apiChannel(state, channel), permissions: permissions.toString() },
    member: apiMember(member, { permissions }),
    app_permissions: state.permissionsOf(state.ids.botUserId).toString(),
    // discord.js crashes without these two.
    entitlements: [],
    authorizing_integration_owners: { '0': state.ids.guildId },
    context: 0,
    attachment_size_limit: 10 * 1024 * 1024,
    data: input.data,
    ...(input.message ? { message: input.message } : {}),
  };
  const interaction = new TwinInteraction(
    id, token, input.kind, payload, input.userId, channel.id, state.changes, state.options.interactionDeadlineMs,
  );
  state.interactions.push(interaction);
  gateway.dispatch('INTERACTION_CREATE', payload, {
    onDelivered: (at) => {
      interaction.deliveredAt = at;
      state.changes.notify();
    },
  });
  state.changes.notify();
  return interaction;
}

function findCommand(state: TwinState, name: string): ApiCommand | undefined {
  const isChatInput = (c: ApiCommand) => c.name === name && c.type === 1;
  return (state.guildCommands.get(state.ids.guildId) ?? []).find(isChatInput) ?? state.globalCommands.find(isChatInput);
}

/** Rejects options the registered command does not declare — a test (or registration) bug. */
function checkOptions(definitions: unknown, given: CommandOptionInput[], where: string, partial: boolean): void {
  const defs = (Array.isArray(definitions) ? definitions : []).filter(isObject);
  for (const option of given) {
    const def = defs.find((d) => d.name === option.name);
    if (!def) throw new Error(`discord twin: ${where} has no option "${option.name}" (has: ${defs.map((d) => d.name).join(', ') || 'none'})`);
    if (def.type !== option.type) throw new Error(`discord twin: option "${option.name}" of ${where} has type ${String(def.type)}, got ${option.type}`);
    if (option.type === 1 || option.type === 2) checkOptions(def.options, option.options ?? [], `${where} ${option.name}`, partial);
  }
  if (partial || given.some((o) => o.type === 1 || o.type === 2)) return;
  for (const def of defs) {
    if (def.required === true && !given.some((o) => o.name === def.name)) {
      throw new Error(`discord twin: required option "${String(def.name)}" of ${where} is missing`);
    }
  }
}

function hasFocused(options: CommandOptionInput[]): boolean {
  return options.some((o) => o.focused === true || hasFocused(o.options ?? []));
}

/** Wire options plus `resolved` entries for user/channel/role/attachment options, which discord.js looks up. */
function buildOptions(ctx: TwinContext, options: CommandOptionInput[]): { options: JsonObject[]; resolved: JsonObject } {
  const { state } = ctx;
  const attachments: JsonObject = {};
  const users: JsonObject = {};
  const members: JsonObject = {};
  const roles: JsonObject = {};
  const channels: JsonObject = {};
  const convert = (list: CommandOptionInput[]): JsonObject[] =>
    list.map((o) => {
      const id = String(o.value);
      if (o.type === 6 || o.type === 9) {
        const member = state.members.get(id);
        if (member) {
          users[id] = apiUser(member.user);
          members[id] = { ...apiMember(member, { withUser: false }), permissions: state.permissionsOf(id).toString() };
        }
      }
      if (o.type === 8 || o.type === 9) {
        const role = state.roles.get(id);
        if (role) roles[id] = apiRole(role);
      }
      if (o.type === 11) {
        const attachment = ctx.attachments.resolved(id);
        if (!attachment) throw new Error(`discord twin: no attachment ${id}; upload one with twin.uploadAttachment()`);
        attachments[id] = attachment;
      }
      if (o.type === 7) {
        const channel = state.channels.get(id);
        if (channel) channels[id] = { id, name: channel.name, type: channel.type, permissions: '0' };
      }
      return {
        name: o.name,
        type: o.type,
        ...(o.value !== undefined ? { value: o.value } : {}),
        ...(o.focused ? { focused: true } : {}),
        ...(o.options ? { options: convert(o.options) } : {}),
      };
    });
  const converted = convert(options);
  const resolved: JsonObject = {};
  for (const [key, map] of Object.entries({ users, members, roles, channels, attachments })) {
    if (Object.keys(map).length > 0) resolved[key] = map;
  }
  return { options: converted, resolved };
}

export function sendCommand(ctx: TwinContext, input: SendCommandOptions): TwinInteraction {
  const { state } = ctx;
  const given = input.options ?? [];
  const focused = hasFocused(given);
  const command = findCommand(state, input.name);
  const registered = state.globalCommands.length > 0 || (state.guildCommands.get(state.ids.guildId) ?? []).length > 0;
  // Discord only dispatches registered commands; if the bot registered any, hold tests to them.
  if (registered && !command) {
    const names = [...(state.guildCommands.get(state.ids.guildId) ?? []), ...state.globalCommands].map((c) => c.name);
    throw new Error(`discord twin: command "/${input.name}" is not registered (registered: ${names.join(', ')})`);
  }
  if (command) checkOptions(command.options, given, `/${input.name}`, focused);
  const { options, resolved } = buildOptions(ctx, given);
  const data: JsonObject = {
    id: command?.id ?? snowflake(),
    name: input.name,
    type: 1,
    ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    ...(options.length > 0 ? { options } : {}),
    ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
  };
  return dispatchInteraction(ctx, {
    kind: focused ? 'autocomplete' : 'command',
    type: focused ? InteractionType.Autocomplete : InteractionType.ApplicationCommand,
    data,
    userId: input.user ?? state.ids.userId,
    channelId: input.channelId ?? state.ids.channelId,
    locale: input.locale ?? 'en-US',
    guildLocale: input.guildLocale ?? state.options.guildLocale,
    permissions: input.permissions,
  });
}

export function sendComponent(ctx: TwinContext, input: SendComponentOptions): TwinInteraction {
  const { state } = ctx;
  const message = state.message(input.messageId);
  if (!message || message.deleted) throw new Error(`discord twin: no message ${input.messageId} to click on`);
  const component = findComponent(message, input.customId);
  if (!input.crafted) {
    // Discord's client only sends what the message shows; a test that means otherwise says `crafted`.
    if (!component) throw new Error(`discord twin: message ${message.id} has no component "${input.customId}" (it has: ${customIds(message).join(', ') || 'none'})`);
    if (component.disabled) throw new Error(`discord twin: component "${input.customId}" is disabled`);
    const unknown = (input.values ?? []).filter((value) => !component.values.includes(value));
    if (unknown.length > 0) throw new Error(`discord twin: select "${input.customId}" has no option ${unknown.join(', ')}`);
  }
  const componentType = input.componentType ?? component?.type ?? ComponentType.Button;
  return dispatchInteraction(ctx, {
    kind: 'component',
    type: InteractionType.MessageComponent,
    data: { custom_id: input.customId, component_type: componentType, ...(input.values ? { values: input.values } : {}) },
    userId: input.user ?? state.ids.userId,
    channelId: message.channelId,
    locale: input.locale ?? 'en-US',
    guildLocale: state.options.guildLocale,
    message: apiMessage(state, message),
  });
}

// ---------------------------------------------------------------------------------------------
// Routes

const asBody = (body: unknown): JsonObject => (isObject(body) ? body : {});

export function interactionRoutes(ctx: TwinContext): Route[] {
  const { state } = ctx;

  function tagged<T>(interaction: TwinInteraction, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ApiError) error.interactionId = interaction.id;
      throw error;
    }
  }

  function callback(c: RouteContext): RouteResult {
    const [id, token] = c.params;
    const interaction = state.interactions.find((i) => i.id === id);
    if (!interaction || interaction.token !== token) {
      throw new ApiError(404, 10062, 'Unknown interaction', 'unknown_interaction', [`no interaction ${String(id)} with that token`]);
    }
    const body = asBody(c.body);
    const type = typeof body.type === 'number' ? body.type : -1;
    const elapsedMs = interaction.deliveredAt === null ? 0 : c.at - interaction.deliveredAt;
    const record = (status: number) => {
      const entry: CallbackRecord = { type, data: body.data, at: c.at, elapsedMs, status };
      interaction.callbacks.push(entry);
      state.changes.notify();
      return entry;
    };
    return tagged(interaction, () => {
      try {
        if (interaction.acknowledgement) {
          throw new ApiError(400, 40060, 'Interaction has already been acknowledged.', 'interaction_already_acknowledged', [
            `callback type ${type} after an accepted type ${interaction.acknowledgement.type}`,
          ]);
        }
        if (interaction.expired || elapsedMs > state.options.interactionDeadlineMs) {
          interaction.expired = true;
          throw new ApiError(404, 10062, 'Unknown interaction', 'interaction_expired', [
            `first callback ${elapsedMs} ms after INTERACTION_CREATE (limit ${state.options.interactionDeadlineMs} ms)`,
          ]);
        }
        if (!ALLOWED_CALLBACKS[interaction.kind].includes(type)) {
          throw invalidFormBody(
            [{ path: ['type'], code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Callback type ${type} is not valid for a ${interaction.kind} interaction` }],
            'invalid_callback_type',
          );
        }
        const result = applyCallback(interaction, type, body, c);
        const entry = record(result.status);
        interaction.acknowledgement = entry;
        state.changes.notify();
        return result;
      } catch (error) {
        if (error instanceof ApiError) record(error.status);
        throw error;
      }
    });
  }

  function applyCallback(interaction: TwinInteraction, type: number, body: JsonObject, c: RouteContext): RouteResult {
    const data = asBody(body.data);
    const componentMessage = () => {
      const id = isObject(interaction.payload.message) ? String(interaction.payload.message.id) : '';
      const message = state.message(id);
      if (!message) throw unknownMessage();
      return message;
    };
    switch (type) {
      case Callback.Reply:
        interaction.originalMessage = createMessage(ctx, {
          body: data, files: c.files, source: 'interaction', channelId: interaction.channelId,
          authorId: state.ids.botUserId, flagsMask: INTERACTION_FLAGS, interactionId: interaction.id,
        });
        break;
      case Callback.Defer:
        // The "… is thinking" placeholder: empty, Loading flag, ephemeral if asked.
        interaction.originalMessage = createMessage(ctx, {
          body: { flags: Number(data.flags ?? 0) & MessageFlag.Ephemeral }, files: [], source: 'interaction',
          channelId: interaction.channelId, authorId: state.ids.botUserId, flagsMask: MessageFlag.Ephemeral,
          extraFlags: MessageFlag.Loading, allowEmpty: true, interactionId: interaction.id,
        });
        break;
      case Callback.DeferUpdate:
        interaction.originalMessage = componentMessage();
        break;
      case Callback.Update:
        interaction.originalMessage = editMessage(ctx, componentMessage(), data, c.files);
        break;
      case Callback.Autocomplete: {
        const errors = validateAutocomplete(body.data);
        if (errors.length > 0) throw invalidFormBody(errors);
        break;
      }
      case Callback.Modal: {
        const errors = validateModal(body.data);
        if (errors.length > 0) throw invalidFormBody(errors);
        break;
      }
    }
    if (c.query.get('with_response') !== 'true') return { status: 204 };
    const message = interaction.original();
    return {
      status: 200,
      body: {
        interaction: {
          id: interaction.id,
          type: interaction.payload.type,
          response_message_id: message?.id,
          response_message_loading: message?.loading ?? false,
          response_message_ephemeral: message?.ephemeral ?? false,
        },
        resource: { type, ...(message && (type === Callback.Reply || type === Callback.Update) ? { message: apiMessage(state, message) } : {}) },
      },
    };
  }

  function byToken(c: RouteContext): TwinInteraction {
    const [applicationId, token] = c.params;
    if (applicationId !== state.ids.applicationId) throw new ApiError(404, 10015, 'Unknown Webhook', 'unknown_webhook');
    const interaction = state.interactions.find((i) => i.token === token);
    if (!interaction) throw new ApiError(401, 50027, 'Invalid Webhook Token', 'invalid_webhook_token');
    const age = c.at - (interaction.deliveredAt ?? interaction.createdAt);
    if (age > state.options.tokenLifetimeMs) {
      const error = new ApiError(401, 50027, 'Invalid Webhook Token', 'webhook_token_expired', [
        `interaction token used ${age} ms after the interaction (lifetime ${state.options.tokenLifetimeMs} ms)`,
      ]);
      error.interactionId = interaction.id;
      throw error;
    }
    return interaction;
  }

  function requireAcknowledged(interaction: TwinInteraction): void {
    if (!interaction.acknowledgement) {
      throw new ApiError(404, 10015, 'Unknown Webhook', 'interaction_not_acknowledged', [
        'webhook used before the interaction was acknowledged (reply/defer first)',
      ]);
    }
  }

  function webhookMessage(interaction: TwinInteraction, messageId: string | undefined): TwinMessage {
    requireAcknowledged(interaction);
    const original = interaction.original();
    if (messageId === '@original' || (original && messageId === original.id)) {
      if (!original) throw unknownMessage();
      return original;
    }
    const followup = interaction.followups.find((m) => m.id === messageId && !m.deleted);
    if (!followup) throw unknownMessage();
    return followup;
  }

  const withMessage = (c: RouteContext, run: (interaction: TwinInteraction, message: TwinMessage) => RouteResult) => {
    const interaction = byToken(c);
    return tagged(interaction, () => run(interaction, webhookMessage(interaction, c.params[2])));
  };

  return [
    route('POST', '/interactions/:id/:token/callback', false, callback),
    route('GET', '/webhooks/:application/:token/messages/:message', false, (c) =>
      withMessage(c, (_i, message) => ({ status: 200, body: apiMessage(state, message) }))),
    route('PATCH', '/webhooks/:application/:token/messages/:message', false, (c) =>
      withMessage(c, (_i, message) => ({ status: 200, body: apiMessage(state, editMessage(ctx, message, asBody(c.body), c.files)) }))),
    route('DELETE', '/webhooks/:application/:token/messages/:message', false, (c) =>
      withMessage(c, (_i, message) => {
        deleteMessage(ctx, message);
        return { status: 204 };
      })),
    route('POST', '/webhooks/:application/:token', false, (c) => {
      const interaction = byToken(c);
      return tagged(interaction, () => {
        requireAcknowledged(interaction);
        const message = createMessage(ctx, {
          body: asBody(c.body), files: c.files, source: 'followup', channelId: interaction.channelId,
          authorId: state.ids.botUserId, flagsMask: INTERACTION_FLAGS, interactionId: interaction.id,
        });
        interaction.followups.push(message);
        state.changes.notify();
        return c.query.get('wait') === 'true' ? { status: 200, body: apiMessage(state, message) } : { status: 204 };
      });
    }),
  ];
}


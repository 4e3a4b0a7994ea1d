// Wire shapes (Discord API v10 JSON) built from twin state. Fields discord.js reads without a
// fallback must be present; everything else is filled with Discord's neutral defaults.

import type { TwinState } from './state.js';
import type { JsonObject, TwinChannel, TwinMember, TwinMessage, TwinRole, TwinThreadState, TwinUser } from './types.js';

export function apiUser(user: TwinUser): JsonObject {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    bot: user.bot,
    system: false,
    public_flags: 0,
    flags: 0,
  };
}

/** `withUser: false` for MESSAGE_CREATE's `member`, which Discord sends without the user. */
export function apiMember(member: TwinMember, extra: { withUser?: boolean; permissions?: bigint } = {}): JsonObject {
  const data: JsonObject = {
    nick: null,
    avatar: null,
    roles: [...member.roles],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    communication_disabled_until: null,
  };
  if (extra.withUser !== false) data.user = apiUser(member.user);
  if (extra.permissions !== undefined) data.permissions = extra.permissions.toString();
  return data;
}

export function apiRole(role: TwinRole): JsonObject {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions,
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0,
  };
}

export function apiChannel(state: TwinState, channel: TwinChannel): JsonObject {
  if (channel.thread) return apiThread(state, channel, channel.thread);
  return {
    id: channel.id,
    type: channel.type,
    guild_id: state.ids.guildId,
    name: channel.name,
    position: 0,
    permission_overwrites: [],
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
    flags: 0,
    // A forum's post settings (discord.js' ThreadOnlyChannel reads them).
    ...(channel.type === 15
      ? { available_tags: [], default_reaction_emoji: null, default_sort_order: null, default_forum_layout: 0, default_thread_rate_limit_per_user: 0, default_auto_archive_duration: 4320 }
      : {}),
  };
}

/** A public thread (type 11): its parent, owner, counts and `thread_metadata`. */
function apiThread(state: TwinState, channel: TwinChannel, thread: TwinThreadState): JsonObject {
  return {
    id: channel.id,
    type: channel.type,
    guild_id: state.ids.guildId,
    name: channel.name,
    parent_id: channel.parentId,
    owner_id: thread.ownerId,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    message_count: thread.messageCount,
    total_message_sent: thread.messageCount,
    member_count: 1,
    applied_tags: [],
    thread_metadata: {
      archived: thread.archived,
      auto_archive_duration: thread.autoArchiveDuration,
      archive_timestamp: iso(thread.archivedAt),
      locked: thread.locked,
      create_timestamp: iso(thread.createdAt),
    },
  };
}

/** REST `GET /guilds/{id}`. */
export function apiGuild(state: TwinState): JsonObject {
  return {
    id: state.ids.guildId,
    name: state.guildName,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: state.ids.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: [...state.roles.values()].map(apiRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: state.options.guildLocale,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    max_members: 500_000,
  };
}

/** Gateway GUILD_CREATE: the REST guild plus the state a connecting client needs. */
export function apiGuildCreate(state: TwinState): JsonObject {
  return {
    ...apiGuild(state),
    joined_at: new Date(state.createdAt).toISOString(),
    large: false,
    unavailable: false,
    member_count: state.members.size,
    voice_states: [],
    members: [...state.members.values()].map((m) => apiMember(m)),
    channels: [...state.channels.values()].filter((c) => !c.thread).map((c) => {
      const { guild_id: _omit, ...channel } = apiChannel(state, c);
      return channel;
    }),
    // Like Discord: the active threads the bot can see.
    threads: [...state.channels.values()].filter((c) => c.thread && !c.thread.archived).map((c) => apiChannel(state, c)),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function apiReady(state: TwinState, sessionId: string, resumeGatewayUrl: string): JsonObject {
  const bot = state.users.get(state.ids.botUserId);
  return {
    v: 10,
    user: { ...(bot ? apiUser(bot) : {}), verified: true, mfa_enabled: false, email: null },
    guilds: [{ id: state.ids.guildId, unavailable: true }],
    session_id: sessionId,
    resume_gateway_url: resumeGatewayUrl,
    application: { id: state.ids.applicationId, flags: 0 },
    shard: [0, 1],
    user_settings: {},
    relationships: [],
    private_channels: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    _trace: ['discord-twin'],
  };
}

export function apiApplication(state: TwinState): JsonObject {
  const owner = state.users.get(state.ids.ownerId);
  const bot = state.users.get(state.ids.botUserId);
  return {
    id: state.ids.applicationId,
    name: bot?.username ?? 'Quelle',
    icon: null,
    description: '',
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    owner: owner ? apiUser(owner) : null,
    team: null,
    ...(bot ? { bot: apiUser(bot) } : {}),
    approximate_guild_count: 1,
    integration_types_config: { '0': {} },
  };
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

const MESSAGE_TYPE = { default: 0, reply: 19, chatInputCommand: 20 } as const;

export function apiMessage(state: TwinState, message: TwinMessage, depth = 0): JsonObject {
  const author = state.users.get(message.authorId);
  const data: JsonObject = {
    id: message.id,
    channel_id: message.channelId,
    guild_id: message.guildId,
    type:
      message.source === 'interaction'
        ? MESSAGE_TYPE.chatInputCommand
        : message.referencedMessageId
          ? MESSAGE_TYPE.reply
          : MESSAGE_TYPE.default,
    content: message.content,
    author: author ? apiUser(author) : { id: message.authorId, username: 'unknown', discriminator: '0', global_name: null, avatar: null },
    timestamp: iso(message.createdAt),
    edited_timestamp: message.editedAt === null ? null : iso(message.editedAt),
    tts: false,
    mention_everyone: message.pings.everyone,
    mentions: message.pings.users.flatMap((id) => {
      const user = state.users.get(id);
      return user ? [apiUser(user)] : [];
    }),
    mention_roles: [...message.pings.roles],
    attachments: message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.size,
      url: `https://cdn.discordapp.com/attachments/${message.channelId}/${a.id}/${a.filename}`,
      proxy_url: `https://media.discordapp.net/attachments/${message.channelId}/${a.id}/${a.filename}`,
      content_type: a.contentType,
    })),
    embeds: message.embeds,
    components: message.components,
    pinned: false,
    flags: message.flags,
  };
  if (message.reactions.length > 0) {
    data.reactions = message.reactions.map((name) => ({ count: 1, me: true, emoji: { id: null, name } }));
  }
  if (message.interactionId) {
    const interaction = state.interactions.find((i) => i.id === message.interactionId);
    const invoker = interaction ? state.users.get(interaction.userId) : undefined;
    data.webhook_id = state.ids.applicationId;
    data.application_id = state.ids.applicationId;
    if (invoker && interaction) {
      data.interaction_metadata = {
        id: interaction.id,
        type: interaction.payload.type,
        user: apiUser(invoker),
        authorizing_integration_owners: { '0': state.ids.guildId },
        ...(message.source === 'followup' && interaction.original() ? { original_response_message_id: interaction.original()?.id } : {}),
      };
    }
  }
  if (message.referencedMessageId) {
    const referenced = state.message(message.referencedMessageId);
    data.message_reference = { type: 0, message_id: message.referencedMessageId, channel_id: message.channelId, guild_id: message.guildId };
    data.referenced_message = referenced && depth === 0 ? apiMessage(state, referenced, 1) : null;
  }
  return data;
}

/** MESSAGE_CREATE/UPDATE dispatch: the message plus the author's partial member, like Discord. */
export function gatewayMessage(state: TwinState, message: TwinMessage): JsonObject {
  const member = state.members.get(message.authorId);
  return { ...apiMessage(state, message), ...(member ? { member: apiMember(member, { withUser: false }) } : {}) };
}

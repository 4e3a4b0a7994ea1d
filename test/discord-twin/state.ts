// The twin's world: one guild with a text channel (and any channels, forums and threads added), its roles and members, stored messages,
// registered commands, interactions and the records tests assert on. Routes and the gateway read
// and mutate it; every mutation must end with `changes.notify()` so waiters re-check.

import { randomBytes } from 'node:crypto';
import type { TwinInteraction } from './interactions.js';
import { snowflake } from './snowflake.js';
import type {
  AddChannelOptions,
  AddMemberOptions,
  AddRoleOptions,
  ApiCommand,
  FailRule,
  RecordedRequest,
  Snowflake,
  TwinChannel,
  TwinIds,
  TwinMember,
  TwinMessage,
  TwinOptions,
  TwinRole,
  TwinUser,
  Violation,
} from './types.js';
import { Changes } from './waiting.js';

export const Permission = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Owner and Administrator get every bit; unknown high bits are harmless to discord.js. */
export const ALL_PERMISSIONS = (1n << 52n) - 1n;

const P = Permission;
const DEFAULT_EVERYONE =
  P.CreateInstantInvite | P.AddReactions | P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles |
  P.ReadMessageHistory | P.UseExternalEmojis | P.ChangeNickname | P.UseApplicationCommands | P.SendMessagesInThreads;
// What Quelle's invite link asks for (README), plus attaching files and reactions.
const DEFAULT_BOT_ROLE =
  P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles | P.ReadMessageHistory | P.AddReactions | P.CreatePublicThreads | P.SendMessagesInThreads;

export const Intent = { Guilds: 1 << 0, GuildMembers: 1 << 1, GuildMessages: 1 << 9, MessageContent: 1 << 15 } as const;

export interface ResolvedOptions {
  token: string;
  guildLocale: string;
  interactionDeadlineMs: number;
  tokenLifetimeMs: number;
  heartbeatIntervalMs: number;
  botPermissions: bigint | undefined;
}

interface ActiveFault {
  rule: FailRule;
  remaining: number;
}

export class TwinState {
  readonly options: ResolvedOptions;
  readonly ids: TwinIds;
  readonly changes = new Changes();
  readonly guildName = 'Quelle Test Guild';
  readonly createdAt = Date.now();
  readonly users = new Map<Snowflake, TwinUser>();
  readonly members = new Map<Snowflake, TwinMember>();
  readonly roles = new Map<Snowflake, TwinRole>();
  readonly channels = new Map<Snowflake, TwinChannel>();
  /** All messages of all channels, in creation order. */
  readonly messages: TwinMessage[] = [];
  readonly globalCommands: ApiCommand[] = [];
  readonly guildCommands = new Map<Snowflake, ApiCommand[]>();
  readonly interactions: TwinInteraction[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  readonly faults: ActiveFault[] = [];

  constructor(options: TwinOptions) {
    this.options = {
      // Shaped like a real token (three dot-separated base64 parts) in case anything parses it.
      token: options.token ?? `${Buffer.from(options.botUserId ?? 'twin').toString('base64url')}.twin.${randomBytes(16).toString('base64url')}`,
      guildLocale: options.guildLocale ?? 'en-US',
      interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
      tokenLifetimeMs: options.tokenLifetimeMs ?? 15 * 60 * 1000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      botPermissions: options.botPermissions === undefined ? undefined : BigInt(options.botPermissions),
    };
    const botUserId = options.botUserId ?? snowflake();
    this.ids = {
      applicationId: options.applicationId ?? botUserId,
      guildId: options.guildId ?? snowflake(),
      channelId: options.channelId ?? snowflake(),
      botUserId,
      ownerId: snowflake(),
      userId: snowflake(),
    };
    // The @everyone role has the guild's id (discord.js relies on that for permission math).
    this.roles.set(this.ids.guildId, {
      id: this.ids.guildId, name: '@everyone', permissions: DEFAULT_EVERYONE.toString(), mentionable: false, position: 0, managed: false,
    });
    const botRole = this.addRole({ name: options.botUsername ?? 'Quelle', permissions: DEFAULT_BOT_ROLE });
    botRole.managed = true;
    this.channels.set(this.ids.channelId, { id: this.ids.channelId, name: 'general', type: 0, parentId: null });
    for (const channel of options.channels ?? []) this.addChannel(channel);
    this.addMember({ id: botUserId, username: options.botUsername ?? 'Quelle', roles: [botRole.id] }, true);
    this.addMember({ id: this.ids.ownerId, username: 'owner' });
    this.addMember({ id: this.ids.userId, username: 'user' });
  }

  addRole(options: AddRoleOptions): TwinRole {
    const role: TwinRole = {
      id: options.id ?? snowflake(),
      name: options.name,
      permissions: BigInt(options.permissions ?? 0n).toString(),
      mentionable: options.mentionable ?? false,
      position: this.roles.size,
      managed: false,
    };
    this.roles.set(role.id, role);
    this.changes.notify();
    return role;
  }

  /** A text or forum channel of the guild (threads are made in ./threads.ts). */
  addChannel(options: AddChannelOptions): TwinChannel {
    const channel: TwinChannel = { id: options.id ?? snowflake(), name: options.name, type: options.type ?? 0, parentId: null };
    if (this.channels.has(channel.id)) throw new Error(`discord twin: addChannel: there is a channel ${channel.id} already`);
    this.channels.set(channel.id, channel);
    this.changes.notify();
    return channel;
  }

  addMember(options: AddMemberOptions, bot = false): TwinMember {
    const id = options.id ?? snowflake();
    const username = options.username ?? `member${this.members.size}`;
    const roles = [...(options.roles ?? [])];
    for (const roleId of roles) {
      if (!this.roles.has(roleId)) throw new Error(`discord twin: addMember: unknown role ${roleId}`);
    }
    if (options.permissions !== undefined) {
      roles.push(this.addRole({ name: `${username}-permissions`, permissions: options.permissions }).id);
    }
    const user: TwinUser = { id, username, globalName: bot ? null : username, bot };
    const member: TwinMember = { user, roles, joinedAt: new Date().toISOString() };
    this.users.set(id, user);
    this.members.set(id, member);
    this.changes.notify();
    return member;
  }

  /** Guild-level permissions; channels have no overwrites, so these are channel permissions too. */
  permissionsOf(userId: Snowflake): bigint {
    if (userId === this.ids.ownerId) return ALL_PERMISSIONS;
    if (userId === this.ids.botUserId && this.options.botPermissions !== undefined) return this.options.botPermissions;
    const member = this.members.get(userId);
    let bits = BigInt(this.roles.get(this.ids.guildId)?.permissions ?? '0');
    for (const roleId of member?.roles ?? []) bits |= BigInt(this.roles.get(roleId)?.permissions ?? '0');
    return (bits & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : bits;
  }

  message(id: Snowflake): TwinMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  violate(violation: Violation): void {
    this.violations.push(violation);
    this.changes.notify();
  }

  /** Consumes the first fail rule matching the request, if any. */
  takeFault(method: string, path: string): FailRule | undefined {
    const index = this.faults.findIndex(({ rule }) => {
      rule.pathPattern.lastIndex = 0; // a /g regex would otherwise keep state between tests
      return (rule.method === undefined || rule.method.toUpperCase() === method) && rule.pathPattern.test(path);
    });
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (--fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.rule;
  }
}

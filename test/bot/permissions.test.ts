import { PermissionFlagsBits, PermissionsBitField, type ChatInputCommandInteraction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { isModerator } from '../../src/bot/permissions.ts';

const MOD_ROLE = '223456789012345678';
const OTHER_ROLE = '323456789012345678';

interface FakeOptions {
  inGuild?: boolean;
  permissions?: bigint | null;
  /** An API member (raw `roles` array) or a cached GuildMember (`roles.cache`). */
  roles?: { kind: 'api'; ids: string[] } | { kind: 'cached'; ids: string[] };
}

/** The least of an interaction that isModerator reads. */
function fakeInteraction({ inGuild = true, permissions = 0n, roles = { kind: 'api', ids: [] } }: FakeOptions): ChatInputCommandInteraction {
  const member = roles.kind === 'api' ? { roles: roles.ids } : { roles: { cache: new Map(roles.ids.map((id) => [id, { id }])) } };
  return {
    inGuild: () => inGuild,
    memberPermissions: permissions === null ? null : new PermissionsBitField(permissions),
    member: inGuild ? member : null,
  } as unknown as ChatInputCommandInteraction;
}

describe('isModerator', () => {
  it('lets members with Manage Server moderate, and administrators too', () => {
    expect(isModerator(fakeInteraction({ permissions: PermissionFlagsBits.ManageGuild }), [])).toBe(true);
    expect(isModerator(fakeInteraction({ permissions: PermissionFlagsBits.Administrator }), [])).toBe(true);
  });

  it('lets members with a moderator role moderate, whether the member came from the API or the cache', () => {
    expect(isModerator(fakeInteraction({ roles: { kind: 'api', ids: [OTHER_ROLE, MOD_ROLE] } }), [MOD_ROLE])).toBe(true);
    expect(isModerator(fakeInteraction({ roles: { kind: 'cached', ids: [MOD_ROLE] } }), [OTHER_ROLE, MOD_ROLE])).toBe(true);
  });

  it('refuses members with neither Manage Server nor a moderator role', () => {
    const permissions = PermissionFlagsBits.SendMessages | PermissionFlagsBits.ManageMessages | PermissionFlagsBits.ManageChannels;
    expect(isModerator(fakeInteraction({ permissions, roles: { kind: 'api', ids: [OTHER_ROLE] } }), [MOD_ROLE])).toBe(false);
    expect(isModerator(fakeInteraction({ permissions, roles: { kind: 'cached', ids: [OTHER_ROLE] } }), [MOD_ROLE])).toBe(false);
    expect(isModerator(fakeInteraction({ roles: { kind: 'cached', ids: [] } }), [])).toBe(false);
    expect(isModerator(fakeInteraction({ permissions: null, roles: { kind: 'api', ids: [OTHER_ROLE] } }), [])).toBe(false);
  });

  it('refuses anyone outside a guild, whatever the interaction claims', () => {
    expect(isModerator(fakeInteraction({ inGuild: false, permissions: PermissionFlagsBits.ManageGuild }), [MOD_ROLE])).toBe(false);
    expect(isModerator(fakeInteraction({ inGuild: false, roles: { kind: 'api', ids: [MOD_ROLE] } }), [MOD_ROLE])).toBe(false);
  });
});

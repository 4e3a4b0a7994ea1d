import { PermissionFlagsBits, type BaseInteraction } from 'discord.js';

/**
 * Whether the member who sent an interaction may moderate Quelle: Manage Server, or one of the
 * configured moderator roles. Checked on every run, because `default_member_permissions` only
 * hides the command in clients; a crafted interaction bypasses it.
 */
export function isModerator(interaction: BaseInteraction, moderatorRoleIds: readonly string[]): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const roles = interaction.member.roles;
  const roleIds: readonly string[] = Array.isArray(roles) ? roles : [...roles.cache.keys()];
  return roleIds.some((id) => moderatorRoleIds.includes(id));
}

// Would a message notify anyone? Mirrors Discord's allowed_mentions rules so tests can assert that
// the bot never pings (e.g. an article excerpt containing "@everyone").
//
// Deliberately conservative in two ways (a false "pings" is better than a missed one):
// - the bot is assumed to hold MENTION_EVERYONE and all roles are treated as mentionable;
// - text in embeds is scanned too, although Discord only notifies for mentions in `content`.
// Ephemeral messages never notify anyone, so they are reported as not pinging.

import type { AllowedMentions, ApiEmbed, Pings, Snowflake } from './types.js';
import { isObject } from './limits.js';

const EVERYONE = /@(everyone|here)\b/;
const USER = /<@!?(\d{1,20})>/g;
const ROLE = /<@&(\d{1,20})>/g;

function embedText(embeds: ApiEmbed[]): string {
  const parts: string[] = [];
  for (const embed of embeds) {
    parts.push(embed.title ?? '', embed.description ?? '', embed.footer?.text ?? '', embed.author?.name ?? '');
    for (const field of embed.fields ?? []) parts.push(field.name, field.value);
  }
  return parts.join('\n');
}

/** Normalises whatever the bot sent as allowed_mentions (undefined when absent or null). */
export function readAllowedMentions(value: unknown): AllowedMentions | undefined {
  if (!isObject(value)) return undefined;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const result: AllowedMentions = {};
  const parse = strings(value.parse);
  const users = strings(value.users);
  const roles = strings(value.roles);
  if (parse) result.parse = parse;
  if (users) result.users = users;
  if (roles) result.roles = roles;
  if (typeof value.replied_user === 'boolean') result.replied_user = value.replied_user;
  return result;
}

export interface PingInput {
  content: string;
  embeds: ApiEmbed[];
  allowedMentions: AllowedMentions | undefined;
  /** Author of the message this one replies to (undefined when not a reply). */
  repliedUserId?: Snowflake | undefined;
  authorId: Snowflake;
  ephemeral: boolean;
}

export function computePings(input: PingInput): { pings: Pings; wouldPing: boolean } {
  const text = `${input.content}\n${embedText(input.embeds)}`;
  const foundUsers = [...new Set([...text.matchAll(USER)].map((m) => m[1] ?? ''))].filter((id) => id !== input.authorId);
  const foundRoles = [...new Set([...text.matchAll(ROLE)].map((m) => m[1] ?? ''))];
  const am = input.allowedMentions;
  // Without allowed_mentions Discord parses everything and pings the replied-to author.
  const parse = am ? (am.parse ?? []) : ['users', 'roles', 'everyone'];
  const pings: Pings = {
    everyone: parse.includes('everyone') && EVERYONE.test(text),
    users: parse.includes('users') ? foundUsers : foundUsers.filter((id) => am?.users?.includes(id)),
    roles: parse.includes('roles') ? foundRoles : foundRoles.filter((id) => am?.roles?.includes(id)),
    repliedUser:
      input.repliedUserId !== undefined && input.repliedUserId !== input.authorId && (am ? am.replied_user === true : true),
  };
  const any = pings.everyone || pings.users.length > 0 || pings.roles.length > 0 || pings.repliedUser;
  return { pings, wouldPing: !input.ephemeral && any };
}

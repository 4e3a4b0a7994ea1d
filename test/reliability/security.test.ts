/**
 * Security (issue #6), in process against the Discord twin:
 * - /reindex is refused to members without Manage Server or a configured moderator role, also
 *   when the interaction arrives directly (no client hides the command) and with other
 *   moderation permissions or unconfigured roles; it starts no rebuild;
 * - quoted or echoed `@everyone`, `@here`, user (`<@id>`, `<@!id>`) and role mentions never
 *   ping: in questions via /ask and via mention messages, and in article text quoted in answers;
 * - questions with Markdown and invisible characters (120 generated ones) never break an embed:
 *   no limit is exceeded, no invisible character survives, and every Markdown marker of the
 *   question is escaped.
 * The token scan of a real `npm start` process is token-leak.test.ts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinMessage } from '../discord-twin/twin.js';
import { loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { ask, botMessages, isAnswer, prng, shownText, startHarness, undisposable, type Harness } from './helpers.ts';

const MOD_ROLE = '223456789012345678';
const PINGED_USER = '323456789012345678';
const PINGED_ROLE = '423456789012345678';
const ARTICLE_QUESTION = 'Kanalsanierung Gemeinderatssitzung Klagenfurt Wörthersee';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ embedder: undisposable(await loadFixtureEmbedder()), env: { MODERATOR_ROLE_IDS: MOD_ROLE }, buildIndex: false });
  // An article that itself contains mentions, to be quoted in answers.
  await writeFile(
    path.join(h.seedsDir, 'mentions.txt'),
    `05. September, 2025\n\nLokal\n\nKanalsanierung in Klagenfurt\n\n` +
      `Bei der Gemeinderatssitzung in Klagenfurt zur Kanalsanierung am Wörthersee schrieb jemand @everyone und @here in den Chat, ` +
      `dazu <@${PINGED_USER}>, <@!${PINGED_USER}> und <@&${PINGED_ROLE}>.\n\nDie Kanalsanierung am Wörthersee beginnt im Herbst.\n`,
  );
  const owner = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
  await owner.waitForEdit((message) => message.embeds.length > 0, 30_000);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

describe('/reindex permissions, checked on every interaction', () => {
  it.each([
    ['no permissions at all', { permissions: 0n }],
    ['Manage Messages, Kick and Ban but not Manage Server', { permissions: PermissionFlagsBits.ManageMessages | PermissionFlagsBits.KickMembers | PermissionFlagsBits.BanMembers }],
    ['Manage Channels and Manage Roles', { permissions: PermissionFlagsBits.ManageChannels | PermissionFlagsBits.ManageRoles }],
  ] as const)('refused: %s', async (_name, { permissions }) => {
    const member = h.twin.addMember({ username: `m${permissions}`, permissions });
    const before = h.bot.service.lastReindexRecord;
    // Sent directly, as a crafted client would: default_member_permissions hides nothing here.
    const handle = await h.twin.sendCommand({ name: 'reindex', user: member.id, permissions: permissions.toString() });
    await handle.waitForCallback();
    expect(handle.original()!.ephemeral).toBe(true);
    expect(handle.original()!.content).toBe('Only moderators (Manage Server or a moderator role) may rebuild the index.');
    expect(h.bot.service.reindexRunning).toBe(false);
    expect(h.bot.service.lastReindexRecord).toBe(before);
  });

  it('refused: a role named "Moderator" that is not configured', async () => {
    const role = h.twin.addRole({ name: 'Moderator', permissions: PermissionFlagsBits.ModerateMembers });
    const member = h.twin.addMember({ username: 'fake-mod', roles: [role.id] });
    const handle = await h.twin.sendCommand({ name: 'reindex', user: member.id });
    await handle.waitForCallback();
    expect(handle.original()!.content).toMatch(/^Only moderators/);
    expect(h.bot.service.reindexRunning).toBe(false);
  });

  it('allowed: Manage Server, and the configured moderator role', async () => {
    h.twin.addRole({ id: MOD_ROLE, name: 'Quelle-Mods', permissions: 0n });
    const byRole = h.twin.addMember({ username: 'role-mod', roles: [MOD_ROLE] });
    const byPermission = h.twin.addMember({ username: 'manager', permissions: PermissionFlagsBits.ManageGuild });
    for (const member of [byRole, byPermission]) {
      const handle = await h.twin.sendCommand({ name: 'reindex', user: member.id });
      const summary = await handle.waitForEdit((message) => message.embeds.length > 0, 30_000);
      expect(summary.embeds[0]!.title).toBe('Index rebuilt');
    }
    expect(h.twin.violations).toEqual([]);
  });
});

/** Mentions a bot message could trigger if mentions were parsed: none may be visible unescaped. */
function rawMentions(message: TwinMessage): string[] {
  return [...shownText(message).matchAll(/@(everyone|here)\b|<@[!&]?\d+>/g)].map((match) => match[0]);
}

describe('mentions never ping', () => {
  const MENTIONS = `@everyone @here <@${PINGED_USER}> <@!${PINGED_USER}> <@&${PINGED_ROLE}>`;

  it('in a question via /ask, echoed in the answer title', async () => {
    const final = await (await ask(h.twin, `${MENTIONS} ${ARTICLE_QUESTION}`)).waitForFinal(10_000);
    expect(isAnswer(final)).toBe(true);
    expect(final.wouldPing).toBe(false);
    expect(final.pings).toEqual({ everyone: false, users: [], roles: [], repliedUser: false });
    expect(final.allowedMentions).toMatchObject({ parse: [] });
    expect(rawMentions(final)).toEqual([]);
  });

  it('in a mention message, echoed in the reply, which does not ping its author either', async () => {
    const botId = h.twin.ids.botUserId;
    const sent = await h.twin.sendMessage({ content: `<@!${botId}> ${MENTIONS} ${ARTICLE_QUESTION}`, mentions: [botId] });
    const reply = await sent.waitForReply(undefined, 10_000);
    expect(isAnswer(reply)).toBe(true);
    expect(reply.referencedMessageId).toBe(sent.message.id);
    expect(reply.wouldPing).toBe(false);
    expect(reply.pings.repliedUser).toBe(false);
    expect(rawMentions(reply)).toEqual([]);
  });

  it('in article text quoted in an answer', async () => {
    const final = await (await ask(h.twin, ARTICLE_QUESTION, { results: 5 })).waitForFinal(10_000);
    const quoted = (final.embeds[0]!.fields ?? []).find((field) => field.name.includes('Kanalsanierung in Klagenfurt'));
    expect(quoted, 'the article with mentions is cited').toBeDefined();
    expect(quoted!.value).toContain('@\u2024everyone');
    expect(final.wouldPing).toBe(false);
    expect(rawMentions(final)).toEqual([]);
  });

  it('in refusals and hints (too short, empty mention)', async () => {
    const short = await ask(h.twin, '@here');
    await short.waitForCallback();
    const botId = h.twin.ids.botUserId;
    const sent = await h.twin.sendMessage({ content: `<@${botId}> <@&${PINGED_ROLE}>`, mentions: [botId] });
    const hint = await sent.waitForReply(undefined, 10_000);
    for (const message of [short.original()!, hint]) {
      expect(message.wouldPing).toBe(false);
      expect(rawMentions(message)).toEqual([]);
    }
  });
});

// Invisible and control characters safe-text.ts removes (a test-side list, not the implementation's).
// eslint-disable-next-line no-control-regex -- control characters are the point
const INVISIBLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
const MARKDOWN = new Set(['*', '_', '~', '|', '`']);

/** Positions of Markdown markers not escaped by a backslash. */
function unescapedMarkers(text: string): number[] {
  const found: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!MARKDOWN.has(text[i]!)) continue;
    let slashes = 0;
    for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 0) found.push(i);
  }
  return found;
}

function generatedQuestion(random: () => number): string {
  const pieces = [
    '**', '__', '*', '_', '~~', '||', '`', '```', '> ', '# ', '- ', '1. ', '[link](https://example.com)', '<https://x.y>', '\\', '\\*',
    '\u200b', '\u202e', '\u2066', '\ufeff', '\u00ad', '\u0007', '\u001b[31m', 'e\u0301\u0302\u0303', '😀', '🇦🇹', ' ', '  ', '\t',
    'Koalition', 'Willigen', 'Haushalt', 'Wien', 'Was', 'ist', '?', 'Ärger', 'ß', ':emoji:', '<t:0:R>', '<#123456789012345678>',
  ];
  const length = 3 + Math.floor(random() * (random() < 0.2 ? 200 : 25));
  return Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join('').slice(0, 300);
}

describe('Markdown and invisible characters cannot break the embed', () => {
  it('120 generated questions (/ask and mentions): within limits, no invisible characters, every marker escaped', { timeout: 60_000 }, async () => {
    const random = prng(7);
    const botId = h.twin.ids.botUserId;
    let answered = 0;
    let refused = 0;
    for (let i = 0; i < 120; i++) {
      const question = generatedQuestion(random);
      let message: TwinMessage;
      if (i % 4 === 3) {
        const sent = await h.twin.sendMessage({ content: `<@${botId}> ${question}`, mentions: [botId] });
        message = await sent.waitForReply(undefined, 10_000);
      } else {
        const handle = await ask(h.twin, question);
        const callback = await handle.waitForCallback();
        message = callback.type === 4 ? handle.original()! : await handle.waitForFinal(10_000);
      }
      expect(message.wouldPing).toBe(false);
      if (!isAnswer(message)) {
        // Too short or too long after cleaning: a fixed refusal that echoes nothing.
        expect(message.content, JSON.stringify(question)).toMatch(/too short|too long|mention/i);
        refused++;
        continue;
      }
      answered++;
      const title = message.embeds[0]!.title!;
      expect(title, JSON.stringify(question)).not.toMatch(INVISIBLE);
      const echoed = title.replace(/^(Question|Frage): /, '');
      // No exemption for underscores in links: the generated links have none, and markers right
      // after a link (`<https://x.y>__`, `[link](https://example.com)__`) must be escaped too.
      expect(unescapedMarkers(echoed), `${JSON.stringify(question)} → ${JSON.stringify(title)}`).toEqual([]);
      expect(title.length).toBeLessThanOrEqual(256);
      for (const field of message.embeds[0]!.fields ?? []) expect(field.value).not.toMatch(INVISIBLE);
    }
    console.log(`markdown fuzz: 120 questions, ${answered} answered, ${refused} refused; violations ${h.twin.violations.length}`);
    expect(answered).toBeGreaterThan(60);
    expect(h.twin.violations).toEqual([]);
    expect(botMessages(h.twin).filter((message) => message.wouldPing)).toEqual([]);
  });

  // Markers right after a link, which discord.js's escapeMarkdown can take for part of the link.
  it.each([
    ['underline after an angle-bracket URL', '<https://example.com>__unterstrichen__ Koalition'],
    ['italics after an angle-bracket URL', '<https://example.com>_kursiv_ Koalition'],
    ['underline after a bare URL ended by "<"', 'https://example.com<b>__unterstrichen__ Koalition'],
    ['underline after a masked link', '[Koalition](https://example.com)__unterstrichen__ Willigen'],
  ])('escapes %s', async (_label, question) => {
    const final = await (await ask(h.twin, question)).waitForFinal(10_000);
    expect(isAnswer(final)).toBe(true);
    expect(unescapedMarkers(final.embeds[0]!.title!.replace(/^Question: /, ''))).toEqual([]);
  });
});

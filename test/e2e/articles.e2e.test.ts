// Articles managed from Discord (issue #13), end to end: the real bot and discord.js client
// against the twin. A moderator adds articles by attachment and by the form, replaces and
// removes them; a member's /ask cites (or no longer cites) each within 10 s of the reply.
// Members without permission and hostile attachments are refused, and nothing changes. The seeds
// watcher is on, as by default: it sees the bot's own writes too, and they cost no extra index.

import { readdir } from 'node:fs/promises';
import { ApplicationCommandOptionType, PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiCommand, InteractionHandle, TwinMessage } from '../discord-twin/twin.js';
import { renderedLinks, unescaped } from '../helpers/discord-links.ts';
import { ask, shownText, startHarness, type Harness } from './bot-harness.ts';

const AUDIT_CHANNEL = '987654321098765432';
const REPLY = 4;
const DEFER = 5;
const MODAL = 9;
const AUTOCOMPLETE = 8;
const { Subcommand, Attachment, String: Text } = ApplicationCommandOptionType;

const HAFEN_ARTICLE = `---
title: Hafenfest in Lindau mit Rekordbesuch
date: 2025-09-06
category: Lokal
url: https://www.example-zeitung.de/lokal/hafenfest-lindau?id=42
---

Das Hafenfest in Lindau hat am Wochenende mehr als 80.000 Besucher angezogen, so viele wie nie zuvor.

Die Veranstalter lobten die Seebühne und das Feuerwerk über dem Bodensee.
`;

let h: Harness;
let moderator: { id: string };
let member: { id: string };

beforeAll(async () => {
  h = await startHarness({ twin: { channelId: AUDIT_CHANNEL }, env: { QUELLE_AUDIT_CHANNEL_ID: AUDIT_CHANNEL, QUELLE_WATCH: 'true' } });
  moderator = h.twin.addMember({ username: 'mod', permissions: PermissionFlagsBits.ManageGuild });
  member = h.twin.addMember({ username: 'leserin' });
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

function articleCommand(subcommand: string, options: { name: string; type: number; value?: string; focused?: boolean }[], user: string, locale = 'en-US') {
  return h.twin.sendCommand({ name: 'article', user, locale, options: [{ name: subcommand, type: Subcommand, options }] });
}

async function addFile(filename: string, content: string | Uint8Array, user = moderator.id, locale = 'en-US'): Promise<TwinMessage> {
  const id = h.twin.uploadAttachment({ filename, content });
  const handle = await articleCommand('add', [{ name: 'file', type: Attachment, value: id }], user, locale);
  return handle.waitForEdit(() => true, 30_000);
}

/** The id a change reply names ("Added article `…`"). */
function articleIdOf(reply: TwinMessage): string {
  const id = /`([a-z0-9-]+)`/.exec(reply.content)?.[1];
  if (!id) throw new Error(`no article id in ${reply.content}`);
  return id;
}

/** Asks as a member until an answer satisfies `check` or 10 s pass; returns the time it took. */
async function citedWithin10s(question: string, check: (answer: TwinMessage) => boolean): Promise<TwinMessage> {
  const started = Date.now();
  for (;;) {
    const answer = await (await ask(h.twin, question, { user: member.id, results: 5 })).waitForFinal(10_000);
    if (check(answer)) return answer;
    if (Date.now() - started > 10_000) throw new Error(`not cited within 10 s: ${shownText(answer).slice(0, 500)}`);
  }
}

const cites = (title: string) => (answer: TwinMessage) => shownText(answer).includes(title);

async function seedFiles(): Promise<string[]> {
  return (await readdir(h.seedsDir)).sort();
}

describe('registration', () => {
  it('registers /article for Manage Server only, with German names', () => {
    const article = h.twin.commands(h.twin.ids.guildId).find((command) => command.name === 'article') as ApiCommand & { default_member_permissions?: string; name_localizations?: Record<string, string> };
    expect(article.default_member_permissions).toBe(PermissionFlagsBits.ManageGuild.toString());
    expect(article.name_localizations?.de).toBe('artikel-verwalten');
  });
});

describe('adding, replacing and removing', () => {
  let hafenId = '';

  it('adds an attached article, answers with its id, paragraph count and a sample citation, and a member is cited it within 10 s', async () => {
    const reply = await addFile('hafenfest.md', HAFEN_ARTICLE);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/^Added article `2025-09-06-hafenfest-in-lindau-mit-rekordbesuch-[0-9a-f]{6}` \(2 paragraphs\)\./);
    expect(reply.content).toContain('It is cited like this:');
    expect(reply.content).toContain('**Hafenfest in Lindau mit Rekordbesuch**');
    expect(reply.content).toContain('6 September 2025 · Lokal · ¶ 1');
    hafenId = articleIdOf(reply);
    expect(await seedFiles()).toContain(`${hafenId}.md`);

    const answer = await citedWithin10s('Wie viele Besucher hatte das Hafenfest in Lindau?', cites('Hafenfest in Lindau mit Rekordbesuch'));
    // The citation links to the source: the title is the link's text, the domain is shown.
    const field = answer.embeds[0]!.fields!.find((candidate) => candidate.value.includes('Hafenfest in Lindau'))!;
    expect(field.name).toBe(`${answer.embeds[0]!.fields!.indexOf(field) + 1}. example-zeitung.de`);
    expect(field.value.split('\n')[0]).toBe('[Hafenfest in Lindau mit Rekordbesuch](https://www.example-zeitung.de/lokal/hafenfest-lindau?id=42)');
    expect(renderedLinks(field.value)).toEqual(['https://www.example-zeitung.de/lokal/hafenfest-lindau?id=42']);
  });

  it('posts every change to the audit channel, naming who, without pinging anyone', async () => {
    const post = await h.twin.waitForChannelMessage((message) => message.content.startsWith('Article added') && message.content.includes(hafenId), 5000);
    expect(post.content).toContain(`<@${moderator.id}>`);
    expect(post.content).toContain('"Hafenfest in Lindau mit Rekordbesuch"');
    expect(post.wouldPing).toBe(false);
    expect(h.logger.lines.some((line) => line.includes(`Article added: ${hafenId} by mod (${moderator.id}) in Discord`))).toBe(true);
  });

  it('adds an article from the form when no file is attached (the form is the first response)', async () => {
    const handle = await articleCommand('add', [], moderator.id, 'de');
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(MODAL);
    expect(handle.callbacks).toHaveLength(1);
    const submitted = await h.twin.submitModal({
      interaction: handle,
      values: {
        title: 'Neue Seilbahn auf den Pfänder eröffnet',
        date: '12. Oktober 2025',
        category: 'Verkehr',
        url: 'https://news.example.at/seilbahn',
        text: 'Die neue Seilbahn auf den Pfänder befördert 1.200 Fahrgäste pro Stunde.\nSie ersetzt die Anlage aus dem Jahr 1927.',
      },
    });
    const reply = await submitted.waitForEdit(() => true, 30_000);
    expect(submitted.callbacks[0]!.type).toBe(DEFER);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/^Artikel `2025-10-12-neue-seilbahn-auf-den-pfaender-eroeffnet-[0-9a-f]{6}` hinzugefügt \(2 Absätze\)\./);
    await citedWithin10s('Wie viele Fahrgäste befördert die Seilbahn auf den Pfänder?', cites('Neue Seilbahn auf den Pfänder eröffnet'));
  });

  it('refuses a form field at fault by name, in the user language, and stores nothing', async () => {
    const before = await seedFiles();
    const handle = await articleCommand('add', [], moderator.id, 'de');
    await handle.waitForCallback();
    const submitted = await h.twin.submitModal({ interaction: handle, values: { title: 'Test', url: 'javascript:alert(1)', text: 'Ein Absatz.' } });
    const reply = await submitted.waitForEdit(() => true, 10_000);
    expect(reply.content).toBe('Nichts wurde geändert: Die Quell-URL muss eine http(s)-Adresse sein, z. B. https://example.com/artikel. (Feld „Quell-URL (optional)“)');
    expect(await seedFiles()).toEqual(before);
  });

  it('suggests articles by title as the moderator types the id', async () => {
    const handle = await articleCommand('remove', [{ name: 'id', type: Text, value: 'hafen lindau', focused: true }], moderator.id);
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(AUTOCOMPLETE);
    expect((callback.data as { choices: { name: string; value: string }[] }).choices).toEqual([{ name: 'Hafenfest in Lindau mit Rekordbesuch', value: hafenId }]);
  });

  it('replaces an article: its new text is cited within 10 s, its old text no more', async () => {
    const id = h.twin.uploadAttachment({ filename: 'neu.txt', content: HAFEN_ARTICLE.replace('mehr als 80.000 Besucher', 'rund 95.000 Gäste aus Vorarlberg und Bayern') });
    const handle = await articleCommand('replace', [{ name: 'id', type: Text, value: hafenId }, { name: 'file', type: Attachment, value: id }], moderator.id);
    const reply = await handle.waitForEdit(() => true, 30_000);
    expect(reply.content).toMatch(new RegExp(`^Replaced article \`${hafenId}\` \\(2 paragraphs\\)`));
    const answer = await citedWithin10s('Wie viele Gäste aus Vorarlberg hatte das Hafenfest in Lindau?', (message) => unescaped(shownText(message)).includes('95.000 Gäste'));
    expect(unescaped(shownText(answer))).not.toContain('80.000 Besucher');
  });

  it('removes an article: it is no longer cited within 10 s', async () => {
    const handle = await articleCommand('remove', [{ name: 'id', type: Text, value: hafenId }], moderator.id);
    const reply = await handle.waitForEdit(() => true, 30_000);
    expect(reply.content).toBe(`Removed article \`${hafenId}\`; it is no longer cited.`);
    expect(await seedFiles()).not.toContain(`${hafenId}.md`);
    const answer = await citedWithin10s('Wie viele Gäste hatte das Hafenfest in Lindau?', (message) => !cites('Hafenfest in Lindau mit Rekordbesuch')(message));
    expect(unescaped(shownText(answer))).not.toMatch(/95\.000|Seebühne/);
  });

  it('/article show lists an article as indexed, with its source link', async () => {
    const seilbahn = h.bot.service.current!.index.articles.find((article) => article.title.startsWith('Neue Seilbahn'))!;
    const handle = await articleCommand('show', [{ name: 'id', type: Text, value: seilbahn.id }], moderator.id);
    const reply = await handle.waitForEdit(() => true, 10_000);
    const embed = reply.embeds[0]!;
    expect(embed.title).toBe('Article: Neue Seilbahn auf den Pfänder eröffnet');
    expect(embed.fields!.find((field) => field.name === 'Source')!.value).toBe('[Neue Seilbahn auf den Pfänder eröffnet](https://news.example.at/seilbahn) · news.example.at');
    expect(embed.description).toContain('1.200 Fahrgäste');
  });
});

describe('who may change articles', () => {
  it('refuses a member without Manage Server or a moderator role, at run time, whatever the client showed', async () => {
    const before = await seedFiles();
    const id = h.twin.uploadAttachment({ filename: 'a.md', content: HAFEN_ARTICLE });
    const handle = await articleCommand('add', [{ name: 'file', type: Attachment, value: id }], member.id);
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(REPLY);
    expect(handle.original()!.ephemeral).toBe(true);
    expect(handle.original()!.content).toBe('Only moderators (Manage Server or a moderator role) may add, replace or remove articles.');
    expect(h.twin.attachmentDownloads.some((download) => download.id === id)).toBe(false);
    expect(await seedFiles()).toEqual(before);
  });

  it('gives a member no suggestions and refuses a crafted form submission', async () => {
    const suggest = await articleCommand('remove', [{ name: 'id', type: Text, value: 'Seil', focused: true }], member.id);
    expect(((await suggest.waitForCallback()).data as { choices: unknown[] }).choices).toEqual([]);
    // A moderator opened the form; a member submits one (a crafted interaction with its custom id).
    const opened = await articleCommand('add', [], moderator.id);
    await opened.waitForCallback();
    const submitted = await h.twin.submitModal({ interaction: opened, user: member.id, values: { title: 'Spam', text: 'Kauft Sachen.' } });
    await submitted.waitForCallback();
    expect(submitted.original()!.content).toMatch(/^Only moderators/);
  });
});

describe('hostile attachments are refused clearly and change nothing', () => {
  const cases: { label: string; filename: string; content: () => string | Uint8Array; message: RegExp; downloaded?: false }[] = [
    { label: 'a binary file', filename: 'bild.md', content: () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), message: /^Nothing was changed: This is not a text file \(binary data\)\. \(line 3\)$/ },
    { label: 'a 6 MB file', filename: 'gross.md', content: () => `Titel\n\n${'Ein langer Absatz mit Text. '.repeat(230_000)}\n`, message: /^Nothing was changed: The file is larger than 5 MiB\. Split it into several articles\.$/, downloaded: false },
    { label: 'invalid UTF-8', filename: 'latin1.txt', content: () => Buffer.from('Titel\n\nEin Absatz.\n\nDer Pr\xe4sident sagt etwas.\n', 'latin1'), message: /^Nothing was changed: The file is not valid UTF-8 text\. Save it as UTF-8\. \(line 5\)$/ },
    { label: 'a path-like file name', filename: '../../.env.md', content: () => HAFEN_ARTICLE, message: /^Nothing was changed: The file name is a path, hidden or holds control characters\. Rename the file, e\.g\. article\.md\.$/, downloaded: false },
    { label: 'a javascript: url in the front matter', filename: 'js.md', content: () => HAFEN_ARTICLE.replace(/^url: .*$/m, 'url: javascript:alert(document.cookie)'), message: /^Nothing was changed: The source URL must be an http\(s\) address, such as https:\/\/example\.com\/article\. \(line 5\)$/ },
  ];

  it.each(cases)('$label', async ({ filename, content, message, downloaded }) => {
    const before = await seedFiles();
    const articlesBefore = h.bot.service.current!.index.manifest.counts.articles;
    const downloadsBefore = h.twin.attachmentDownloads.length;
    const reply = await addFile(filename, content());
    // A name or size that is refused anyway is not even downloaded.
    if (downloaded === false) expect(h.twin.attachmentDownloads).toHaveLength(downloadsBefore);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(message);
    expect(await seedFiles()).toEqual(before);
    expect(h.bot.service.current!.index.manifest.counts.articles).toBe(articlesBefore);
  });

  it('in German too, naming the line', async () => {
    const reply = await addFile('kopf.md', 'Politik\n\nNur ein Titel ohne Text\n', moderator.id, 'de');
    expect(reply.content).toBe('Nichts wurde geändert: Nach dem Titel folgt kein Absatz. (Zeile 3)');
  });
});

describe('what it cost', () => {
  it('one new index per change (two adds, a replace, a remove): the watcher seeing the same files saved nothing more', async () => {
    expect(h.config.watchSeeds).toBe(true);
    // The watcher reports the bot's own writes once the folder has been quiet for a second: wait
    // for its report of the last change (the removal), and for the update it asked for.
    const removal = h.logger.lines.findIndex((line) => line.includes('Article removed:'));
    expect(removal).toBeGreaterThan(-1);
    await h.logger.waitFor(/Seeds folder changed; updating the index/, 10_000, removal);
    await h.bot.service.settle();
    expect(h.logger.lines.filter((line) => line.includes('Reindex finished; new index serving'))).toHaveLength(4);
  });
});

describe('the twin saw no violation', () => {
  it('no deadline, limit or double acknowledgement was broken', () => {
    expect(h.twin.violations).toEqual([]);
    const handles: readonly InteractionHandle[] = h.twin.interactions;
    expect(handles.every((handle) => handle.state !== 'pending' && handle.state !== 'expired')).toBe(true);
  });
});

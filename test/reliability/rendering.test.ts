/**
 * What the bot renders (issue #10, findings 3, 8 and 9), in process against the Discord twin:
 * - the three masked-link forms that survived (`[t](https://…/a_(b))`, `[[t]](…)`,
 *   `[t](… "title (x)")`), with an autolink and bare URLs, never render as links: in a question
 *   echoed by /ask and by a mention reply, in article text quoted in fields, and in an article
 *   title listed by /articles. The check is Discord's own parser rules (test/helpers/discord-links.ts);
 * - hostile file names (Markdown, a role mention, @everyone, a newline, a masked link) appear in
 *   the /reindex summary as plain text, one entry per line, pinging and linking nothing;
 * - a source link (issue #13) is the only link in an answer citing an article with a URL: its
 *   text is the title, its target exactly the article's validated URL;
 * - a crafted non-integer or out-of-range option (`results: 2.5`, `page: 1.5`) is refused
 *   privately, in the user's language, before the command runs: no answer with 18 fields, no
 *   "Seite 1.5/104".
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationCommandOptionType, PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinMessage } from '../discord-twin/twin.js';
import { renderedLinkParts, renderedLinks, unescaped } from '../helpers/discord-links.ts';
import { loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { ask, botMessages, isAnswer, startHarness, undisposable, type Harness } from './helpers.ts';

const REPLY = 4;
const PINGED_ROLE = '423456789012345678';

/** The audit's three forms, each a link by Discord's rules. */
const AUDIT_FORMS = [
  '[text](https://evil.example/a_(b))',
  '[[text]](https://evil.example/x)',
  '[text](https://evil.example/t "title (x)")',
];
const ARTICLE_WORDS = 'Hafenfest Lindwurm Seebühne';
const LINK_TITLE = `Hafenfest ${AUDIT_FORMS.join(' und ')}`;

/** An article with a source URL, whose title and text hold link forms too (issue #13). */
const SOURCE_WORDS = 'Leuchtturm Möwenkolonie Kapwanderung';
const SOURCE_TITLE = `Leuchtturm ${AUDIT_FORMS[1]} am Kap`;
const SOURCE_URL = 'https://www.example-zeitung.de/leuchtturm_(alt)?id=7';

/** File names Linux allows (no "/"): Markdown, a role mention, @everyone, a line break, links. */
const HOSTILE_NAMES = [
  `**fett** __u__ <@&${PINGED_ROLE}> @everyone\nerror: gefälscht`,
  '[klick](tel:+4930123456) <mailto:a@evil.example> [[x]](discord:x) `code` ||spoiler||',
];

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ embedder: undisposable(await loadFixtureEmbedder()), buildIndex: false });
  const body =
    `Beim ${ARTICLE_WORDS} gibt es ${AUDIT_FORMS[0]} und ${AUDIT_FORMS[1]} sowie ${AUDIT_FORMS[2]}, ` +
    'dazu <https://evil.example/auto> und https://evil.example/bare zum Hafenfest.';
  await writeFile(path.join(h.seedsDir, 'links.txt'), `05. September, 2025\n\nLokal\n\n${LINK_TITLE}\n\n${body}\n\nDer ${ARTICLE_WORDS} endet spät.\n`);
  await writeFile(
    path.join(h.seedsDir, 'quelle.md'),
    `---\ntitle: ${JSON.stringify(SOURCE_TITLE)}\nurl: ${SOURCE_URL}\n---\n\nAm ${SOURCE_WORDS} steht ${AUDIT_FORMS[0]} und <https://evil.example/auto> sowie https://evil.example/bare.\n\nDie ${SOURCE_WORDS} ist bekannt.\n`,
  );
  for (const name of HOSTILE_NAMES) {
    await writeFile(path.join(h.seedsDir, `${name}.txt`), `Lokal\n\nMeldung über den Lindwurm\n\nDer Lindwurm am Hafen wurde gereinigt.\n`);
    await writeFile(path.join(h.seedsDir, `${name} leer.txt`), '');
  }
  const owner = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
  await owner.waitForEdit((message) => message.embeds.length > 0, 30_000);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

/** Every part of a message Discord parses as Markdown (footers and author names it shows as plain text). */
function markdownParts(message: TwinMessage): string[] {
  return [
    message.content,
    ...message.embeds.flatMap((embed) => [embed.title ?? '', embed.description ?? '', ...(embed.fields ?? []).flatMap((field) => [field.name, field.value])]),
  ];
}

/** The source link's target as rendered (parentheses percent-encoded). */
const SOURCE_TARGET = 'https://www.example-zeitung.de/leuchtturm_%28alt%29?id=7';

/**
 * Links rendered anywhere but where the bot puts a source link on purpose: the first line of a
 * citation of the article with a URL, and only when that line is exactly one link to its URL.
 */
function linksIn(message: TwinMessage): string[] {
  const intended = (value: string): string => {
    const [first, ...rest] = value.split('\n');
    const parts = renderedLinkParts(first!);
    return parts.length === 1 && parts[0]!.target === SOURCE_TARGET ? rest.join('\n') : value;
  };
  const stripped: TwinMessage = {
    ...message,
    embeds: message.embeds.map((embed) => ({ ...embed, fields: (embed.fields ?? []).map((field) => (field.name.endsWith('. example-zeitung.de') ? { ...field, value: intended(field.value) } : field)) })),
  };
  return markdownParts(stripped).flatMap(renderedLinks);
}

describe('masked links, autolinks and bare URLs are never rendered as links', () => {
  it('the checker sees every form as a link before the bot handles it', () => {
    for (const form of [...AUDIT_FORMS, '<https://evil.example/auto>', 'https://evil.example/bare']) expect(renderedLinks(form), form).toHaveLength(1);
  });

  it.each(AUDIT_FORMS)('/ask echoing %s, and quoting the article that has all of them', async (form) => {
    const final = await (await ask(h.twin, `${ARTICLE_WORDS} ${form}`, { results: 5 })).waitForFinal(10_000);
    expect(isAnswer(final)).toBe(true);
    const embed = final.embeds[0]!;
    expect(unescaped(embed.title!)).toContain(form);
    const quoted = (embed.fields ?? []).find((field) => unescaped(field.value).includes('evil.example/bare'));
    expect(quoted, 'the article with links is cited').toBeDefined();
    expect(unescaped(quoted!.name)).toContain(LINK_TITLE);
    expect(linksIn(final)).toEqual([]);
  });

  it.each(AUDIT_FORMS)('a mention reply echoing %s', async (form) => {
    const botId = h.twin.ids.botUserId;
    const sent = await h.twin.sendMessage({ content: `<@${botId}> ${ARTICLE_WORDS} ${form}`, mentions: [botId] });
    const reply = await sent.waitForReply(undefined, 10_000);
    expect(isAnswer(reply)).toBe(true);
    expect(unescaped(reply.embeds[0]!.title!)).toContain(form);
    expect(linksIn(reply)).toEqual([]);
  });

  it('/articles listing a title made of the three forms', async () => {
    const handle = await h.twin.sendCommand({ name: 'articles' });
    await handle.waitForCallback();
    const message = handle.original()!;
    expect(unescaped(message.embeds[0]!.description!)).toContain(LINK_TITLE);
    expect(linksIn(message)).toEqual([]);
  });
});

describe('a source link is the only link the bot renders', () => {
  it('/ask citing an article with a URL: its citations link to it, the text the title, the target exactly the validated URL, and nothing else links', async () => {
    const final = await (await ask(h.twin, `${SOURCE_WORDS} ${AUDIT_FORMS[2]}`, { results: 5 })).waitForFinal(10_000);
    expect(isAnswer(final)).toBe(true);
    const cited = (final.embeds[0]!.fields ?? []).filter((field) => field.name.endsWith('. example-zeitung.de'));
    expect(cited.length).toBeGreaterThan(0);
    const parts = markdownParts(final).flatMap(renderedLinkParts);
    expect(parts).toHaveLength(cited.length);
    for (const part of parts) {
      expect(part.target).toBe(SOURCE_TARGET);
      expect(decodeURIComponent(part.target)).toBe(SOURCE_URL);
      expect(part.text).toBe(SOURCE_TITLE.replace(/\[/g, '［').replace(/\]/g, '］'));
    }
    for (const field of cited) expect(renderedLinkParts(field.value.split('\n')[0]!)).toHaveLength(1);
    expect(cited.some((field) => unescaped(field.value).includes('https://evil.example/bare'))).toBe(true);
    expect(linksIn(final)).toEqual([]);
  });
});

describe('hostile file names in the /reindex summary', () => {
  it('are shown as typed, one entry per line, without Markdown, pings or links', async () => {
    const moderator = h.twin.addMember({ username: 'mod', permissions: PermissionFlagsBits.ManageGuild });
    // Change the hostile articles, so that they are listed again (as changed) in this summary.
    for (const name of HOSTILE_NAMES) {
      await writeFile(path.join(h.seedsDir, `${name}.txt`), `Lokal\n\nMeldung über den Lindwurm\n\nDer Lindwurm am Hafen wurde neu gereinigt.\n`);
    }
    const handle = await h.twin.sendCommand({ name: 'reindex', user: moderator.id });
    const summary = await handle.waitForEdit((message) => message.embeds.length > 0, 30_000);
    const fields = Object.fromEntries(summary.embeds[0]!.fields!.map((field) => [field.name, field.value]));
    const changed = fields['Changed (2)']!;
    const skipped = fields['Skipped (2)']!;
    expect(changed, 'a line break in a name does not start a new line').not.toContain('\n');
    expect(skipped.split('\n')).toHaveLength(2);
    // As typed: escapes taken out, the one-dot leader that defuses mentions too, a line break as ↵.
    const shown = (text: string): string => unescaped(text).replaceAll('\u2024', '');
    for (const name of HOSTILE_NAMES) {
      const shownName = name.replace('\n', ' ↵ ');
      expect(shown(changed)).toContain(shownName);
      expect(shown(skipped)).toContain(`${shownName} leer.txt: `);
    }
    for (const part of markdownParts(summary)) {
      expect(part).not.toMatch(/@(everyone|here)\b|<@[!&]?\d+>/);
      // Every Markdown marker is escaped: none is left once the escapes are taken out.
      expect(part.replace(/\\[\s\S]/g, ''), part).not.toMatch(/[*_`|~]/);
    }
    expect(linksIn(summary)).toEqual([]);
    expect(summary.wouldPing).toBe(false);
    expect(h.twin.violations).toEqual([]);
  });
});

describe('crafted option values are refused before the command runs', () => {
  const results = (value: number) => [
    { name: 'question', type: ApplicationCommandOptionType.String, value: `${ARTICLE_WORDS}?` },
    { name: 'results', type: ApplicationCommandOptionType.Integer, value },
  ];

  it.each([2.5, 0.5, 0, 6, -1, 1e9])('/ask results: %s gets a private refusal that says what is allowed, and no answer', async (value) => {
    const before = botMessages(h.twin).filter(isAnswer).length;
    const handle = await h.twin.sendCommand({ name: 'ask', options: results(value) });
    const callback = await handle.waitForCallback();
    expect(callback.type).toBe(REPLY);
    const message = handle.original()!;
    expect(message.ephemeral).toBe(true);
    expect(message.embeds).toEqual([]);
    expect(message.content).toBe('The option "results" has an invalid value: it takes a whole number from 1 to 5.');
    expect(botMessages(h.twin).filter(isAnswer)).toHaveLength(before);
  });

  it('/ask results: 5 gives at most 5 excerpts', async () => {
    const handle = await h.twin.sendCommand({ name: 'ask', options: results(5) });
    const final = await handle.waitForFinal(10_000);
    expect(handle.callbacks[0]!.type).toBe(REPLY);
    expect(isAnswer(final)).toBe(true);
    expect((final.embeds[0]!.fields ?? []).length).toBeLessThanOrEqual(5);
  });

  it('/articles page: 1.5 is refused in German for a German user, without "Seite 1.5"', async () => {
    const handle = await h.twin.sendCommand({
      name: 'articles',
      locale: 'de',
      options: [{ name: 'page', type: ApplicationCommandOptionType.Integer, value: 1.5 }],
    });
    await handle.waitForCallback();
    const message = handle.original()!;
    expect(message.ephemeral).toBe(true);
    expect(message.embeds).toEqual([]);
    expect(message.content).toBe('Die Option „seite“ hat einen ungültigen Wert: erlaubt ist eine ganze Zahl ab 1.');
    expect(h.twin.violations).toEqual([]);
  });
});

/**
 * Red-team scenarios of issue #10, finding 1, through the real bot against the Discord twin:
 * - a link in seeds/ to a `.env` outside it, holding a real-shaped bot token (the bot's own):
 *   /reindex skips it with the reason, nothing of it is indexed, and /articles, `/ask
 *   DISCORD_TOKEN` and a mention never show the token (every request body the twin recorded is
 *   scanned, as Discord would show it, with Markdown escapes undone);
 * - the last-line guard on its own: a real article file that contains the token literally is
 *   quoted in answers, which reach Discord with the token redacted;
 * - links inside the folder, a FIFO, a dangling link and a link loop: skipped with their reasons,
 *   and /reindex does not hang;
 * - UTF-16 articles (little and big endian, with a BOM) are indexed with the right text.
 */
import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinMessage } from '../discord-twin/twin.js';
import { loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { ask, botMessages, isAnswer, shownText, startHarness, undisposable, type Harness } from './helpers.ts';

/** Real-shaped (base64 user id . timestamp . HMAC), with the `_` and `-` that Markdown escaping touches. */
const TOKEN = 'MTQwMDAwMDAwMDAwMDAwMDAwNQ.Gx_y-Z.abc_def-ghij_klmn-opqrstu_vwxyz-0123456789';
/** The parts that must never be shown: the whole token, and its secret part (the id before the first dot is public). */
const SECRET_PARTS = [TOKEN, TOKEN.slice(TOKEN.indexOf('.') + 1), TOKEN.split('.')[2]!];
/** A .env as people write it: the token line would become an article's title. */
const ENV_FILE = `DISCORD_TOKEN=${TOKEN}\n\nDISCORD_CLIENT_ID=140000000000000005\n\nQUELLE_SEEDS_DIR=seeds\n\nLOG_LEVEL=info\n`;
const SEED_FILE = '000_844079290e2bd696.txt';
/** A real file that quotes the token: only the guard on outgoing messages stands between it and Discord. */
const LEAK_ARTICLE =
  `05. September, 2025\n\nTechnik\n\nZugangsschlüssel im Serverraum gefunden\n\n` +
  `Im Serverraum der Gemeinde lag ein Zettel mit dem Zugangsschlüssel ${TOKEN} offen auf dem Tisch.\n\n` +
  `Der Zugangsschlüssel wurde danach im Serverraum ersetzt.\n`;
const UTF16_ARTICLE = (city: string) =>
  `05. September, 2025\n\nLokal\n\nStraßenbahn in ${city} fährt wieder\n\nDie Straßenbahn in ${city} fährt nach der Sanierung der Gleise wieder über die Brücke.\n`;

let h: Harness;
let reindexSummary: TwinMessage;

beforeAll(async () => {
  h = await startHarness({ embedder: undisposable(await loadFixtureEmbedder()), buildIndex: false, twin: { token: TOKEN }, env: { DISCORD_TOKEN: TOKEN } });
  const seeds = h.seedsDir;
  await writeFile(path.join(seeds, '..', '.env'), ENV_FILE);
  await symlink('../.env', path.join(seeds, 'notes.txt'));
  await writeFile(path.join(seeds, 'zugang.txt'), LEAK_ARTICLE);
  await symlink(SEED_FILE, path.join(seeds, 'kopie.txt'));
  execFileSync('mkfifo', [path.join(seeds, 'pipe.txt')]);
  await symlink('gibt-es-nicht.txt', path.join(seeds, 'weg.txt'));
  await symlink('schleife-b.txt', path.join(seeds, 'schleife-a.txt'));
  await symlink('schleife-a.txt', path.join(seeds, 'schleife-b.txt'));
  await writeFile(path.join(seeds, 'utf16le.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(UTF16_ARTICLE('Graz'), 'utf16le')]));
  await writeFile(path.join(seeds, 'utf16be.txt'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(UTF16_ARTICLE('Linz'), 'utf16le').swap16()]));
  const owner = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
  reindexSummary = await owner.waitForEdit((message) => message.embeds.length > 0, 30_000);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

/** Every string of a value, as Discord would show it: Markdown escapes (`\_`) undone. */
function shownStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/\\(.)/g, '$1')];
  if (Array.isArray(value)) return value.flatMap(shownStrings);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => [...shownStrings(key), ...shownStrings(item)]);
  return [];
}

/** Fails when any request body the bot sent, or any message it wrote, shows a part of the token. */
function expectNoTokenSent(): void {
  const bodies = h.twin.requests.flatMap((request) => shownStrings(request.body)).join('\n');
  const messages = botMessages(h.twin).map((message) => shownText(message).replace(/\\(.)/g, '$1')).join('\n');
  expect(h.twin.requests.length).toBeGreaterThan(0);
  for (const secret of SECRET_PARTS) {
    expect(bodies.includes(secret), `a request body shows the token (${secret.slice(0, 6)}…)`).toBe(false);
    expect(messages.includes(secret), `a message shows the token (${secret.slice(0, 6)}…)`).toBe(false);
  }
}

function skippedReasons(): Map<string, string> {
  const summary = h.bot.service.lastReindexRecord?.summary;
  return new Map((summary?.skipped ?? []).map(({ file, reason }) => [path.basename(file), reason]));
}

describe('a link in seeds/ to the .env with the bot token', () => {
  it('/reindex skips it with the reason, shown to the moderator, and indexes nothing of it', () => {
    expect(reindexSummary.embeds[0]!.title).toBe('Index rebuilt');
    expect(skippedReasons().get('notes.txt')).toBe('a link to a file outside the seeds folder; copy the file into seeds/ instead');
    expect(shownText(reindexSummary)).toMatch(/notes\.txt: a link to a file outside the seeds folder; copy the file into seeds\/ instead/);
    const index = h.bot.service.current!.index;
    expect(index.articles.map((article) => article.id)).not.toContain('notes');
    expect(JSON.stringify(index.articles)).not.toMatch(/DISCORD_|QUELLE_SEEDS_DIR/);
  });

  it('/articles, /ask DISCORD_TOKEN and a mention never show the token', async () => {
    const list = await h.twin.sendCommand({ name: 'articles' });
    await list.waitForCallback();
    expectNoTokenSent();
    const listed = shownText(list.original()!);
    expect(listed).toContain('Zugangsschlüssel im Serverraum gefunden');
    expect(listed).not.toMatch(/DISCORD/);

    for (const question of ['DISCORD_TOKEN', `DISCORD_TOKEN ${TOKEN.split('.')[0]}`, 'DISCORD_CLIENT_ID QUELLE_SEEDS_DIR LOG_LEVEL']) {
      const final = await (await ask(h.twin, question, { results: 5 })).waitForFinal(10_000);
      expect(isAnswer(final)).toBe(true);
      expect(shownText(final)).not.toMatch(/DISCORD_CLIENT_ID|QUELLE_SEEDS_DIR/);
    }
    const botId = h.twin.ids.botUserId;
    const sent = await h.twin.sendMessage({ content: `<@${botId}> DISCORD_TOKEN`, mentions: [botId] });
    expect(isAnswer(await sent.waitForReply(undefined, 10_000))).toBe(true);
    expectNoTokenSent();
  });
});

describe('the last check on outgoing messages', () => {
  const QUESTION = 'Zugangsschlüssel Serverraum Zettel';

  it('an article that contains the token itself is quoted with the token redacted, and the bot logs that it removed it', async () => {
    const final = await (await ask(h.twin, QUESTION)).waitForFinal(10_000);
    const quoted = (final.embeds[0]!.fields ?? []).find((field) => field.name.includes('Zugangsschlüssel im Serverraum gefunden'));
    expect(quoted, 'the article with the token is cited').toBeDefined();
    expect(quoted!.value).toMatch(/Zettel mit dem Zugangsschlüssel \[redacted\] offen auf dem Tisch/);

    const botId = h.twin.ids.botUserId;
    const sent = await h.twin.sendMessage({ content: `<@${botId}> ${QUESTION}`, mentions: [botId] });
    const reply = await sent.waitForReply(undefined, 10_000);
    expect(shownText(reply)).toMatch(/Zugangsschlüssel \[redacted\] offen/);

    expectNoTokenSent();
    const removals = h.logger.lines.filter((line) => line.includes('Removed a secret'));
    expect(removals.length).toBeGreaterThanOrEqual(2);
    for (const secret of SECRET_PARTS) expect(h.logger.lines.join('\n')).not.toContain(secret);
  });
});

describe('other links and special files in seeds/', () => {
  it('a link to another article, a FIFO, a dangling link and a link loop are skipped with their reasons; /reindex finished', () => {
    expect(reindexSummary.embeds[0]!.title).toBe('Index rebuilt');
    const reasons = skippedReasons();
    expect(reasons.get('kopie.txt')).toBe(`a link to ${SEED_FILE}, which is read under its own name; remove the link`);
    expect(reasons.get('pipe.txt')).toBe('a named pipe (FIFO), not a file; remove it');
    expect(reasons.get('weg.txt')).toBe('a link to a file that does not exist; remove the link, or copy the file into seeds/ instead');
    expect(reasons.get('schleife-a.txt')).toBe('a link that leads back to itself (a loop of links); remove it');
    expect(reasons.get('schleife-b.txt')).toBe('a link that leads back to itself (a loop of links); remove it');
    expect(h.bot.service.current!.index.articles.map((article) => article.id).sort()).toEqual(['000_844079290e2bd696', 'utf16be', 'utf16le', 'zugang']);
  });

  it('UTF-16 articles (little and big endian, with a BOM) are indexed with their text and answered', async () => {
    const titles = new Map(h.bot.service.current!.index.articles.map((article) => [article.id, article.title]));
    expect(titles.get('utf16le')).toBe('Straßenbahn in Graz fährt wieder');
    expect(titles.get('utf16be')).toBe('Straßenbahn in Linz fährt wieder');
    const final = await (await ask(h.twin, 'Straßenbahn Linz Sanierung der Gleise')).waitForFinal(10_000);
    expect(final.embeds[0]!.fields?.[0]?.name).toBe('1. Straßenbahn in Linz fährt wieder');
    expect(final.embeds[0]!.fields?.[0]?.value).toMatch(/Die Straßenbahn in Linz fährt nach der Sanierung der Gleise wieder über die Brücke/);
  });
});

// End to end, the community loop (issue #14) with the real discord.js client against the twin:
// the buttons under an answer (votes, More, Full paragraph), before and after a restart; answer
// channels and forums answered in threads, bots' messages not; /insights for moderators.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/storage/open-store.ts';
import type { DiscordTwin, TwinMessage } from '../discord-twin/twin.js';
import { renderedLinks } from '../helpers/discord-links.ts';
import { ask, SEED_QUESTION, shownText, startHarness, type Harness } from './bot-harness.ts';

const ANSWER_CHANNEL = '300000000000000021';
const FORUM = '300000000000000022';
const QUIET_CHANNEL = '300000000000000023';
const MISSING_CHANNEL = '300000000000000099';
const CHANNELS = [
  { id: ANSWER_CHANNEL, name: 'frag-quelle', type: 0 as const },
  { id: FORUM, name: 'fragen', type: 15 as const },
  { id: QUIET_CHANNEL, name: 'plaudern', type: 0 as const },
];
/** Several paragraphs of the seed article answer it, so that "More" has further excerpts. */
const BROAD_QUESTION = 'Was sagte Putin in Wladiwostok über Truppen in der Ukraine?';
const UNANSWERABLE = 'Wie viele Beine hat eine Vogelspinne?';

/** The custom ids of a message's buttons, row by row. */
function buttonIds(message: TwinMessage): string[] {
  return (message.components as { components: { custom_id?: string }[] }[]).flatMap((row) => row.components.map((component) => component.custom_id ?? ''));
}

function click(twin: DiscordTwin, message: TwinMessage, customId: string, user?: string) {
  return twin.sendComponent({ customId, messageId: message.id, locale: 'de', ...(user ? { user } : {}) });
}

/** The votes stored for an answer, read from the database file as another process would. */
function storedVotes(dataDir: string, answerId: string): { member_id: string; value: number }[] {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    return db.prepare('SELECT member_id, value FROM votes WHERE answer_id = ? ORDER BY member_id').all(answerId) as { member_id: string; value: number }[];
  } finally {
    db.close();
  }
}

describe('with answer channels', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ twin: { channels: CHANNELS }, env: { QUELLE_ANSWER_CHANNEL_IDS: `${ANSWER_CHANNEL},${FORUM}` } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('requests the Message Content intent, and the ready log says so', () => {
    expect(h.bot.client.options.intents.has(GatewayIntentBits.MessageContent)).toBe(true);
    expect(h.logger.lines.find((line) => line.includes('Quelle is ready'))).toContain('"messageContentIntent":true');
    // Both configured channels (a text channel and a forum) are usable.
    expect(h.logger.lines.filter((line) => line.includes('QUELLE_ANSWER_CHANNEL_IDS lists'))).toEqual([]);
  });

  it('votes: one per member, changeable, acknowledged privately; More and Full paragraph answer privately; all still work after a restart', async () => {
    const member = h.twin.addMember({ username: 'voter' });
    const handle = await ask(h.twin, BROAD_QUESTION, { locale: 'de', results: 1, user: member.id });
    const answer = await handle.waitForFinal(10_000);
    expect(answer.embeds[0]!.fields).toHaveLength(1);
    const ids = buttonIds(answer);
    const answerId = ids[0]!.split(':')[2]!;
    expect(ids).toEqual([`answer:up:${answerId}`, `answer:down:${answerId}`, `answer:more:${answerId}:1`, `answer:para:${answerId}:1`]);

    const up = await click(h.twin, answer, `answer:up:${answerId}`, member.id);
    const upReply = await up.waitForFinal();
    expect(upReply.ephemeral).toBe(true);
    expect(upReply.content).toContain('als hilfreich markiert');
    expect(upReply.content).toContain('👍 1 · 👎 0');
    const down = await click(h.twin, answer, `answer:down:${answerId}`, member.id);
    expect((await down.waitForFinal()).content).toContain('Deine Stimme ist geändert: nicht hilfreich');
    expect(storedVotes(h.config.dataDir, answerId)).toEqual([{ member_id: member.id, value: -1 }]);

    const more = await click(h.twin, answer, `answer:more:${answerId}:1`, member.id);
    const page = await more.waitForFinal();
    expect(page.ephemeral).toBe(true);
    expect(page.embeds[0]!.title).toBe(`Mehr zu: ${BROAD_QUESTION}`);
    const further = page.embeds[0]!.fields!;
    expect(further.length).toBeGreaterThanOrEqual(1);
    // The further excerpts continue the answer's numbering and cite other paragraphs than it did.
    expect(further[0]!.name).toMatch(/^2\. /);
    const shownParagraph = /¶ (\d+)/.exec(answer.embeds[0]!.fields![0]!.value)![1];
    for (const field of further) expect(/¶ (\d+)/.exec(field.value)![1]).not.toBe(shownParagraph);
    expect(buttonIds(page)).toContain(`answer:para:${answerId}:2`);
    // "Next" turns the private page itself.
    expect(page.embeds[0]!.footer!.text).toMatch(/^Seite 1 von [2-9]/);
    const next = await click(h.twin, page, `answer:more:${answerId}:2`, member.id);
    const turned = await next.waitForEdit((message) => message.embeds[0]?.footer?.text.startsWith('Seite 2') ?? false);
    expect(next.callbacks[0]!.type).toBe(6);
    expect(turned.id).toBe(page.id);
    expect(turned.embeds[0]!.fields![0]!.name).toMatch(/^3\. /);
    expect(buttonIds(turned)).toContain(`answer:more:${answerId}:1`);

    const paragraph = await click(h.twin, answer, `answer:para:${answerId}:1`, member.id);
    const full = await paragraph.waitForFinal();
    expect(full.ephemeral).toBe(true);
    expect(full.embeds[0]!.title).toMatch(/^1\. Putin bekräftigt Widerstand/);
    expect(full.embeds[0]!.description).toContain(`¶ ${shownParagraph}`);
    // The whole paragraph, not an excerpt: longer than the answer's field showed, or as long.
    expect(full.embeds[0]!.description!.length).toBeGreaterThanOrEqual(answer.embeds[0]!.fields![0]!.value.length - 40);

    await h.restart();
    const again = await click(h.twin, answer, `answer:up:${answerId}`, member.id);
    expect((await again.waitForFinal()).content).toContain('Deine Stimme ist geändert: hilfreich');
    expect(storedVotes(h.config.dataDir, answerId)).toEqual([{ member_id: member.id, value: 1 }]);
    const moreAfterRestart = await (await click(h.twin, answer, `answer:more:${answerId}:1`, member.id)).waitForFinal();
    expect(moreAfterRestart.embeds[0]!.fields!.map((field) => field.name)).toEqual(further.map((field) => field.name));
    const fullAfterRestart = await (await click(h.twin, answer, `answer:para:${answerId}:1`, member.id)).waitForFinal();
    expect(fullAfterRestart.embeds[0]!.description).toBe(full.embeds[0]!.description);
    expect(h.twin.violations).toEqual([]);
  });

  it('says so when an answer is not in the database (a crafted or foreign button)', async () => {
    const answer = await (await ask(h.twin, SEED_QUESTION)).waitForFinal(10_000);
    const stale = await h.twin.sendComponent({ customId: 'answer:more:00000000AAAAAAAAAAAA:1', messageId: answer.id, crafted: true });
    const reply = await stale.waitForFinal();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe('This answer is no longer available here. Ask the question again.');
  });

  it('answers a new message in an answer channel in a thread started from it, with the buttons', async () => {
    const sent = await h.twin.sendMessage({ channelId: ANSWER_CHANNEL, content: SEED_QUESTION });
    const reply = await sent.waitForThreadReply(undefined, 10_000);
    expect(h.twin.channel(sent.message.id)).toMatchObject({ type: 11, parentId: ANSWER_CHANNEL, name: SEED_QUESTION });
    expect(reply.embeds[0]!.fields![0]!.value).toContain('¶ 2');
    expect(buttonIds(reply)[0]).toMatch(/^answer:up:/);
    expect(reply.wouldPing).toBe(false);
    expect(h.twin.violations).toEqual([]);
  });

  it('answers a new forum post in its own thread, from its title and text', async () => {
    const post = await h.twin.createForumPost({ channelId: FORUM, title: 'Koalition der Willigen', content: 'Wo traf sie sich?' });
    const reply = await post.waitForReply(undefined, 10_000);
    expect(reply.channelId).toBe(post.thread.id);
    expect(reply.embeds[0]!.title).toContain('Koalition der Willigen');
    expect(reply.embeds[0]!.fields![0]!.value).toContain('¶ 2');
    expect(h.twin.violations).toEqual([]);
  });

  it('answers no bot (itself included), no reply inside an answer thread and no message in another channel, unless mentioned', async () => {
    const otherBot = h.twin.addMember({ username: 'newsbot', bot: true });
    const own = await h.twin.sendMessage({ channelId: ANSWER_CHANNEL, content: SEED_QUESTION, user: h.twin.ids.botUserId });
    const foreign = await h.twin.sendMessage({ channelId: ANSWER_CHANNEL, content: SEED_QUESTION, user: otherBot.id });
    const forumByBot = await h.twin.createForumPost({ channelId: FORUM, title: 'Koalition der Willigen', content: 'Wo traf sie sich?', user: otherBot.id });
    const quiet = await h.twin.sendMessage({ channelId: QUIET_CHANNEL, content: SEED_QUESTION });
    const first = await h.twin.sendMessage({ channelId: ANSWER_CHANNEL, content: SEED_QUESTION });
    await first.waitForThreadReply(undefined, 10_000);
    const inThread = await h.twin.sendMessage({ channelId: first.message.id, content: 'Und wer war noch dabei?' });
    // Messages are handled in the order they arrive: once a later member question is answered,
    // the ones before it were passed over or answered.
    const mentioned = await h.twin.sendMessage({ channelId: first.message.id, content: SEED_QUESTION, mentions: [h.twin.ids.botUserId] });
    await mentioned.waitForReply((message) => message.embeds.length > 0, 10_000);
    for (const ignored of [own, foreign, quiet]) expect(h.twin.channel(ignored.message.id)).toBeUndefined();
    expect(h.twin.channelMessages(forumByBot.thread.id).filter((message) => message.authorId === h.twin.ids.botUserId)).toEqual([]);
    expect(h.twin.channelMessages(QUIET_CHANNEL).filter((message) => message.authorId === h.twin.ids.botUserId)).toEqual([]);
    const threadReplies = h.twin.channelMessages(first.message.id).filter((message) => message.authorId === h.twin.ids.botUserId);
    // The first answer, and the answer to the mention: nothing for the plain reply in between.
    expect(threadReplies).toHaveLength(2);
    expect(threadReplies[1]!.referencedMessageId).toBe(mentioned.message.id);
    expect(threadReplies.some((message) => message.referencedMessageId === inThread.message.id)).toBe(false);
  });

  it('/insights shows moderators the declined questions with their count, and the helpful rate; members are refused', async () => {
    const answer = await (await ask(h.twin, SEED_QUESTION, { locale: 'en-US' })).waitForFinal(10_000);
    const upId = buttonIds(answer)[0]!;
    await (await click(h.twin, answer, upId)).waitForFinal();
    for (const question of [UNANSWERABLE, UNANSWERABLE, 'Wann beginnt die Fußball-WM? <@&1234567890123456789> [klick](https://evil.example)']) {
      const declined = await (await ask(h.twin, question)).waitForFinal(10_000);
      expect(declined.embeds[0]!.description).toMatch(/nothing relevant/);
    }
    const refused = await h.twin.sendCommand({ name: 'insights' });
    await refused.waitForCallback();
    expect(refused.original()!.content).toBe('Only moderators (Manage Server or a moderator role) may see the insights.');

    const handle = await h.twin.sendCommand({ name: 'insights', user: h.twin.ids.ownerId, locale: 'en-US' });
    const insights = await handle.waitForFinal(10_000);
    expect(insights.ephemeral).toBe(true);
    const fields = Object.fromEntries(insights.embeds[0]!.fields!.map((field) => [field.name, field.value]));
    const db = new Database(databasePath(h.config.dataDir), { readonly: true });
    const votes = db.prepare('SELECT SUM(value = 1) AS up, COUNT(*) AS all_votes FROM votes').get() as { up: number; all_votes: number };
    db.close();
    const rate = `${((votes.up / votes.all_votes) * 100).toFixed(1)}%`;
    expect(fields['Last 7 days']).toContain(`Helpful: **${rate}** (${votes.up} of ${votes.all_votes} votes)`);
    const gaps = fields['Coverage gaps (declined, by wording), 7 d']!;
    expect(gaps.split('\n')[0]).toBe('**2×** “Wie viele Beine hat eine Vogelspinne?”');
    expect(gaps).toContain('**1×** “Wann beginnt die Fußball-WM?');
    expect(renderedLinks(gaps)).toEqual([]);
    expect(gaps).not.toMatch(/<@&\d/);
    expect(insights.wouldPing).toBe(false);
    expect(fields['Most cited, 7 d']).toMatch(/Putin bekräftigt Widerstand/);
    expect(h.twin.violations).toEqual([]);
  });
});

describe('with QUELLE_LOG_DAYS=0', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ twin: { channels: CHANNELS }, env: { QUELLE_ANSWER_CHANNEL_IDS: `${ANSWER_CHANNEL},${FORUM}`, QUELLE_LOG_DAYS: '0' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('keeps no question text in the database files, only counts, whichever way members ask', async () => {
    const marker = 'Zebrastreifenkoalition';
    const slash = await (await ask(h.twin, `Wo traf sich die ${marker} der Willigen?`)).waitForFinal(10_000);
    const mention = await h.twin.sendMessage({ content: `Wo traf sich die ${marker}?`, mentions: [h.twin.ids.botUserId] });
    await mention.waitForReply(undefined, 10_000);
    const channel = await h.twin.sendMessage({ channelId: ANSWER_CHANNEL, content: `Koalition der Willigen ${marker}?` });
    await channel.waitForThreadReply(undefined, 10_000);
    const post = await h.twin.createForumPost({ channelId: FORUM, title: `${marker} Paris`, content: 'Wo traf sich die Koalition?' });
    await post.waitForReply(undefined, 10_000);
    expect(shownText(slash)).toContain(marker);

    // Every file of the database (the main file, its write-ahead log), byte by byte.
    const files = await readdir(h.config.dataDir);
    expect(files).toContain('quelle.db');
    for (const file of files) {
      const bytes = await readFile(path.join(h.config.dataDir, file));
      expect(bytes.includes(Buffer.from(marker, 'utf8')), file).toBe(false);
      expect(bytes.includes(Buffer.from('Zebrastreifen', 'utf16le')), file).toBe(false);
    }
    const db = new Database(databasePath(h.config.dataDir), { readonly: true });
    const counted = db.prepare('SELECT SUM(questions) AS questions FROM daily_counts').get() as { questions: number };
    const texts = db.prepare('SELECT COUNT(*) AS n FROM answers WHERE question IS NOT NULL').get() as { n: number };
    db.close();
    expect(counted.questions).toBe(4);
    expect(texts.n).toBe(0);
  });
});

describe('without answer channels', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('asks for no Message Content intent, says so, and registers /insights for Manage Server', () => {
    expect(h.bot.client.options.intents.has(GatewayIntentBits.MessageContent)).toBe(false);
    expect(h.logger.lines.find((line) => line.includes('Quelle is ready'))).toContain('"messageContentIntent":false');
    const insights = h.twin.commands(h.twin.ids.guildId).find((command) => command.name === 'insights');
    expect(insights).toMatchObject({ name_localizations: { de: 'auswertung' }, default_member_permissions: '32' });
  });
});

describe('with a cooldown', () => {
  let h: Harness;

  beforeAll(async () => {
    // One id names no channel of the server: the bot warns at start and answers in the others.
    h = await startHarness({ twin: { channels: CHANNELS }, env: { QUELLE_ANSWER_CHANNEL_IDS: `${ANSWER_CHANNEL} ${MISSING_CHANNEL}`, QUELLE_COOLDOWN_SECONDS: '60' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('warns at start about a configured answer channel the bot cannot see', async () => {
    const warning = await h.logger.waitFor(/QUELLE_ANSWER_CHANNEL_IDS lists channels the bot cannot see/);
    expect(warning).toContain(`"channels":["${MISSING_CHANNEL}"]`);
  });

  it('applies to answer channels as to /ask: a second question within the wait gets the wait as a reply, no thread', async () => {
    const first = await h.twin.sendMessage({ channelId: ANSWER_CHANNEL, content: SEED_QUESTION });
    await first.waitForThreadReply(undefined, 10_000);
    const second = await h.twin.sendMessage({ channelId: ANSWER_CHANNEL, content: BROAD_QUESTION });
    const refusal = await second.waitForReply(undefined, 10_000);
    expect(refusal.referencedMessageId).toBe(second.message.id);
    expect(refusal.content).toMatch(/^Bitte warte noch \d+ s/);
    expect(h.twin.channel(second.message.id)).toBeUndefined();
    const slash = await ask(h.twin, SEED_QUESTION);
    await slash.waitForCallback();
    expect(slash.original()!.content).toMatch(/^Please wait/);
  });

  it('does not start the wait for a question refused for its length', async () => {
    const member = h.twin.addMember({ username: 'typo' });
    const tooShort = await ask(h.twin, ' a\u200b ', { user: member.id });
    await tooShort.waitForCallback();
    expect(tooShort.original()!.content).toMatch(/too short/);
    const answered = await (await ask(h.twin, SEED_QUESTION, { user: member.id })).waitForFinal(10_000);
    expect(answered.embeds[0]!.fields![0]!.value).toContain('¶ 2');
  });
});

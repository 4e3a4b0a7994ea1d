/**
 * The answer buttons' handler without Discord: a real CommunityLog on an in-memory database with
 * a clock the test moves, and an interaction that records what the handler sends.
 */
import { MessageFlags, type MessageComponentInteraction } from 'discord.js';
import { describe, expect, it, vi } from 'vitest';
import { answerButtonsHandler } from '../../src/bot/answer-handler.ts';
import type { CommandContext } from '../../src/bot/command.ts';
import { parseCustomId } from '../../src/bot/custom-id.ts';
import { messagesFor } from '../../src/bot/messages.ts';
import { CommunityLog } from '../../src/community/community-log.ts';
import { Analyzer } from '../../src/index/analyzer.ts';
import type { ParagraphView } from '../../src/community/paragraphs.ts';
import { DAY_MS } from '../../src/storage/community-store.ts';
import { openSqliteStore } from '../../src/storage/sqlite-store.ts';

const GUILD = '111111111111111111';
const en = messagesFor('en');
const PARAGRAPHS: Record<string, string> = {
  'a#1': 'Erster Satz über Paris. Die Koalition der Willigen traf sich in Paris. Ein dritter Satz folgt.',
  'a#2': 'Zweiter Absatz mit @everyone und [klick](https://evil.example).',
};

async function setUp(logDays = 30, analyzer: Analyzer | null = null) {
  let now = Date.UTC(2026, 10, 30, 12);
  const store = openSqliteStore({ file: ':memory:' });
  const paragraphs = (articleId: string, paragraph: number): ParagraphView | null => {
    const text = PARAGRAPHS[`${articleId}#${paragraph}`];
    return text === undefined ? null : { articleId, paragraph, title: 'Koalition', date: '2025-09-05', category: 'Politik', url: null, text };
  };
  const log = new CommunityLog({ store, logDays, paragraphs: () => paragraphs, now: () => now });
  const hit = (paragraph: number) => ({ passage: { articleId: 'a', paragraph, title: 'Koalition' }, relevant: true, score: 1 });
  const answerId = await log.recordAnswer({
    question: 'Wo traf sich die Koalition?',
    language: 'en',
    surface: 'slash',
    guildId: GUILD,
    channelId: '333333333333333333',
    response: { hits: [hit(1), hit(2), hit(3)], declined: false, mode: 'lexical' },
    shown: 1,
    latencyMs: 5,
  });
  const context = { community: { log, logDays }, service: { current: analyzer ? { index: { lexical: { analyzer } } } : null }, messages: en, language: 'en' } as unknown as CommandContext;
  return { answerId, context, later: (ms: number) => (now += ms) };
}

/** Presses a button with `customId`, as `user`, on a message (ephemeral or not); returns what was sent. */
async function press(customId: string, context: CommandContext, options: { user?: string; ephemeralMessage?: boolean } = {}) {
  const sent: Record<string, unknown>[] = [];
  const acks: string[] = [];
  const interaction = {
    guildId: GUILD,
    user: { id: options.user ?? '555555555555555555' },
    message: { flags: { has: (flag: number) => flag === MessageFlags.Ephemeral && (options.ephemeralMessage ?? false) } },
    deferReply: vi.fn(async (payload: { flags?: number }) => void acks.push(payload.flags === MessageFlags.Ephemeral ? 'deferReply(ephemeral)' : 'deferReply')),
    deferUpdate: vi.fn(async () => void acks.push('deferUpdate')),
    editReply: vi.fn(async (payload: Record<string, unknown>) => void sent.push(payload)),
  } as unknown as MessageComponentInteraction;
  const args = answerButtonsHandler.parse(parseCustomId(customId)!);
  expect(args, customId).not.toBeNull();
  await answerButtonsHandler.run(interaction as never, args, context);
  return { acks, reply: sent.at(-1)! };
}

describe('answer buttons', () => {
  it('counts one vote per member: a second press of the other button changes it, of the same one keeps it', async () => {
    const { answerId, context } = await setUp();
    const first = await press(`answer:up:${answerId}`, context);
    expect(first.acks).toEqual(['deferReply(ephemeral)']);
    expect(first.reply.content).toBe(`${en.votes.recorded(true)}\n${en.votes.counts(1, 0)}`);
    expect((await press(`answer:down:${answerId}`, context)).reply.content).toBe(`${en.votes.changed(false)}\n${en.votes.counts(0, 1)}`);
    expect((await press(`answer:down:${answerId}`, context)).reply.content).toBe(`${en.votes.unchanged(false)}\n${en.votes.counts(0, 1)}`);
    expect((await press(`answer:up:${answerId}`, context, { user: '666666666666666666' })).reply.content).toContain(en.votes.counts(1, 1));
  });

  it('says an answer has expired once retention is past, for every button', async () => {
    const { answerId, context, later } = await setUp(30);
    later(30 * DAY_MS);
    for (const id of [`answer:up:${answerId}`, `answer:more:${answerId}:1`, `answer:para:${answerId}:1`]) {
      expect((await press(id, context)).reply.content, id).toBe('This answer has expired: answers are kept 30 days. Ask the question again.');
    }
  });

  it('More shows the next excerpts (numbered after the answer) with a button per excerpt, in a private reply', async () => {
    const { answerId, context } = await setUp();
    const { acks, reply } = await press(`answer:more:${answerId}:1`, context);
    expect(acks).toEqual(['deferReply(ephemeral)']);
    const embed = (reply.embeds as { title: string; fields: { name: string; value: string }[]; footer: { text: string } }[])[0]!;
    expect(embed.title).toBe('More on: Wo traf sich die Koalition?');
    expect(embed.footer.text).toBe('Page 1 of 2');
    expect(embed.fields[0]!.name).toBe('2. Koalition');
    // Quoted text is made safe: no ping, no link.
    expect(embed.fields[0]!.value).toContain('@\u2024everyone');
    expect(embed.fields[0]!.value).toContain('\\(https\\://evil.example)');
    const ids = (reply.components as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((button) => button.custom_id));
    expect(ids).toEqual([`answer:more:${answerId}:2`, `answer:para:${answerId}:2`]);
  });

  it('turns the page of a private More reply in place; a paragraph that is gone says so', async () => {
    const { answerId, context } = await setUp();
    const { acks, reply } = await press(`answer:more:${answerId}:2`, context, { ephemeralMessage: true });
    expect(acks).toEqual(['deferUpdate']);
    const embed = (reply.embeds as { fields: { name: string; value: string }[] }[])[0]!;
    expect(embed.fields[0]!.name).toBe('3. Koalition');
    expect(embed.fields[0]!.value).toContain(en.citation.gone);
  });

  it('Full paragraph shows the whole paragraph with its best sentence in bold (plain without an index); a rank the answer lacks is refused', async () => {
    const { answerId, context } = await setUp(30, Analyzer.load());
    const { reply } = await press(`answer:para:${answerId}:1`, context);
    const embed = (reply.embeds as { title: string; description: string }[])[0]!;
    expect(embed.title).toBe('1. Koalition');
    expect(embed.description).toContain('Erster Satz über Paris. **Die Koalition der Willigen traf sich in Paris.** Ein dritter Satz folgt.');
    expect((await press(`answer:para:${answerId}:9`, context)).reply.content).toBe(en.citation.noSuch);
    const withoutIndex = await setUp();
    const plain = (await press(`answer:para:${withoutIndex.answerId}:1`, withoutIndex.context)).reply;
    expect((plain.embeds as { description: string }[])[0]!.description).toContain(`\n${PARAGRAPHS['a#1']}`);
  });
});

/**
 * The use cases the bot's buttons and /stats call, without Discord: on each engine's store
 * (in-memory SQLite, and PostgreSQL when a server is given), with a clock the test moves and a
 * stand-in for the serving index's paragraphs.
 */
import { describe, expect, it } from 'vitest';
import { timedIdTime, newTimedId } from '../../src/community/timed-id.ts';
import { CommunityLog, type AnsweredQuestion, type AnswerHit } from '../../src/community/community-log.ts';
import { indexParagraphs, paragraphHash, type ParagraphSource, type ParagraphView } from '../../src/community/paragraphs.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { DAY_MS } from '../../src/storage/community-store.ts';
import { describeEachEngine, type CommunityEngine } from '../helpers/community-engines.ts';

const T0 = Date.UTC(2026, 10, 30, 12);
const GUILD = '111111111111111111';
const OTHER_GUILD = '222222222222222222';
const MEMBER = '555555555555555555';

function hit(articleId: string, paragraph: number, relevant = true): AnswerHit {
  return { passage: { articleId, paragraph, title: `Title ${articleId}` }, relevant, score: 1 / paragraph };
}

function answered(overrides: Partial<AnsweredQuestion> = {}): AnsweredQuestion {
  return {
    question: 'Wo traf sich die Koalition der Willigen?',
    language: 'de',
    surface: 'slash',
    guildId: GUILD,
    channelId: '333333333333333333',
    response: { hits: [hit('a', 1), hit('a', 2), hit('b', 1, false), hit('b', 3), hit('c', 4), hit('d', 1)], declined: false, mode: 'lexical' },
    shown: 2,
    latencyMs: 9,
    ...overrides,
  };
}

/** Paragraph texts by "article#paragraph", changeable as a reindex would change them. */
function paragraphTexts(texts: Record<string, string>): ParagraphSource {
  return (articleId, paragraph): ParagraphView | null => {
    const text = texts[`${articleId}#${paragraph}`];
    return text === undefined ? null : { articleId, paragraph, title: `Title ${articleId}`, date: null, category: null, url: null, text };
  };
}

async function setup(engine: CommunityEngine, logDays = 30, texts: Record<string, string> = {}) {
  const clock = { now: T0 };
  const store = await engine.open();
  const log = new CommunityLog({ store, logDays, now: () => clock.now, paragraphs: () => paragraphTexts(texts) });
  return { clock, store, log, texts };
}

describe('answer ids', () => {
  it('carry their creation time, are random beyond it, and fit a button custom id', () => {
    const id = newTimedId(T0);
    expect(id).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{11}$/);
    expect(timedIdTime(id)).toBe(T0);
    expect(newTimedId(T0)).not.toBe(id);
    expect(`quelle:more:${id}:2`.length).toBeLessThanOrEqual(100);
    for (const bad of ['', 'short', `${id}x`, `${id.slice(0, 19)}:`, 'ZZZZZZZZZ12345678901']) expect(timedIdTime(bad), bad).toBeNull();
  });
});

describeEachEngine('the community log', (engine) => {
  describe('recordAnswer', () => {
    it('keeps the relevant hits in rank order as citations, with the paragraph hash, and returns the id', async () => {
      const { log, store } = await setup(engine, 30, { 'a#1': 'Erster Absatz.', 'a#2': 'Zweiter Absatz.' });
      const id = await log.recordAnswer(answered());
      expect(timedIdTime(id)).toBe(T0);
      const stored = await store.findAnswer(id);
      expect(stored).toMatchObject({ question: 'Wo traf sich die Koalition der Willigen?', shown: 2, declined: false, surface: 'slash', mode: 'lexical', latencyMs: 9 });
      expect(stored!.citations.map((c) => [c.rank, c.articleId, c.paragraph, c.paragraphHash])).toEqual([
        [1, 'a', 1, paragraphHash('Erster Absatz.')],
        [2, 'a', 2, paragraphHash('Zweiter Absatz.')],
        [3, 'b', 3, null],
        [4, 'c', 4, null],
        [5, 'd', 1, null],
      ]);
    });

    it('keeps no question text with QUELLE_LOG_DAYS=0, and no citations for a declined answer', async () => {
      const { log, store } = await setup(engine, 0);
      const id = await log.recordAnswer(answered({ response: { hits: [hit('a', 1, false)], declined: true, mode: 'hybrid' } }));
      expect(await store.findAnswer(id)).toMatchObject({ question: null, declined: true, shown: 0, citations: [] });
    });
  });

  describe('recordVote', () => {
    it('records one vote per member, changeable, and says what changed', async () => {
      const { log } = await setup(engine);
      const answerId = await log.recordAnswer(answered());
      const vote = (memberId: string, v: 'up' | 'down') => log.recordVote({ answerId, guildId: GUILD, memberId, vote: v });
      expect(await vote(MEMBER, 'up')).toEqual({ status: 'recorded', vote: 'up', previous: null, changed: true, up: 1, down: 0 });
      expect(await vote(MEMBER, 'up')).toEqual({ status: 'recorded', vote: 'up', previous: 'up', changed: false, up: 1, down: 0 });
      expect(await vote(MEMBER, 'down')).toEqual({ status: 'recorded', vote: 'down', previous: 'up', changed: true, up: 0, down: 1 });
      expect(await vote('666666666666666666', 'up')).toMatchObject({ up: 1, down: 1 });
      const stats = await log.stats(GUILD);
      expect(stats.all).toMatchObject({ helpful: 1, unhelpful: 1, helpfulRate: 0.5 });
    });

    it('on another server the answer is unknown; past retention it has expired; a malformed id is unknown', async () => {
      const { log, clock } = await setup(engine, 7);
      const answerId = await log.recordAnswer(answered());
      expect(await log.recordVote({ answerId, guildId: OTHER_GUILD, memberId: MEMBER, vote: 'up' })).toEqual({ status: 'unknown' });
      expect(await log.recordVote({ answerId, guildId: null, memberId: MEMBER, vote: 'up' })).toEqual({ status: 'unknown' });
      expect(await log.recordVote({ answerId: 'not-an-id', guildId: GUILD, memberId: MEMBER, vote: 'up' })).toEqual({ status: 'unknown' });
      // A well-formed id of the last days that this database never saw (a restored or replaced file).
      expect(await log.moreResults({ answerId: newTimedId(T0 - DAY_MS), guildId: GUILD })).toEqual({ status: 'unknown' });

      clock.now = T0 + 7 * DAY_MS - 1;
      expect(await log.recordVote({ answerId, guildId: GUILD, memberId: MEMBER, vote: 'up' })).toMatchObject({ status: 'recorded' });
      clock.now = T0 + 7 * DAY_MS;
      // Expired even before the purge has removed it…
      expect(await log.recordVote({ answerId, guildId: GUILD, memberId: MEMBER, vote: 'down' })).toEqual({ status: 'expired' });
      // …and after.
      expect(await log.purge()).toMatchObject({ answersRemoved: 1 });
      expect(await log.moreResults({ answerId, guildId: GUILD })).toEqual({ status: 'expired' });
      expect(await log.fullParagraph({ answerId, guildId: GUILD, rank: 1 })).toEqual({ status: 'expired' });
    });
  });

  describe('moreResults and fullParagraph', () => {
    it('pages through the citations beyond those shown, as the index has them now', async () => {
      const texts = { 'b#3': 'B drei.', 'c#4': 'C vier.', 'd#1': 'D eins.' };
      const { log } = await setup(engine, 30, texts);
      const answerId = await log.recordAnswer(answered());
      const first = await log.moreResults({ answerId, guildId: GUILD });
      expect(first).toMatchObject({ status: 'found', question: 'Wo traf sich die Koalition der Willigen?', language: 'de', page: 1, pages: 2 });
      if (first.status !== 'found') throw new Error('expected found');
      expect(first.results.map((r) => [r.citation.rank, r.current?.text, r.changed])).toEqual([
        [3, 'B drei.', false],
        [4, 'C vier.', false],
      ]);
      const second = await log.moreResults({ answerId, guildId: GUILD, page: 2 });
      expect(second.status === 'found' && second.results.map((r) => r.citation.rank)).toEqual([5]);
      const beyond = await log.moreResults({ answerId, guildId: GUILD, page: 3 });
      expect(beyond).toMatchObject({ status: 'found', pages: 2, results: [] });
      const single = await log.moreResults({ answerId, guildId: GUILD, pageSize: 1, page: 3 });
      expect(single.status === 'found' && single.results.map((r) => r.citation.rank)).toEqual([5]);
    });

    it('an answer that showed everything has no further page', async () => {
      const { log } = await setup(engine);
      const answerId = await log.recordAnswer(answered({ response: { hits: [hit('a', 1)], declined: false, mode: 'lexical' }, shown: 3 }));
      expect(await log.moreResults({ answerId, guildId: GUILD })).toMatchObject({ status: 'found', pages: 0, results: [] });
    });

    it('shows the whole paragraph, and says when the article changed or lost it since the answer', async () => {
      const { log, texts } = await setup(engine, 30, { 'a#1': 'Der Absatz, wie er war.', 'a#2': 'Zweiter.' });
      const answerId = await log.recordAnswer(answered());
      expect(await log.fullParagraph({ answerId, guildId: GUILD, rank: 1 })).toMatchObject({
        status: 'found',
        cited: { citation: { articleId: 'a', paragraph: 1 }, current: { text: 'Der Absatz, wie er war.' }, changed: false },
      });
      Object.assign(texts, { 'a#1': 'Ein anderer Text nach einer Änderung.' });
      delete (texts as Record<string, string>)['a#2'];
      expect(await log.fullParagraph({ answerId, guildId: GUILD, rank: 1 })).toMatchObject({ status: 'found', cited: { current: { text: 'Ein anderer Text nach einer Änderung.' }, changed: true } });
      expect(await log.fullParagraph({ answerId, guildId: GUILD, rank: 2 })).toMatchObject({ status: 'found', cited: { current: null, changed: false } });
      expect(await log.fullParagraph({ answerId, guildId: GUILD, rank: 9 })).toEqual({ status: 'no-such-citation' });
    });
  });

  describe('stats, reindex history and article changes', () => {
    it('counts the whole deployment and one server, with the median answer time and the last reindex; they survive a restart', async () => {
      const { log } = await setup(engine);
      await log.recordAnswer(answered({ latencyMs: 10 }));
      await log.recordAnswer(answered({ latencyMs: 30, response: { hits: [], declined: true, mode: 'lexical' } }));
      await log.recordAnswer(answered({ latencyMs: 20, guildId: OTHER_GUILD }));
      await log.recordReindex({
        startedAt: T0 - 5000,
        finishedAt: T0,
        outcome: 'done',
        trigger: 'command',
        actorId: MEMBER,
        summary: { mode: 'lexical', model: null, articles: 2, passages: 9, added: ['x'], changed: [], removed: ['y', 'z'], skipped: [] },
      });
      const stats = await log.stats(GUILD);
      expect(stats.all).toEqual({ questions: 3, declined: 1, helpful: 0, unhelpful: 0, latencyMsTotal: 60, helpfulRate: null });
      expect(stats.server).toMatchObject({ questions: 2, declined: 1 });
      expect(stats.medianMs).toBe(20);
      expect(stats.lastReindex).toMatchObject({ outcome: 'done', trigger: 'command', actorId: MEMBER, articles: 2, passages: 9, added: 1, changed: 0, removed: 2, skipped: 0, error: null });
      expect((await log.stats()).server).toBeNull();
    });

    it('records an article change with who and when, keeping every other field as its detail', async () => {
      const { log } = await setup(engine);
      await log.recordArticleChange({ action: 'replace', articleId: 'seed', actorId: MEMBER, actorName: 'Moderatorin', at: new Date(T0 - 1000), file: 'seed.txt', bytes: 2048 });
      await log.recordArticleChange({ action: 'remove', articleId: 'old' });
      expect(await log.articleChanges()).toMatchObject([
        { action: 'remove', articleId: 'old', at: T0, actorId: null, actorName: null, detail: null },
        { action: 'replace', articleId: 'seed', at: T0 - 1000, actorId: MEMBER, actorName: 'Moderatorin', detail: { file: 'seed.txt', bytes: 2048 } },
      ]);
    });
  });
});

describe('indexParagraphs', () => {
  it('joins the parts of a split paragraph, in part order, and finds nothing for a missing one', () => {
    const passage = (paragraph: number, part: number, parts: number, text: string) => ({
      id: `x#${paragraph}.${part}`, articleId: 'x', title: 'X', date: '2025-09-05', category: 'Politik', url: null, paragraph, part, parts, text, hash: '',
    });
    const index = { passages: [passage(2, 2, 2, 'Satz zwei.'), passage(1, 1, 1, 'Eins.'), passage(2, 1, 2, 'Satz eins.')] } as unknown as SearchIndex;
    const lookup = indexParagraphs(index);
    expect(lookup('x', 2)).toEqual({ articleId: 'x', paragraph: 2, title: 'X', date: '2025-09-05', category: 'Politik', url: null, text: 'Satz eins. Satz zwei.' });
    expect(lookup('x', 1)?.text).toBe('Eins.');
    expect(lookup('x', 3)).toBeNull();
    expect(lookup('y', 1)).toBeNull();
  });
});

/**
 * What each storage method of the community store promises, on both engines: SQLite (always) and
 * PostgreSQL (when a server is given; see test/helpers/postgres.ts). The same assertions hold for
 * both, so that the two implementations provably behave the same.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/storage/community-store.ts';
import { describeEachEngine } from '../helpers/community-engines.ts';
import { answer, citation, GUILD, OTHER_GUILD, T0 } from '../helpers/community-records.ts';

describeEachEngine('the community store', (engine) => {
  describe('answers and votes', () => {
    it('stores an answer with its citations in rank order and reads it back', async () => {
      const store = await engine.open();
      const recorded = answer('a1', { citations: [citation(2, 'x', 7), citation(1, 'y', 3)] });
      await store.recordAnswer(recorded);
      const found = await store.findAnswer('a1');
      expect(found).toEqual({ ...recorded, latencyMs: 12, citations: [citation(1, 'y', 3), citation(2, 'x', 7)] });
      expect(await store.findAnswer('nope')).toBeNull();
    });

    it('keeps one vote per member and answer; a change replaces it, a late-arriving older vote does not, and the day counts follow', async () => {
      const store = await engine.open();
      await store.recordAnswer(answer('a1'));
      expect(await store.setVote({ answerId: 'a1', memberId: 'm1', value: 1, at: T0 + 10 })).toEqual({ previous: null, current: 1, up: 1, down: 0 });
      expect(await store.setVote({ answerId: 'a1', memberId: 'm2', value: 1, at: T0 + 20 })).toEqual({ previous: null, current: 1, up: 2, down: 0 });
      expect(await store.setVote({ answerId: 'a1', memberId: 'm1', value: -1, at: T0 + 30 })).toEqual({ previous: 1, current: -1, up: 1, down: 1 });
      // The same vote again changes nothing.
      expect(await store.setVote({ answerId: 'a1', memberId: 'm1', value: -1, at: T0 + 40 })).toEqual({ previous: -1, current: -1, up: 1, down: 1 });
      // A press from before the latest one, processed after it: the latest wins.
      expect(await store.setVote({ answerId: 'a1', memberId: 'm1', value: 1, at: T0 + 35 })).toEqual({ previous: -1, current: -1, up: 1, down: 1 });
      expect(await store.activityCounts({ since: T0 })).toEqual({ questions: 1, declined: 0, helpful: 1, unhelpful: 1, latencyMsTotal: 12 });
      expect(await store.setVote({ answerId: 'missing', memberId: 'm1', value: 1, at: T0 })).toBeNull();
    });

    it('counts questions by day and server: windows start at a day, a server sees only its own', async () => {
      const store = await engine.open();
      await store.recordAnswer(answer('old', { createdAt: T0 - 3 * DAY_MS, declined: true, citations: [], shown: 0 }));
      await store.recordAnswer(answer('today', { latencyMs: 30 }));
      await store.recordAnswer(answer('elsewhere', { guildId: OTHER_GUILD, latencyMs: 50 }));
      await store.recordAnswer(answer('cli', { guildId: null, channelId: null, latencyMs: 70 }));
      expect(await store.activityCounts({ since: 0 })).toMatchObject({ questions: 4, declined: 1 });
      expect(await store.activityCounts({ since: T0 - 2 * DAY_MS })).toMatchObject({ questions: 3, declined: 0, latencyMsTotal: 150 });
      expect(await store.activityCounts({ since: 0, guildId: GUILD })).toMatchObject({ questions: 2, declined: 1 });
      expect(await store.recentLatencies(2)).toHaveLength(2);
      expect((await store.recentLatencies(10, OTHER_GUILD))).toEqual([50]);
    });
  });

  describe('what insights and feedback read', () => {
    it('declined questions, most-cited articles (shown citations only), and answers with a 👎 with what they showed', async () => {
      const store = await engine.open();
      await store.recordAnswer(answer('d1', { declined: true, citations: [], shown: 0, question: 'Wetter in Wien?', createdAt: T0 + 1 }));
      await store.recordAnswer(answer('d2', { declined: true, citations: [], shown: 0, question: null, createdAt: T0 + 2 }));
      await store.recordAnswer(answer('a1', { citations: [citation(1, 'x'), citation(2, 'y'), citation(3, 'z')], shown: 2 }));
      await store.recordAnswer(answer('a2', { citations: [citation(1, 'x'), citation(2, 'x', 5)], shown: 2 }));
      await store.recordAnswer(answer('a3', { guildId: OTHER_GUILD, citations: [citation(1, 'z')], shown: 1 }));
      await store.setVote({ answerId: 'a1', memberId: 'm1', value: -1, at: T0 + 100 });
      await store.setVote({ answerId: 'a1', memberId: 'm2', value: 1, at: T0 + 101 });
      await store.setVote({ answerId: 'a2', memberId: 'm1', value: -1, at: T0 + 200 });
      await store.setVote({ answerId: 'a3', memberId: 'm1', value: 1, at: T0 + 300 });

      expect(await store.declinedQuestions({ since: T0 }, 10)).toEqual([{ question: 'Wetter in Wien?', createdAt: T0 + 1 }]);
      // z was offered only beyond what a1 showed (rank 3), and a3 is another server's.
      expect(await store.mostCitedArticles({ since: T0, guildId: GUILD }, 10)).toEqual([
        { articleId: 'x', title: 'Title of x', answers: 2 },
        { articleId: 'y', title: 'Title of y', answers: 1 },
      ]);
      const unhelpful = await store.recentUnhelpful({ since: T0 }, 10);
      expect(unhelpful.map((u) => [u.answerId, u.down, u.up, u.lastVotedAt])).toEqual([
        ['a2', 1, 0, T0 + 200],
        ['a1', 1, 1, T0 + 100],
      ]);
      expect(unhelpful[1]!.cited.map((c) => c.articleId)).toEqual(['x', 'y']);
      expect(await store.recentUnhelpful({ since: T0, guildId: OTHER_GUILD }, 10)).toEqual([]);

      const helpful = await store.helpfulAnswers({ since: 0 });
      expect(helpful.map((h) => [h.answerId, h.first.articleId, h.up, h.down])).toEqual([['a3', 'z', 1, 0]]);
      // a1 has as many 👎 as 👍: not helpful. d2 has no text.
      expect((await store.declinedWithoutHelpful({ since: 0 })).map((d) => d.answerId)).toEqual(['d1']);
    });
  });

  describe('reindex history and article changes', () => {
    it('returns the latest reindex and the latest changes first, optionally of one article', async () => {
      const store = await engine.open();
      const run = { id: 'r1', startedAt: T0, finishedAt: T0 + 5000, outcome: 'done' as const, trigger: 'command', actorId: '444444444444444444', mode: 'lexical', model: null, articles: 3, passages: 12, added: 1, changed: 0, removed: 0, skipped: 2, error: null };
      await store.recordReindex(run);
      await store.recordReindex({ ...run, id: 'r2', finishedAt: T0 + 9000, outcome: 'failed', error: 'disk full' });
      expect(await store.lastReindex()).toEqual({ ...run, id: 'r2', finishedAt: T0 + 9000, outcome: 'failed', error: 'disk full' });

      await store.recordArticleChange({ id: 'c1', at: T0, action: 'add', articleId: 'a', actorId: '5', actorName: 'Mod', detail: { file: 'a.txt', bytes: 120 } });
      await store.recordArticleChange({ id: 'c2', at: T0 + 1, action: 'remove', articleId: 'b', actorId: null, actorName: null, detail: null });
      expect((await store.articleChanges(10)).map((c) => c.id)).toEqual(['c2', 'c1']);
      expect(await store.articleChanges(10, 'a')).toEqual([{ id: 'c1', at: T0, action: 'add', articleId: 'a', actorId: '5', actorName: 'Mod', detail: { file: 'a.txt', bytes: 120 } }]);
    });
  });

  describe('purge', () => {
    it('removes question text and answers older than asked, with their citations and votes; counts stay', async () => {
      const store = await engine.open();
      await store.recordAnswer(answer('old', { createdAt: T0 - 40 * DAY_MS }));
      await store.setVote({ answerId: 'old', memberId: 'm1', value: 1, at: T0 - 40 * DAY_MS });
      await store.recordAnswer(answer('middle', { createdAt: T0 - 10 * DAY_MS }));
      await store.recordAnswer(answer('new', { createdAt: T0 }));
      const result = await store.purge({ questionTextBefore: T0 - 5 * DAY_MS, answersBefore: T0 - 30 * DAY_MS });
      expect(result).toMatchObject({ questionTextsRemoved: 2, answersRemoved: 1 });
      expect(await store.findAnswer('old')).toBeNull();
      expect((await store.findAnswer('middle'))?.question).toBeNull();
      expect((await store.findAnswer('new'))?.question).toBe('Frage new?');
      expect(await store.activityCounts({ since: 0 })).toMatchObject({ questions: 3, helpful: 1 });
      expect(await store.helpfulAnswers({ since: 0 })).toEqual([]);
    });
  });
});

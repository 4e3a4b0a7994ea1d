/**
 * Insights from a question log written through the same use case the bot calls: windows of 7 and
 * 30 days, helpful rate, coverage gaps, most-cited articles, recent 👎; one server's view; the
 * JSON document; and feedback as evaluation rows.
 */
import { describe, expect, it } from 'vitest';
import { CommunityLog, type AnsweredQuestion } from '../../src/community/community-log.ts';
import { exportFeedback, feedbackJsonLines, feedbackRows } from '../../src/community/feedback-export.ts';
import { computeInsights, insightsJson } from '../../src/community/insights.ts';
import { parseEvalSet } from '../../src/retrieval/evaluation/labelled-set.ts';
import { DAY_MS, type HelpfulAnswer } from '../../src/storage/community-store.ts';
import { describeEachEngine, type CommunityEngine } from '../helpers/community-engines.ts';

const NOW = Date.UTC(2026, 10, 30, 15);
const GUILD = '111111111111111111';
const OTHER_GUILD = '222222222222222222';

function answered(question: string, cited: [string, number][], overrides: Partial<AnsweredQuestion> = {}): AnsweredQuestion {
  return {
    question,
    language: 'de',
    surface: 'slash',
    guildId: GUILD,
    channelId: '333333333333333333',
    response: {
      hits: cited.map(([articleId, paragraph]) => ({ passage: { articleId, paragraph, title: `Titel ${articleId}` }, relevant: true, score: 1 })),
      declined: cited.length === 0,
      mode: 'lexical',
    },
    shown: 2,
    latencyMs: 10,
    ...overrides,
  };
}

/** A log with questions 20 days ago, 3 days ago and today, and votes on some of them. */
async function sampleLog(engine: CommunityEngine) {
  const clock = { now: NOW - 20 * DAY_MS };
  const store = await engine.open();
  // Each answer and vote a millisecond after the one before: the order of events is never a tie.
  const log = new CommunityLog({ store, logDays: 30, now: () => clock.now++ });
  const vote = (answerId: string, memberId: string, v: 'up' | 'down') => log.recordVote({ answerId, guildId: GUILD, memberId, vote: v });

  const old = await log.recordAnswer(answered('Wo traf sich die Koalition?', [['seed', 2]]));
  await vote(old, '900000000000000001', 'up');
  await log.recordAnswer(answered('Wann öffnet das Museum?', []));

  clock.now = NOW - 3 * DAY_MS;
  await log.recordAnswer(answered('Wie wird das Wetter morgen in Wien?', []));
  const helpful = await log.recordAnswer(answered('Was sagt der Kreml?', [['seed', 3], ['other', 1]]));
  await vote(helpful, '900000000000000001', 'up');
  await vote(helpful, '900000000000000002', 'up');

  clock.now = NOW;
  await log.recordAnswer(answered('wetter wien morgen', []));
  await log.recordAnswer(answered('Wetter morgen Wien?', []));
  const bad = await log.recordAnswer(answered('Wer schlägt ein neutrales Land vor?', [['other', 2], ['seed', 1]]));
  await vote(bad, '900000000000000003', 'down');
  await log.recordAnswer(answered('Wetter in Wien morgen', [], { guildId: OTHER_GUILD }));
  return { store, log, clock };
}

describeEachEngine('insights and feedback', (engine) => {
  describe('computeInsights', () => {
    it('reports each window: questions, helpful rate, coverage gaps, most-cited articles and recent 👎 with what they cited', async () => {
      const { store } = await sampleLog(engine);
      const insights = await computeInsights(store, { now: NOW, logDays: 30 });
      const [week, month] = insights.windows;
      expect(week).toMatchObject({ days: 7, since: Date.UTC(2026, 10, 24), questions: 6, declined: 4, votes: 3, helpful: 2, declinedGrouped: 4 });
      expect(week!.helpfulRate).toBeCloseTo(2 / 3);
      expect(week!.declinedRate).toBeCloseTo(4 / 6);
      expect(week!.coverageGaps.map((g) => [g.count, g.label])).toEqual([[4, 'Wetter in Wien morgen']]);
      expect(week!.coverageGaps[0]!.examples).toEqual(['Wetter in Wien morgen', 'Wetter morgen Wien?', 'wetter wien morgen']);
      expect(week!.mostCited).toEqual([
        { articleId: 'other', title: 'Titel other', answers: 2 },
        { articleId: 'seed', title: 'Titel seed', answers: 2 },
      ]);
      expect(week!.recentUnhelpful).toMatchObject([{ question: 'Wer schlägt ein neutrales Land vor?', down: 1, up: 0, cited: [{ articleId: 'other', paragraph: 2 }, { articleId: 'seed', paragraph: 1 }] }]);

      expect(month).toMatchObject({ days: 30, questions: 8, declined: 5, votes: 4, helpful: 3, helpfulRate: 0.75 });
      expect(month!.coverageGaps.map((g) => [g.count, g.label])).toEqual([
        [4, 'Wetter in Wien morgen'],
        [1, 'Wann öffnet das Museum?'],
      ]);
      expect(month!.mostCited[0]).toEqual({ articleId: 'seed', title: 'Titel seed', answers: 3 });
    });

    it('shows one server only its own questions', async () => {
      const { store } = await sampleLog(engine);
      const insights = await computeInsights(store, { now: NOW, logDays: 30, guildId: GUILD, days: [7] });
      expect(insights.windows).toHaveLength(1);
      expect(insights.windows[0]).toMatchObject({ questions: 5, declined: 3 });
      expect(insights.windows[0]!.coverageGaps.map((g) => g.examples)).toEqual([['Wetter morgen Wien?', 'wetter wien morgen', 'Wie wird das Wetter morgen in Wien?']]);
      const other = await computeInsights(store, { now: NOW, logDays: 30, guildId: OTHER_GUILD, days: [7] });
      expect(other.windows[0]).toMatchObject({ questions: 1, declined: 1, mostCited: [], recentUnhelpful: [] });
    });

    it('keeps counting after retention removed the text: counts from the daily counters, gaps only from kept text', async () => {
      const { store, log, clock } = await sampleLog(engine);
      clock.now = NOW + DAY_MS;
      const shortLog = new CommunityLog({ store, logDays: 2, now: () => clock.now });
      await shortLog.purge();
      const insights = await computeInsights(store, { now: clock.now, logDays: 2, days: [30] });
      expect(insights.windows[0]).toMatchObject({ questions: 8, declined: 5, helpful: 3, votes: 4, declinedGrouped: 3 });
      expect(log.retention.logDays).toBe(30);
    });

    it('prints as a JSON document with snake_case keys and ISO times', async () => {
      const { store } = await sampleLog(engine);
      const json = insightsJson(await computeInsights(store, { now: NOW, logDays: 30, days: [7] })) as { windows: Record<string, unknown>[] } & Record<string, unknown>;
      expect(json).toMatchObject({ generated_at: '2026-11-30T15:00:00.000Z', guild_id: null, question_text_kept_days: 30 });
      expect(Object.keys(json.windows[0]!).sort()).toEqual(
        ['coverage_gaps', 'days', 'declined', 'declined_grouped', 'declined_rate', 'helpful', 'helpful_rate', 'most_cited', 'questions', 'recent_unhelpful', 'since', 'votes'].sort(),
      );
      expect(json.windows[0]!.coverage_gaps).toEqual([
        { count: 4, label: 'Wetter in Wien morgen', examples: ['Wetter in Wien morgen', 'Wetter morgen Wien?', 'wetter wien morgen'], last_asked_at: expect.stringMatching(/^2026-11-30T15:00:00\.0\d\dZ$/) },
      ]);
    });
  });

  describe('feedback as evaluation data', () => {
    it('exports 👍 answers with their first citation and declined questions without a 👍, in a file eval reads', async () => {
      const { store, log } = await sampleLog(engine);
      const declinedId = await log.recordAnswer(answered('Gibt es Neuigkeiten zur Wahl?', []));
      await log.recordVote({ answerId: declinedId, guildId: GUILD, memberId: '900000000000000004', vote: 'up' });
      const rows = await exportFeedback(store);
      expect(rows.answerable).toEqual([
        { question: 'Wo traf sich die Koalition?', article: 'seed', paragraph: 2, lang: 'de' },
        { question: 'Was sagt der Kreml?', article: 'seed', paragraph: 3, lang: 'de' },
      ]);
      // The declined question someone marked 👍 is left out; the repeats of one wording are one row.
      expect(rows.unanswerable.map((row) => row.question)).toEqual(['Wann öffnet das Museum?', 'Wie wird das Wetter morgen in Wien?', 'wetter wien morgen', 'Wetter morgen Wien?', 'Wetter in Wien morgen']);
      expect(rows.unanswerable[0]).toEqual({ question: 'Wann öffnet das Museum?', lang: 'de', unanswerable: true });

      const parsed = parseEvalSet(feedbackJsonLines(rows), 'feedback.jsonl', 'questions');
      expect(parsed.answerable).toEqual(rows.answerable);
      expect(parsed.unanswerable).toEqual(rows.unanswerable.map(({ question, lang }) => ({ question, lang })));
    });
  });
});

describe('feedback rows', () => {
  it('merges one wording asked several times into the answer with the most net 👍, and drops it from the unanswerable candidates', () => {
    const helpful = (answerId: string, question: string, articleId: string, up: number, down: number, createdAt: number): HelpfulAnswer => ({
      answerId, question, language: 'de', createdAt, up, down, first: { rank: 1, articleId, paragraph: 1, title: '', score: 1, paragraphHash: null },
    });
    const rows = feedbackRows(
      [helpful('a', 'Wo ist das?', 'x', 1, 0, 1), helpful('b', 'wo  ist das?', 'y', 3, 1, 2), helpful('c', 'WO IST DAS?', 'z', 2, 0, 3)],
      [{ answerId: 'd', question: 'Wo ist das? ', language: 'en', createdAt: 4 }, { answerId: 'e', question: 'Neu', language: 'en', createdAt: 5 }],
    );
    // b and c both have net 2: the later wins.
    expect(rows.answerable).toEqual([{ question: 'WO IST DAS?', article: 'z', paragraph: 1, lang: 'de' }]);
    expect(rows.unanswerable).toEqual([{ question: 'Neu', lang: 'en', unanswerable: true }]);
  });
});

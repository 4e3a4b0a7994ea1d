/**
 * `npm run bench:insights`: how long /insights takes on a busy month (a script, not a test).
 * Fills a fresh database file with N logged questions (default 10,000) spread over the last 30
 * days, through the same use case the bot calls: a quarter declined, drawn from 60 topics in
 * several wordings plus one-off questions (the coverage gaps to group), three citations among 300
 * articles each, votes on a fifth of them. Then opens the file again (as `npm run insights` does)
 * and times computeInsights for the 7- and 30-day windows with the /insights embed built from
 * them, cold and warm, with the parts it spends its time on. Prints a table, or one JSON document with --json.
 *
 *   npm run bench:insights -- [--questions 10000] [--runs 5] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CommunityLog, type AnswerHit } from '../../src/community/community-log.ts';
import { buildInsightsEmbed } from '../../src/bot/insights-embed.ts';
import { embedLength } from '../../src/bot/embed-limits.ts';
import { messagesFor } from '../../src/bot/messages.ts';
import { computeInsights } from '../../src/community/insights.ts';
import { groupSimilarQuestions } from '../../src/community/similar-questions.ts';
import { DAY_MS } from '../../src/storage/community-store.ts';
import { openCommunityStore } from '../../src/storage/open-store.ts';
import { mulberry32 } from '../helpers/prng.ts';

const { values } = parseArgs({ options: { questions: { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean' } } });
const count = Number(values.questions ?? 10_000);
const runs = Number(values.runs ?? 5);
const random = mulberry32(14);
const pick = <T>(list: readonly T[]): T => list[random() % list.length]!;

const PLACES = ['Wien', 'Graz', 'Linz', 'Salzburg', 'Innsbruck', 'Berlin', 'München', 'Hamburg', 'Zürich', 'Bern'];
const SUBJECTS = ['Wetter', 'Wahl', 'Bahnstreik', 'Schulreform', 'Mietpreise', 'Klimagipfel', 'Fußballderby', 'Museumseintritt', 'Impfung', 'Budget'];
const FRAMES = ['Was gibt es Neues zu {s} in {p}?', '{s} {p} aktuell', 'wie ist die lage beim {s} in {p}', '{p} {s} news', 'Gibt es Infos zu {s} in {p}?'];
const TOPICS = Array.from({ length: 60 }, (_, i) => ({ subject: SUBJECTS[i % SUBJECTS.length]!, place: PLACES[Math.floor(i / SUBJECTS.length) % PLACES.length]! }));
const WORDS = 'Regierung Haushalt Verkehr Gericht Urteil Energie Preise Inflation Tor Trainer Saison Theater Forschung Studie Polizei Unfall Feuerwehr Gemeinde Steuer Export Industrie Lehrlinge Bauern'.split(' ');

function declinedQuestion(): string {
  if (random() % 5 === 0) return `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${random() % 1000}?`;
  const topic = pick(TOPICS);
  return pick(FRAMES).replace('{s}', topic.subject).replace('{p}', topic.place);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'quelle-bench-insights-'));
try {
  const now = Date.now();
  const clock = { now };
  const store = await openCommunityStore({ dataDir: dir, create: true });
  const log = new CommunityLog({ store, logDays: 30, now: () => clock.now });
  const fillStarted = performance.now();
  for (let i = 0; i < count; i++) {
    clock.now = now - Math.floor((i / count) * 30 * DAY_MS);
    const declined = random() % 4 === 0;
    const hits: AnswerHit[] = declined
      ? []
      : [1, 2, 3].map((rank) => {
          const articleId = `article_${String(random() % 300).padStart(3, '0')}`;
          return { passage: { articleId, paragraph: 1 + (random() % 8), title: `Titel ${articleId}` }, relevant: true, score: 1 / rank };
        });
    const guildId = pick(['111111111111111111', '222222222222222222']);
    const id = await log.recordAnswer({
      question: declined ? declinedQuestion() : `Frage ${i} zu ${pick(WORDS)} und ${pick(WORDS)}?`,
      language: 'de',
      surface: pick(['slash', 'mention', 'channel'] as const),
      guildId,
      channelId: '333333333333333333',
      response: { hits, declined, mode: 'hybrid' },
      shown: 3,
      latencyMs: 5 + (random() % 40),
    });
    if (random() % 5 === 0) await log.recordVote({ answerId: id, guildId, memberId: `9000000000000000${random() % 100}`, vote: random() % 4 === 0 ? 'down' : 'up' });
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  await store.close();

  const reopened = await openCommunityStore({ dataDir: dir, create: false });
  const timings: number[] = [];
  let last = null;
  let embedChars = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    last = await computeInsights(reopened, { now, logDays: 30 });
    // What /insights does with them: one embed (escaped, cut to Discord's limits).
    embedChars = embedLength(buildInsightsEmbed(last, messagesFor('de')));
    timings.push(performance.now() - started);
  }
  const month = last!.windows[1]!;
  const declinedTexts = await reopened.declinedQuestions({ since: month.since }, 20_000);
  const groupStarted = performance.now();
  const groups = groupSimilarQuestions(declinedTexts);
  const groupMs = performance.now() - groupStarted;
  await reopened.close();

  const result = {
    questions: count,
    declined_in_30_days: month.declined,
    coverage_groups: groups.length,
    fill_s: Number(fillSeconds.toFixed(2)),
    insights_cold_ms: Number(timings[0]!.toFixed(1)),
    insights_warm_ms: Number(Math.min(...timings.slice(1)).toFixed(1)),
    grouping_30_days_ms: Number(groupMs.toFixed(1)),
    discord_embed_chars: embedChars,
    runs,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(
      [
        '| questions | declined (30 days) | gap groups | insights, first run ms | insights, best later run ms | grouping alone ms |',
        '|---|---|---|---|---|---|',
        `| ${count.toLocaleString('en')} | ${month.declined} | ${groups.length} | ${result.insights_cold_ms} | ${result.insights_warm_ms} | ${result.grouping_30_days_ms} |`,
        '',
        `(7- and 30-day windows, and the /insights embed built from them: ${embedChars} of Discord's 6,000 characters; the database was filled in ${result.fill_s} s, one transaction per answer)`,
        '',
      ].join('\n'),
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

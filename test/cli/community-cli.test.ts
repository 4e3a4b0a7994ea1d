/**
 * `npm run insights`, `npm run feedback -- export` and `npm run eval` on what they export, as
 * users run them (real child processes). The database is generated the way the bot will fill it:
 * questions answered by the real Retriever on the seed article, recorded through the community
 * use case, voted on by members.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommunityLog } from '../../src/community/community-log.ts';
import { indexParagraphs } from '../../src/community/paragraphs.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { openCommunityStore } from '../../src/storage/open-store.ts';
import { copySeed, fixtureModelSettings, KOALITION_QUESTION, runCliCommand, SEED_ID, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-community-cli-');
const GUILD = '111111111111111111';
const STACK_FRAME = /^\s+at /m;
/** Answered from ¶1 first: the answer a member marks 👎 here. */
const PUTIN_QUESTION = 'Was sagte Putin in Wladiwostok über NATO-Truppen?';

let seedsDir: string;
let dataDir: string;
/** What the 👎 answer cited: its relevant hits as the retriever ranked them, ¶1 first (the paragraph that answers). */
let putinCited: { article: string; paragraph: number }[];

/** Asks as the bot does and records the answer; returns its id. */
async function askAndRecord(log: CommunityLog, retriever: Retriever, question: string): Promise<string> {
  const response = await retriever.search(question, { k: 10, mode: 'lexical' });
  return log.recordAnswer({ question, language: 'de', surface: 'slash', guildId: GUILD, channelId: '333333333333333333', response, shown: 3, latencyMs: response.tookMs });
}

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
  dataDir = path.join(await tempDir('data-'), 'data');
  const { index } = await runIndexer({ seedsDir, indexDir: await tempDir('index-'), mode: 'lexical', modelSettings: fixtureModelSettings, embedder: null });
  const retriever = new Retriever(index, null);
  const paragraphs = indexParagraphs(index);
  const store = await openCommunityStore({ dataDir, create: true });
  // A millisecond between events, from a minute ago: their order is never a tie.
  let now = Date.now() - 60_000;
  const log = new CommunityLog({ store, logDays: 30, paragraphs: () => paragraphs, now: () => now++ });
  const vote = (answerId: string, memberId: string, v: 'up' | 'down') => log.recordVote({ answerId, guildId: GUILD, memberId, vote: v });

  const koalition = await askAndRecord(log, retriever, KOALITION_QUESTION);
  await vote(koalition, '900000000000000001', 'up');
  await vote(koalition, '900000000000000002', 'up');
  const neutral = await askAndRecord(log, retriever, 'Wer schlägt ein neutrales Land vor?');
  await vote(neutral, '900000000000000001', 'down');
  await vote(neutral, '900000000000000001', 'up');
  const putin = await askAndRecord(log, retriever, PUTIN_QUESTION);
  putinCited = (await retriever.search(PUTIN_QUESTION, { k: 10, mode: 'lexical' })).hits
    .filter((hit) => hit.relevant)
    .slice(0, 3)
    .map((hit) => ({ article: hit.passage.articleId, paragraph: hit.passage.paragraph }));
  expect(putinCited[0], 'the answer to the Putin question cites ¶1 first').toEqual({ article: SEED_ID, paragraph: 1 });
  await vote(putin, '900000000000000003', 'down');
  for (const question of [KOALITION_QUESTION, 'Wer schlägt ein neutrales Land vor?', PUTIN_QUESTION]) {
    expect((await retriever.search(question, { k: 10, mode: 'lexical' })).declined, question).toBe(false);
  }
  for (const question of ['Wie viele Beine hat eine Vogelspinne?', 'vogelspinne beine wie viele', 'Wann beginnt die Fußball-WM?']) {
    const response = await retriever.search(question, { k: 10, mode: 'lexical' });
    expect(response.declined, question).toBe(true);
    await askAndRecord(log, retriever, question);
  }
  await store.close();
});

describe('npm run insights', () => {
  it('--json: questions, helpful rate, the declined questions grouped with counts, most-cited articles, recent 👎', async () => {
    const { code, stdout, stderr } = await runCliCommand('insights', ['--data', dataDir, '--json']);
    expect(code, stderr).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const insights = JSON.parse(stdout) as { question_text_kept_days: number; windows: Record<string, unknown>[] };
    expect(insights.question_text_kept_days).toBe(30);
    expect(insights.windows.map((w) => w.days)).toEqual([7, 30]);
    const week = insights.windows[0]!;
    expect(week).toMatchObject({ questions: 6, declined: 3, votes: 4, helpful: 3, helpful_rate: 0.75 });
    expect(week.coverage_gaps).toMatchObject([
      { count: 2, label: 'vogelspinne beine wie viele', examples: ['vogelspinne beine wie viele', 'Wie viele Beine hat eine Vogelspinne?'] },
      { count: 1, label: 'Wann beginnt die Fußball-WM?' },
    ]);
    expect(week.most_cited).toMatchObject([{ article: SEED_ID, answers: 3 }]);
    expect(week.recent_unhelpful).toMatchObject([{ question: PUTIN_QUESTION, down: 1, up: 0, cited: putinCited }]);
  });

  it('prints the same for people, and one window with --days', async () => {
    const { code, stdout, stderr } = await runCliCommand('insights', ['--data', dataDir, '--days', '3']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Insights for all servers, \d{4}-\d\d-\d\d \d\d:\d\d UTC \(question text kept 30 days\)\n\nLast 3 days \(since \d{4}-\d\d-\d\d\)\n/);
    expect(stdout).toContain('  questions       6 (3 declined, 50.0%)\n');
    expect(stdout).toContain('  helpful         75.0% (3 of 4 votes)\n');
    expect(stdout).toContain('  coverage gaps (declined questions by similar wording; 3 grouped):\n       2×  "vogelspinne beine wie viele"\n           also: "Wie viele Beine hat eine Vogelspinne?"\n');
    expect(stdout).toMatch(/ {8}3 {2}Putin bekräftigt Widerstand .* \(000_844079290e2bd696\)\n/);
    expect(stdout).toMatch(new RegExp(String.raw` {4}\d{4}-\d\d-\d\d {2}"Was sagte Putin in Wladiwostok über NATO-Truppen\?" — 1 👎, 0 👍 → Putin bekräftigt [^;]* \(000_844079290e2bd696\) ${putinCited.map((c) => `¶${c.paragraph}`).join(', ')}\n`));
    expect(stdout).not.toContain('Last 7 days');
    process.stdout.write(`sample insights output:\n${stdout}`);
  });

  it('reads QUELLE_DATA_DIR, and without a database says where it looked, exit 1; bad flags exit 2', async () => {
    const viaEnv = await runCliCommand('insights', ['--json'], { QUELLE_DATA_DIR: dataDir });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const empty = path.join(await tempDir('empty-'), 'data');
    const missing = await runCliCommand('insights', ['--data', empty]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`error: No database at ${path.join(empty, 'quelle.db')} yet: the bot creates it when it answers its first question. Check QUELLE_DATA_DIR (or --data DIR) if the bot keeps it elsewhere.\n`);
    for (const args of [['--days', '0'], ['--guild', 'mine'], ['extra']]) {
      const bad = await runCliCommand('insights', ['--data', dataDir, ...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).not.toMatch(STACK_FRAME);
    }
  });
});

describe('npm run feedback -- export, then npm run eval on the exported file', () => {
  let exported: string;

  beforeAll(async () => {
    exported = path.join(await tempDir('export-'), 'feedback.jsonl');
  });

  it('exports 👍 answers with their first citation and the declined questions without a 👍', async () => {
    const { code, stdout, stderr } = await runCliCommand('feedback', ['export', '--out', exported, '--data', dataDir]);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(`Wrote 2 answered and 3 unanswerable questions to ${exported}\n`);
    const rows = (await readFile(exported, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toEqual([
      { question: KOALITION_QUESTION, article: SEED_ID, paragraph: 2, lang: 'de' },
      { question: 'Wer schlägt ein neutrales Land vor?', article: SEED_ID, paragraph: 4, lang: 'de' },
      { question: 'Wie viele Beine hat eine Vogelspinne?', lang: 'de', unanswerable: true },
      { question: 'vogelspinne beine wie viele', lang: 'de', unanswerable: true },
      { question: 'Wann beginnt die Fußball-WM?', lang: 'de', unanswerable: true },
    ]);
  });

  it('eval reads both kinds from the one file, reports the mode, and --calibrate proposes thresholds from them', async () => {
    const { code, stdout, stderr } = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', exported, '--mode', 'lexical', '--calibrate', '--json']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ n: 2, 'recall@1': 1, declined: 0, unanswerable_n: 3, unanswerable_declined: 1, mode: 'lexical' });
    expect(JSON.parse(stdout)).not.toHaveProperty('fallback_reason');
    expect(stderr).toContain('calibration (lexical, 2 answerable, 3 unanswerable questions):');
    expect(stderr.split('\n').filter((line) => /^ {2}QUELLE_MIN_LEXICAL_SCORE ≥ \d+\.\d{3}: declines 0\.0% of answerable, 100\.0% of unanswerable$/.test(line))).toHaveLength(2);

    const readable = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', exported, '--mode', 'lexical']);
    expect(readable.stdout).toContain('2 questions (split all), mode lexical\n');
    expect(readable.stdout).toContain('unanswerable questions declined: 100.0% of 3\n');
  });

  it('--lang keeps the rows of one language; a language no row has leaves nothing to measure (exit 2)', async () => {
    const de = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', exported, '--mode', 'lexical', '--lang', 'de', '--json']);
    expect(de.code, de.stderr).toBe(0);
    expect(JSON.parse(de.stdout)).toMatchObject({ n: 2, unanswerable_n: 3 });
    const en = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', exported, '--mode', 'lexical', '--lang', 'en', '--json']);
    expect(en.code).toBe(2);
    expect(en.stderr).toContain(`No answerable questions (rows with "article" and "paragraph") in ${exported} for --split all --lang en.`);
  });

  it('refuses a missing action or --out with the usage, exit 2', async () => {
    for (const args of [[], ['import'], ['export']]) {
      const { code, stdout, stderr } = await runCliCommand('feedback', [...args, '--data', dataDir]);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('Usage: npm run feedback -- export --out FILE.jsonl');
    }
  });
});

describe('eval --lang and the mode after a fallback', () => {
  it('--lang filters a chat-style set by its rows\' lang, and refuses a file without languages', async () => {
    const dir = await tempDir('lang-');
    const mixed = path.join(dir, 'mixed.jsonl');
    await writeFile(
      mixed,
      [
        `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2, "lang": "de"}`,
        `{"question": "Where did the coalition of the willing meet in Paris?", "article": "${SEED_ID}", "paragraph": 2, "lang": "en"}`,
        `{"question": "Who suggests a neutral country?", "article": "${SEED_ID}", "paragraph": 4, "lang": "en"}`,
      ].join('\n'),
    );
    const en = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', mixed, '--mode', 'lexical', '--lang', 'en', '--json']);
    expect(en.code, en.stderr).toBe(0);
    expect(JSON.parse(en.stdout)).toMatchObject({ n: 2 });
    const de = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', mixed, '--mode', 'lexical', '--lang', 'de']);
    expect(de.stdout).toContain('1 questions (split all, lang de), mode lexical\n');

    const plain = path.join(dir, 'plain.jsonl');
    await writeFile(plain, `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2}\n`);
    const refused = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', plain, '--mode', 'lexical', '--lang', 'de']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`--lang de: no row of ${plain} says its language ("lang": "de" or "en"). Leave out --lang for this file.\n`);
    const unknown = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', mixed, '--lang', 'fr']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--lang must be one of de, en, not "fr".');
  });

  it('--json says the mode actually used and, after a fallback, why', async () => {
    const dir = await tempDir('fallback-');
    const questions = path.join(dir, 'questions.jsonl');
    await writeFile(questions, `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2}\n`);
    const missing = path.join(dir, 'no-model');
    const { code, stdout, stderr } = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'hybrid', '--json'], { EMBEDDING_MODEL_DIR: missing });
    expect(code, stderr).toBe(0);
    const metrics = JSON.parse(stdout) as { mode: string; fallback_reason: string };
    expect(metrics.mode).toBe('lexical');
    expect(metrics.fallback_reason).toMatch(new RegExp(`^Cannot load the embedding model from ${missing}`));
    const hybrid = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'hybrid', '--json']);
    expect(hybrid.code, hybrid.stderr).toBe(0);
    expect(JSON.parse(hybrid.stdout)).toMatchObject({ mode: 'hybrid' });
    expect(JSON.parse(hybrid.stdout)).not.toHaveProperty('fallback_reason');
  });
});

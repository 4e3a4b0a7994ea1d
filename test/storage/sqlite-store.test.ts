/**
 * The SQLite community store: migrations (in order, each in a transaction, recorded in
 * user_version; a newer database refused), WAL, and what each storage method promises — on
 * in-memory and temp-file databases.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isQuelleError } from '../../src/errors.ts';
import { DAY_MS, type AnswerRecord, type CitationRecord } from '../../src/storage/community-store.ts';
import { MIGRATIONS, pendingMigrations, SCHEMA_VERSION, type Migration } from '../../src/storage/migrations.ts';
import { applyMigrations, openSqliteStore } from '../../src/storage/sqlite-store.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-store-');
const T0 = Date.UTC(2026, 10, 1, 12);
const GUILD = '111111111111111111';
const OTHER_GUILD = '222222222222222222';

function citation(rank: number, articleId = 'seed', paragraph = rank): CitationRecord {
  return { rank, articleId, paragraph, title: `Title of ${articleId}`, score: 10 - rank, paragraphHash: `hash${rank}` };
}

function answer(id: string, overrides: Partial<AnswerRecord> = {}): AnswerRecord {
  return {
    id,
    createdAt: T0,
    guildId: GUILD,
    channelId: '333333333333333333',
    surface: 'slash',
    language: 'de',
    mode: 'lexical',
    declined: false,
    latencyMs: 12.4,
    question: `Frage ${id}?`,
    shown: 2,
    citations: [citation(1), citation(2), citation(3)],
    ...overrides,
  };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('opening and migrations', () => {
  it('creates the schema in WAL mode and records its version in user_version', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    const store = openSqliteStore({ file });
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
    expect(tables).toEqual(['answers', 'article_changes', 'citations', 'daily_counts', 'reindex_runs', 'votes']);
    db.close();
  });

  it('applies only the pending migrations, in order, each in one transaction: a failing one leaves the database at the one before', () => {
    const db = new Database(':memory:');
    const first: Migration = { version: 1, description: 'a', statements: ['CREATE TABLE a (x TEXT)'] };
    const broken: Migration = { version: 2, description: 'b', statements: ['CREATE TABLE b (x TEXT)', 'INSERT INTO no_such_table VALUES (1)'] };
    const error = thrown(() => applyMigrations(db, 'test.db', [first, broken]));
    expect(isQuelleError(error, ErrorCode.DatabaseUnusable)).toBe(true);
    expect((error as Error).message).toBe('Updating the database test.db to schema 2 (b) failed: no such table: no_such_table. It is left at schema 1, unchanged; this is a bug, please report it with this message.');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    // The failed migration's first statement was rolled back with it.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();

    db.exec('INSERT INTO a VALUES (1)');
    const fixed: Migration = { version: 2, description: 'b', statements: ['CREATE TABLE b (x TEXT)'] };
    applyMigrations(db, 'test.db', [first, fixed]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    // Migration 1 was not run again.
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a database written by a newer Quelle, says what to do, and leaves it untouched', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    await openSqliteStore({ file }).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    db.close();
    const before = await readFile(file);

    const error = thrown(() => openSqliteStore({ file }));
    expect(isQuelleError(error, ErrorCode.DatabaseTooNew)).toBe(true);
    expect((error as Error).message).toBe(
      `The database ${file} was written by a newer version of Quelle (schema ${SCHEMA_VERSION + 3}; this version knows schema ${SCHEMA_VERSION} at most). ` +
        'Run the newer version, or point QUELLE_DATA_DIR at another folder to start a new database.',
    );
    expect(await readFile(file)).toEqual(before);
  });

  it('refuses a file that is not a database with the fix', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    await writeFile(file, 'this is a text file, not SQLite\n'.repeat(200));
    const error = thrown(() => openSqliteStore({ file }));
    expect(isQuelleError(error, ErrorCode.DatabaseUnusable)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot use the database ${file} \\(SQLITE_NOTADB: .*\\)\\. It is not a Quelle database or it is damaged: move it away`));
  });

  it('an SQLite failure while working is an error that names the file and the fix, not a stack', async () => {
    const file = path.join(await tempDir(), 'quelle.db');
    const store = openSqliteStore({ file });
    await store.recordAnswer(answer('a1', { createdAt: T0 - 100 * DAY_MS }));
    // A trigger stands in for a file SQLite cannot write (as root, file modes do not stop it).
    const db = new Database(file);
    db.exec("CREATE TRIGGER refuse BEFORE DELETE ON answers BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END");
    db.close();
    const error = await store.purge({ questionTextBefore: T0, answersBefore: T0 }).catch((caught: unknown) => caught);
    expect(isQuelleError(error, ErrorCode.DatabaseUnusable)).toBe(true);
    expect((error as Error).message).toBe(
      `Cannot use the database ${file} (SQLITE_CONSTRAINT_TRIGGER: attempt to write a readonly database). Check that QUELLE_DATA_DIR is a folder on a writable disk that the user running Quelle can write to.`,
    );
    // The purge's transaction was rolled back as a whole: the question text is still there.
    expect((await store.findAnswer('a1'))?.question).toBe('Frage a1?');
    await store.close();
  });

  it('pendingMigrations refuses a list that is not numbered 1, 2, 3, …', () => {
    const m = (version: number): Migration => ({ version, description: '', statements: [] });
    expect(pendingMigrations(1, [m(1), m(2), m(3)]).map((x) => x.version)).toEqual([2, 3]);
    expect(() => pendingMigrations(0, [m(1), m(3)])).toThrow('Migration 2 is numbered 3');
  });
});

describe('answers and votes', () => {
  it('stores an answer with its citations in rank order and reads it back', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    const recorded = answer('a1', { citations: [citation(2, 'x', 7), citation(1, 'y', 3)] });
    await store.recordAnswer(recorded);
    const found = await store.findAnswer('a1');
    expect(found).toEqual({ ...recorded, latencyMs: 12, citations: [citation(1, 'y', 3), citation(2, 'x', 7)] });
    expect(await store.findAnswer('nope')).toBeNull();
    await store.close();
  });

  it('keeps one vote per member and answer; a change replaces it, a late-arriving older vote does not, and the day counts follow', async () => {
    const store = openSqliteStore({ file: ':memory:' });
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
    await store.close();
  });

  it('counts questions by day and server: windows start at a day, a server sees only its own', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    await store.recordAnswer(answer('old', { createdAt: T0 - 3 * DAY_MS, declined: true, citations: [], shown: 0 }));
    await store.recordAnswer(answer('today', { latencyMs: 30 }));
    await store.recordAnswer(answer('elsewhere', { guildId: OTHER_GUILD, latencyMs: 50 }));
    await store.recordAnswer(answer('cli', { guildId: null, channelId: null, latencyMs: 70 }));
    expect(await store.activityCounts({ since: 0 })).toMatchObject({ questions: 4, declined: 1 });
    expect(await store.activityCounts({ since: T0 - 2 * DAY_MS })).toMatchObject({ questions: 3, declined: 0, latencyMsTotal: 150 });
    expect(await store.activityCounts({ since: 0, guildId: GUILD })).toMatchObject({ questions: 2, declined: 1 });
    expect(await store.recentLatencies(2)).toHaveLength(2);
    expect((await store.recentLatencies(10, OTHER_GUILD))).toEqual([50]);
    await store.close();
  });
});

describe('what insights and feedback read', () => {
  it('declined questions, most-cited articles (shown citations only), and answers with a 👎 with what they showed', async () => {
    const store = openSqliteStore({ file: ':memory:' });
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
    await store.close();
  });
});

describe('reindex history and article changes', () => {
  it('returns the latest reindex and the latest changes first, optionally of one article', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    const run = { id: 'r1', startedAt: T0, finishedAt: T0 + 5000, outcome: 'done' as const, trigger: 'command', actorId: '444444444444444444', mode: 'lexical', model: null, articles: 3, passages: 12, added: 1, changed: 0, removed: 0, skipped: 2, error: null };
    await store.recordReindex(run);
    await store.recordReindex({ ...run, id: 'r2', finishedAt: T0 + 9000, outcome: 'failed', error: 'disk full' });
    expect(await store.lastReindex()).toEqual({ ...run, id: 'r2', finishedAt: T0 + 9000, outcome: 'failed', error: 'disk full' });

    await store.recordArticleChange({ id: 'c1', at: T0, action: 'add', articleId: 'a', actorId: '5', actorName: 'Mod', detail: { file: 'a.txt', bytes: 120 } });
    await store.recordArticleChange({ id: 'c2', at: T0 + 1, action: 'remove', articleId: 'b', actorId: null, actorName: null, detail: null });
    expect((await store.articleChanges(10)).map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(await store.articleChanges(10, 'a')).toEqual([{ id: 'c1', at: T0, action: 'add', articleId: 'a', actorId: '5', actorName: 'Mod', detail: { file: 'a.txt', bytes: 120 } }]);
    await store.close();
  });
});

describe('purge', () => {
  it('removes question text and answers older than asked, with their citations and votes; counts stay', async () => {
    const store = openSqliteStore({ file: ':memory:' });
    await store.recordAnswer(answer('old', { createdAt: T0 - 40 * DAY_MS }));
    await store.setVote({ answerId: 'old', memberId: 'm1', value: 1, at: T0 - 40 * DAY_MS });
    await store.recordAnswer(answer('middle', { createdAt: T0 - 10 * DAY_MS }));
    await store.recordAnswer(answer('new', { createdAt: T0 }));
    const result = await store.purge({ questionTextBefore: T0 - 5 * DAY_MS, answersBefore: T0 - 30 * DAY_MS });
    expect(result).toEqual({ questionTextsRemoved: 2, answersRemoved: 1, checkpointed: true });
    expect(await store.findAnswer('old')).toBeNull();
    expect((await store.findAnswer('middle'))?.question).toBeNull();
    expect((await store.findAnswer('new'))?.question).toBe('Frage new?');
    expect(await store.activityCounts({ since: 0 })).toMatchObject({ questions: 3, helpful: 1 });
    expect(await store.helpfulAnswers({ since: 0 })).toEqual([]);
    await store.close();
  });
});

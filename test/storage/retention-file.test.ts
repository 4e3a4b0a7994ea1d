/**
 * Retention, checked where it matters: in the bytes of the database's files (quelle.db, its
 * write-ahead log and shared-memory file), not through SQL, which would not show text left in free
 * pages or in the log. With QUELLE_LOG_DAYS=0 no question text is ever written; text past its
 * retention is gone from every file after the purge, free pages included; and a control run
 * without secure_delete shows that the check would notice text left behind.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommunityLog, type AnsweredQuestion } from '../../src/community/community-log.ts';
import { DAY_MS } from '../../src/storage/community-store.ts';
import { openSqliteStore, type SqliteCommunityStore } from '../../src/storage/sqlite-store.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-retention-');
const T0 = Date.UTC(2026, 10, 30, 12);
const GUILD = '111111111111111111';
/** A title no question contains: proof that the files are read and that data other than questions is in them. */
const TITLE = 'Kontrolltitel Zaunkoenig';

/** The files of the database folder whose bytes contain `needle` (UTF-8 or UTF-16). */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dir)) {
    const bytes = await readFile(path.join(dir, name));
    if (bytes.includes(Buffer.from(needle, 'utf8')) || bytes.includes(Buffer.from(needle, 'utf16le'))) found.push(name);
  }
  return found.sort();
}

function question(marker: string, i: number, declined: boolean): AnsweredQuestion {
  return {
    // Long questions too, so that some spill into overflow pages.
    question: `${marker} ${i}: wo brütet der Zebrafink im Winter?${i % 10 === 0 ? ' Noch mehr Text.'.repeat(400) : ''}`,
    language: 'de',
    surface: i % 2 === 0 ? 'slash' : 'mention',
    guildId: GUILD,
    channelId: '333333333333333333',
    response: {
      declined,
      mode: 'lexical',
      hits: declined ? [] : [1, 2, 3].map((paragraph) => ({ passage: { articleId: 'seed', paragraph, title: TITLE }, relevant: true, score: 3 - paragraph })),
    },
    shown: 2,
    latencyMs: 7,
  };
}

async function recordMany(log: CommunityLog, marker: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = await log.recordAnswer(question(marker, i, i % 3 === 0));
    ids.push(id);
    if (i % 4 === 0) await log.recordVote({ answerId: id, guildId: GUILD, memberId: `99999999999999999${i % 10}`, vote: i % 8 === 0 ? 'up' : 'down' });
  }
  return ids;
}

async function openLog(dir: string, logDays: number, clock: { now: number }, secureDelete = true): Promise<{ store: SqliteCommunityStore; log: CommunityLog }> {
  const store = openSqliteStore({ file: path.join(dir, 'quelle.db'), secureDelete });
  return { store, log: new CommunityLog({ store, logDays, now: () => clock.now }) };
}

describe('QUELLE_LOG_DAYS=0', () => {
  it('writes no question text into the database files, while open and after closing, yet the answers and votes work', async () => {
    const dir = await tempDir();
    const clock = { now: T0 };
    const { store, log } = await openLog(dir, 0, clock);
    const ids = await recordMany(log, 'Geheimfrage-Q7', 300);
    await log.recordArticleChange({ action: 'add', articleId: 'seed', actorId: '5', file: 'seed.txt' });

    expect(await filesContaining(dir, 'Geheimfrage-Q7')).toEqual([]);
    expect(await filesContaining(dir, 'Zebrafink')).toEqual([]);
    expect(await filesContaining(dir, TITLE)).not.toEqual([]);
    // Only counts and the answers' citations are kept: the buttons of a recent answer still work.
    const votes = await log.recordVote({ answerId: ids[1]!, guildId: GUILD, memberId: '888888888888888888', vote: 'up' });
    expect(votes).toMatchObject({ status: 'recorded', vote: 'up' });
    const more = await log.moreResults({ answerId: ids[1]!, guildId: GUILD });
    expect(more).toMatchObject({ status: 'found', question: null, pages: 1 });
    expect((await log.stats()).all.questions).toBe(300);

    await store.close();
    expect(await filesContaining(dir, 'Geheimfrage-Q7')).toEqual([]);
    expect(await filesContaining(dir, 'Zebrafink')).toEqual([]);
    expect(await filesContaining(dir, TITLE)).toEqual(['quelle.db']);
  });

  it('after a day the answers are gone too (their buttons say expired); the counts stay', async () => {
    const dir = await tempDir();
    const clock = { now: T0 };
    const { store, log } = await openLog(dir, 0, clock);
    const [id] = await recordMany(log, 'Geheimfrage-Q8', 5);
    clock.now = T0 + DAY_MS + 1;
    expect(await log.purge()).toMatchObject({ answersRemoved: 5, questionTextsRemoved: 0 });
    expect(await log.fullParagraph({ answerId: id!, guildId: GUILD, rank: 1 })).toEqual({ status: 'expired' });
    expect((await log.stats()).all.questions).toBe(5);
    await store.close();
    expect(await filesContaining(dir, TITLE)).toEqual([]);
  });

  it('switching from 30 days to 0 removes every question text already kept from the files', async () => {
    const dir = await tempDir();
    const clock = { now: T0 };
    const first = await openLog(dir, 30, clock);
    await recordMany(first.log, 'Geheimfrage-Q9', 200);
    first.store.checkpoint();
    expect(await filesContaining(dir, 'Geheimfrage-Q9')).toEqual(['quelle.db']);
    await first.store.close();

    const second = await openLog(dir, 0, clock);
    expect(await second.log.purge()).toMatchObject({ questionTextsRemoved: 200, answersRemoved: 0 });
    expect(await filesContaining(dir, 'Geheimfrage-Q9')).toEqual([]);
    await second.store.close();
    expect(await filesContaining(dir, 'Geheimfrage-Q9')).toEqual([]);
  });
});

describe('QUELLE_LOG_DAYS=30', () => {
  /** Records old and recent questions, the old ones checkpointed into the main file (as a running bot's would be), then purges 40 days later. */
  async function expireOldQuestions(secureDelete: boolean): Promise<{ dir: string; store: SqliteCommunityStore; log: CommunityLog }> {
    const dir = await tempDir();
    const clock = { now: T0 - 40 * DAY_MS };
    const { store, log } = await openLog(dir, 30, clock, secureDelete);
    await recordMany(log, 'Altfrage-R1', 300);
    store.checkpoint();
    clock.now = T0;
    await recordMany(log, 'Neufrage-R2', 50);
    expect(await log.purge()).toEqual({ questionTextsRemoved: 300, answersRemoved: 300, checkpointed: true });
    return { dir, store, log };
  }

  it('removes expired text from every file, free pages and the write-ahead log included, and keeps the recent', async () => {
    const { dir, store } = await expireOldQuestions(true);
    expect(await filesContaining(dir, 'Altfrage-R1')).toEqual([]);
    expect(await filesContaining(dir, 'Zebrafink im Winter? Noch mehr Text')).toEqual(['quelle.db']);
    expect(await filesContaining(dir, 'Neufrage-R2')).toEqual(['quelle.db']);
    await store.close();
    expect(await filesContaining(dir, 'Altfrage-R1')).toEqual([]);
  });

  it('control: without secure_delete the deleted text stays in free pages, which the file check catches', async () => {
    const { dir, store } = await expireOldQuestions(false);
    expect(await filesContaining(dir, 'Altfrage-R1')).toEqual(['quelle.db']);
    await store.close();
  });
});

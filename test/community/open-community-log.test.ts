/**
 * Opening the community log as the bot and the commands do, on each engine: retention runs at
 * once (nothing past QUELLE_LOG_DAYS is ever served), then periodically; commands never create a
 * database.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { openCommunityLog } from '../../src/community/open-community-log.ts';
import { ErrorCode, isQuelleError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import { DAY_MS, type AnswerRecord } from '../../src/storage/community-store.ts';
import { openCommunityDatabase } from '../../src/storage/open-store.ts';
import { describeEachEngine } from '../helpers/community-engines.ts';

const answer = (id: string, createdAt: number): AnswerRecord => ({
  id, createdAt, guildId: null, channelId: null, surface: 'slash', language: 'de', mode: 'lexical', declined: true, latencyMs: 1, question: `Frage ${id}`, shown: 0, citations: [],
});

describeEachEngine('openCommunityLog', (engine) => {
  it('creates the database (and the data folder) for the bot; a command finds none and says so', async () => {
    const place = await engine.place();
    const dataDir = path.join(place.dataDir, 'nested', 'data');
    await expect(openCommunityLog({ dataDir, databaseUrl: place.databaseUrl, logDays: 30, create: false })).rejects.toSatisfy((error) => isQuelleError(error, ErrorCode.DatabaseMissing));
    const opened = await openCommunityLog({ dataDir, databaseUrl: place.databaseUrl, logDays: 30, create: true });
    if (place.databaseUrl) {
      // The database by user, host and name: never its password.
      const url = new URL(place.databaseUrl);
      expect(opened.store.location).toBe(`postgres://${url.username}@${url.host}${url.pathname}`);
      expect(opened.store.location).not.toContain(url.password);
    } else {
      expect(opened.store.location).toBe(path.join(dataDir, 'quelle.db'));
    }
    await opened.close();
    const again = await openCommunityLog({ dataDir, databaseUrl: place.databaseUrl, logDays: 30, create: false });
    await again.close();
  });

  it('applies retention when it opens, and then every interval, logging what it removed', async () => {
    const place = await engine.place();
    const seeded = await openCommunityDatabase({ ...place, create: true });
    await seeded.recordAnswer(answer('old', Date.now() - 40 * DAY_MS));
    await seeded.recordAnswer(answer('recent', Date.now() - 2 * DAY_MS));
    await seeded.close();

    const messages: { obj: object | string; msg?: string }[] = [];
    let onLog: () => void = () => {};
    const logger: Logger = {
      debug: () => {},
      info: (obj, msg) => {
        messages.push({ obj, msg });
        onLog();
      },
      warn: () => {},
      error: () => {},
    };
    const opened = await openCommunityLog({ ...place, logDays: 30, create: false, logger, purgeEveryMs: 20 });
    expect(await opened.store.findAnswer('old')).toBeNull();
    // SQLite also says whether the checkpoint that empties its write-ahead log went through.
    const sqliteOnly = engine.name === 'SQLite' ? { checkpointed: true } : {};
    expect(messages).toEqual([{ obj: { questionTextsRemoved: 1, answersRemoved: 1, ...sqliteOnly, logDays: 30 }, msg: 'Retention removed expired questions and answers' }]);

    // An answer that expires while the bot runs is removed by the periodic purge.
    const removed = new Promise<void>((resolve) => (onLog = resolve));
    await opened.store.recordAnswer(answer('expired-meanwhile', Date.now() - 31 * DAY_MS));
    await removed;
    expect(await opened.store.findAnswer('expired-meanwhile')).toBeNull();
    expect(await opened.store.findAnswer('recent')).not.toBeNull();
    await opened.close();
  });
});

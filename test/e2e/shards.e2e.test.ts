// Sharding (issue #15) with the real discord.js client in processes of their own, against the
// twin: 4 shards split over 2 processes (DISCORD_SHARD_IDS) answer every interaction of every
// guild exactly once, in the process that owns the guild's shard, and a 👍 under each answer is
// stored once; a /reindex in one process is served by the other within 5 s; and
// QUELLE_SHARDS=auto runs a ShardingManager whose /stats adds up every shard's process.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/storage/open-store.ts';
import type { InteractionHandle, TwinOptions } from '../discord-twin/twin.js';
import { SEED_QUESTION, shownText } from './bot-harness.ts';
import { startBotProcess, type BotProcess } from './bot-process.ts';
import { ownerShard, startShardDeployment, type ShardDeployment } from './shard-deployment.ts';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function deployment(shards: number, twin: TwinOptions = {}): Promise<ShardDeployment> {
  const started = await startShardDeployment({ shards, twin });
  cleanups.push(() => started.close());
  return started;
}

function start(env: Record<string, string>): BotProcess {
  const bot = startBotProcess(env);
  cleanups.push(() => bot.stop());
  return bot;
}

/** Exactly one callback, accepted, delivered to exactly one gateway session. */
function expectAnsweredOnce(interaction: InteractionHandle): void {
  expect(interaction.sessionIds, `interaction in guild ${interaction.guildId}`).toHaveLength(1);
  expect(interaction.callbacks.map((callback) => callback.status)).toEqual([204]);
}

/** Rows of the community database both processes share (one host: the SQLite file in QUELLE_DATA_DIR). */
function storedRows(dataDir: string, sql: string): Record<string, unknown>[] {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

function fieldsOf(interaction: InteractionHandle): Record<string, string> {
  const embed = interaction.original()?.embeds[0];
  return Object.fromEntries((embed?.fields ?? []).map((field) => [field.name, field.value]));
}

describe('4 shards in 2 processes (DISCORD_SHARD_IDS)', () => {
  it('one cooldown per member across the processes: asked at once through both, one answer and one wait', async () => {
    const { twin, env } = await deployment(2);
    const processes = [start({ ...env, QUELLE_COOLDOWN_SECONDS: '60', DISCORD_SHARD_IDS: '0', DISCORD_SHARD_COUNT: '2' }), start({ ...env, QUELLE_COOLDOWN_SECONDS: '60', DISCORD_SHARD_IDS: '1', DISCORD_SHARD_COUNT: '2' })];
    await Promise.all(processes.map((bot) => bot.waitFor(/Quelle is ready/)));
    await twin.waitForSessions(2);
    const guilds = [0, 1].map((shard) => twin.guilds().find((guild) => ownerShard(guild, 2) === shard)!);
    const member = twin.addMember({ username: 'both-servers' });
    const asked = await Promise.all(guilds.map((guild) => twin.sendCommand({ name: 'ask', channelId: guild.channelId, user: member.id, options: [{ name: 'question', type: 3, value: SEED_QUESTION }] })));
    const shown = await Promise.all(asked.map(async (interaction) => shownText(await interaction.waitForFinal(20_000))));
    for (const interaction of asked) expectAnsweredOnce(interaction);
    expect(shown.filter((text) => text.includes('Putin bekräftigt Widerstand'))).toHaveLength(1);
    expect(shown.filter((text) => /wait|warte/i.test(text))).toHaveLength(1);
  });

  it('answers every interaction exactly once, in the process of the guild’s shard, and serves a /reindex from either process in both within 5 s', async () => {
    const { twin, seedsDir, env } = await deployment(4);
    const dataDir = env.QUELLE_DATA_DIR!;
    // Both at once, as two units would start: they create the same SQLite database together.
    const low = start({ ...env, DISCORD_SHARD_IDS: '0,1', DISCORD_SHARD_COUNT: '4' });
    const high = start({ ...env, DISCORD_SHARD_IDS: '2-3', DISCORD_SHARD_COUNT: '4' });
    const ready = await Promise.all([low.waitFor(/Quelle is ready/), high.waitFor(/Quelle is ready/)]);
    // Each process names its shards on its log lines.
    expect(ready.map((line) => line.shards)).toEqual([[0, 1], [2, 3]]);
    await twin.waitForSessions(4);
    expect(twin.sessions().map((session) => session.shard).sort()).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);

    const guilds = twin.guilds();
    expect(new Set(guilds.map((guild) => ownerShard(guild, 4)))).toEqual(new Set([0, 1, 2, 3]));
    // Every guild asks at once, then asks for /stats at once.
    const asked = await Promise.all(guilds.map((guild) => twin.sendCommand({ name: 'ask', channelId: guild.channelId, options: [{ name: 'question', type: 3, value: SEED_QUESTION }] })));
    for (const interaction of asked) expect(shownText(await interaction.waitForFinal(20_000))).toContain('Putin bekräftigt Widerstand');
    const stats = await Promise.all(guilds.map((guild) => twin.sendCommand({ name: 'stats', channelId: guild.channelId })));
    for (const interaction of stats) await interaction.waitForFinal(20_000);
    for (const interaction of [...asked, ...stats]) expectAnsweredOnce(interaction);

    // A 👍 under every answer, each handled by the process of its guild's shard: one vote per answer is stored.
    const votes = await Promise.all(
      asked.map((interaction) => {
        const answer = interaction.original()!;
        const up = (answer.components as { components: { custom_id?: string }[] }[]).flatMap((row) => row.components).find((button) => button.custom_id?.startsWith('answer:up:'));
        return twin.sendComponent({ customId: up!.custom_id!, messageId: answer.id });
      }),
    );
    for (const vote of votes) {
      await vote.waitForFinal(20_000);
      expectAnsweredOnce(vote);
    }
    expect(storedRows(dataDir, 'SELECT COUNT(*) AS n FROM answers')).toEqual([{ n: guilds.length }]);
    expect(storedRows(dataDir, 'SELECT answer_id, COUNT(*) AS n FROM votes GROUP BY answer_id').map((row) => row.n)).toEqual(guilds.map(() => 1));

    for (const [i, guild] of guilds.entries()) {
      const shard = ownerShard(guild, 4);
      const fields = fieldsOf(stats[i]!);
      expect(fields.Shard).toBe(`${shard} of 4 · ${guilds.filter((other) => ownerShard(other, 4) === shard).length} server(s)`);
      // The process that answered is the one running the guild's shard.
      const processField = shard < 2 ? 'This process (shards 0, 1)' : 'This process (shards 2, 3)';
      expect(fields[processField], JSON.stringify(fields)).toMatch(/ of 4 shards$/);
    }
    const answeredBy = (shards: number[]) => guilds.filter((guild) => shards.includes(ownerShard(guild, 4))).length;
    expect(fieldsOf(stats[guilds.findIndex((guild) => ownerShard(guild, 4) === 0)]!)['This process (shards 0, 1)']).toBe(
      `${answeredBy([0, 1])} server(s) · ${answeredBy([0, 1])} questions answered · 2 of 4 shards`,
    );

    // A reindex in the process of shards 2 and 3; the process of shards 0 and 1 serves it.
    await writeFile(path.join(seedsDir, 'zugspitze.txt'), 'Wetter\n\nSchneefall auf der Zugspitze\n\nAuf der Zugspitze fielen über Nacht 40 Zentimeter Neuschnee.\n');
    const lowFrom = low.lines.length;
    const highGuild = guilds.find((guild) => ownerShard(guild, 4) === 3)!;
    const reindex = await twin.sendCommand({ name: 'reindex', channelId: highGuild.channelId, user: twin.ids.ownerId });
    const built = await high.waitFor(/Reindex finished; new index serving/, { timeoutMs: 60_000 });
    const served = await low.waitFor(/Serving an index built by another process/, { from: lowFrom, timeoutMs: 10_000 });
    expect(served.articles).toBe(2);
    expect(served.time! - built.time!).toBeLessThan(5000);
    await reindex.waitForEdit((message) => shownText(message).includes('Index rebuilt'), 20_000);
    expectAnsweredOnce(reindex);

    for (const guild of [guilds.find((g) => ownerShard(g, 4) === 0)!, highGuild]) {
      const question = await twin.sendCommand({ name: 'ask', channelId: guild.channelId, options: [{ name: 'question', type: 3, value: 'Wie viel Neuschnee fiel auf der Zugspitze?' }] });
      expect(shownText(await question.waitForFinal(20_000))).toContain('Schneefall auf der Zugspitze');
      expectAnsweredOnce(question);
    }
    expect(twin.violations).toEqual([]);
    expect(await low.stop()).toBe(0);
    expect(await high.stop()).toBe(0);
  }, 180_000);
});

describe('QUELLE_SHARDS (a ShardingManager)', () => {
  it('with auto starts the recommended number of shard processes, each answers its guilds once, and /stats adds up every shard', async () => {
    const { twin, env } = await deployment(2, { recommendedShards: 2 });
    const manager = start({ ...env, QUELLE_SHARDS: 'auto' });
    const started = await manager.waitFor(/Starting 2 of 2 shards/);
    expect(started.shardList).toEqual([0, 1]);
    await manager.waitFor(/Every shard is ready/, { timeoutMs: 90_000 });
    await twin.waitForSessions(2);

    const guilds = twin.guilds();
    for (const guild of guilds) {
      const question = await twin.sendCommand({ name: 'ask', channelId: guild.channelId, options: [{ name: 'question', type: 3, value: SEED_QUESTION }] });
      expect(shownText(await question.waitForFinal(20_000))).toContain('Putin bekräftigt Widerstand');
      expectAnsweredOnce(question);
    }
    const answered = guilds.length;
    const stats = await twin.sendCommand({ name: 'stats', channelId: guilds[1]!.channelId });
    await stats.waitForFinal(10_000);
    expectAnsweredOnce(stats);
    expect(fieldsOf(stats)['All shards']).toBe(`${guilds.length} server(s) · ${answered} questions answered · 2 of 2 shards`);
    for (const interaction of twin.interactions) expectAnsweredOnce(interaction);
    expect(twin.violations).toEqual([]);

    // SIGTERM to the manager stops every shard's process (their lines come through its stdout), and nothing restarts them.
    const shardPids = manager.lines.filter((line) => line.msg === 'Quelle is ready').map((line) => Number(line.pid));
    expect(new Set(shardPids).size).toBe(2);
    expect(shardPids).not.toContain(manager.pid);
    expect(await manager.stop()).toBe(0);
    for (const pid of shardPids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(manager.lines.some((line) => /starting it again/.test(line.msg ?? ''))).toBe(false);
  }, 180_000);

  it('stops every shard with exit 1 when Discord refuses one for good, instead of restarting it forever', async () => {
    const { twin, env } = await deployment(2);
    const manager = start({ ...env, QUELLE_SHARDS: '2' });
    await manager.waitFor(/Every shard is ready/, { timeoutMs: 90_000 });
    const shardPids = manager.lines.filter((line) => line.msg === 'Quelle is ready').map((line) => Number(line.pid));
    twin.closeGateway(4004);
    const fatal = await manager.waitFor(/refused by Discord for good; stopping every shard/, { where: (line) => line.pid === manager.pid });
    expect(String(fatal.reason)).toMatch(/^Shard [01]: Discord rejected the bot token .*DISCORD_TOKEN/);
    expect(await manager.exited).toBe(1);
    for (const pid of shardPids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(manager.lines.some((line) => /starting it again/.test(line.msg ?? ''))).toBe(false);
  }, 120_000);
});

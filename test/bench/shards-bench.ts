/**
 * Sharded deployment on one host, measured (issue #15): `npm run bench:shards [-- --questions N
 * --concurrency C --model-dir DIR]`.
 *
 * The bot runs as `npm start` processes against the local Discord twin, with 4 shards and two
 * guilds on each; the index is hybrid, built from the XQuAD-de articles with the fixture model
 * (or --model-dir). Two layouts are measured one after the other: one process running all 4
 * shards (DISCORD_SHARD_COUNT=4) and two processes running shards 0,1 and 2,3
 * (DISCORD_SHARD_IDS). For each: RSS per process when ready and after the questions (from
 * /proc/PID/status: VmRSS, VmHWM peak), and questions per second: N XQuAD-de questions spread
 * over every guild, C in flight at once, timed from the first send to the last final reply.
 * For two processes it also times a /reindex in one process until the other serves the new
 * generation (their log lines' timestamps). The twin runs in this process and shares the CPU.
 */

import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBotProcess, type BotProcess } from '../e2e/bot-process.ts';
import { FIXTURE_MODEL } from '../e2e/bot-harness.ts';
import { ownerShard, startShardDeployment, type ShardDeployment } from '../e2e/shard-deployment.ts';
import { memoryOf, percentile, PROJECT_ROOT, round } from './bench-support.ts';

const XQUAD = path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'xquad-de');
const SHARDS = 4;

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    'model-dir': { type: 'string' },
  },
});
const questionCount = Number(values.questions);
const concurrency = Number(values.concurrency);
const modelDir = values['model-dir'] ? path.resolve(values['model-dir']) : FIXTURE_MODEL;

/** Resident and peak resident memory of a process, in MB, from the kernel. */
async function loadQuestions(): Promise<string[]> {
  const lines = (await readFile(path.join(XQUAD, 'questions.de.jsonl'), 'utf8')).split('\n').filter(Boolean);
  const questions = lines.map((line) => (JSON.parse(line) as { question: string }).question);
  return Array.from({ length: questionCount }, (_, i) => questions[i % questions.length]!);
}

/** Sends every question (round-robin over the guilds), `concurrency` at a time; returns q/s and latencies. */
async function throughput(deployment: ShardDeployment, questions: readonly string[]): Promise<{ perSecond: number; p50Ms: number; p95Ms: number; seconds: number }> {
  const guilds = deployment.twin.guilds();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < questions.length) {
      const i = next++;
      const sent = performance.now();
      const interaction = await deployment.twin.sendCommand({ name: 'ask', channelId: guilds[i % guilds.length]!.channelId, options: [{ name: 'question', type: 3, value: questions[i]! }] });
      await interaction.waitForFinal(60_000);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: round(questions.length / seconds, 1), p50Ms: round(percentile(latencies, 50), 0), p95Ms: round(percentile(latencies, 95), 0), seconds: round(seconds, 1) };
}

async function measure(layout: { name: string; processes: Record<string, string>[] }, questions: readonly string[]): Promise<Record<string, unknown>> {
  const deployment = await startShardDeployment({ shards: SHARDS, articleDirs: [path.join(XQUAD, 'articles')], modelDir });
  const bots: BotProcess[] = [];
  try {
    for (const shardEnv of layout.processes) bots.push(startBotProcess({ ...deployment.env, ...shardEnv }));
    await Promise.all(bots.map((bot) => bot.waitFor(/Quelle is ready/, { timeoutMs: 300_000 })));
    await deployment.twin.waitForSessions(SHARDS, 60_000);
    const ready = await Promise.all(bots.map((bot) => memoryOf(bot.pid)));
    const load = await throughput(deployment, questions);
    const loaded = await Promise.all(bots.map((bot) => memoryOf(bot.pid)));
    const answeredTwice = deployment.twin.interactions.filter((interaction) => interaction.callbacks.length !== 1).length;
    const result: Record<string, unknown> = {
      layout: layout.name,
      rssReadyMb: ready.map((m) => m.rssMb),
      rssAfterMb: loaded.map((m) => m.rssMb),
      peakRssMb: loaded.map((m) => m.peakMb),
      ...load,
      notAnsweredExactlyOnce: answeredTwice,
      violations: deployment.twin.violations.length,
    };
    if (bots.length > 1) {
      // A /reindex in the last process (it owns the last shard) until the first serves it.
      await writeFile(path.join(deployment.seedsDir, 'zugspitze.txt'), 'Wetter\n\nSchneefall auf der Zugspitze\n\nAuf der Zugspitze fielen über Nacht 40 Zentimeter Neuschnee.\n');
      const [first, last] = [bots[0]!, bots.at(-1)!];
      const from = first.lines.length;
      const guild = deployment.twin.guilds().find((candidate) => ownerShard(candidate, SHARDS) === SHARDS - 1)!;
      await deployment.twin.sendCommand({ name: 'reindex', channelId: guild.channelId, user: deployment.twin.ids.ownerId });
      const built = await last.waitFor(/Reindex finished; new index serving/, { timeoutMs: 300_000 });
      const served = await first.waitFor(/Serving an index built by another process/, { from, timeoutMs: 60_000 });
      result.reindexToServedMs = served.time! - built.time!;
    }
    return result;
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
    await deployment.close();
  }
}

const questions = await loadQuestions();
console.log(JSON.stringify({ machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version }, model: path.relative(PROJECT_ROOT, modelDir), index: 'XQuAD-de articles (48)', questions: questionCount, concurrency }));
for (const layout of [
  { name: `1 process, shards 0-${SHARDS - 1}`, processes: [{ DISCORD_SHARD_COUNT: String(SHARDS) }] },
  { name: '2 processes, shards 0,1 | 2,3', processes: [{ DISCORD_SHARD_IDS: '0,1', DISCORD_SHARD_COUNT: String(SHARDS) }, { DISCORD_SHARD_IDS: '2,3', DISCORD_SHARD_COUNT: String(SHARDS) }] },
]) {
  console.log(JSON.stringify(await measure(layout, questions)));
}

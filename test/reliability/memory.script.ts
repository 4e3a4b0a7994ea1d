/**
 * Memory over 10,000 questions (issue #6): the bot runs alone in a child process (so that the
 * Discord twin's own records do not count), answers 10,000 /ask from 50 members through the twin
 * (cooldown 0, up to 8 in flight, 20 per second), and its heap and RSS are measured after a full GC once warmed up
 * (1,000 questions) and at the end. Fails if the heap grows by more than 10 %.
 *
 *   npx tsx test/reliability/memory.script.ts [--questions 10000] [--rate 20]    (about 9 minutes)
 */
import { fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { registerCommands } from '../../src/bot/register-commands.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { startDiscordTwin } from '../discord-twin/twin.js';
import { ask, BOT_TOKEN, FIXTURE_MODEL, isAnswer, percentile, PROJECT_ROOT, tempDir, twinEnv, writeCorpus } from './helpers.ts';

const { values } = parseArgs({ options: { questions: { type: 'string', default: '10000' }, rate: { type: 'string', default: '20' } } });
const TOTAL = Number(values.questions);
/**
 * Questions per second. Each costs two REST calls, and discord.js holds every request to a global
 * 50 per second; above ~25 questions per second the bot is always at that limit, and while it is,
 * discord.js sweeps no idle per-interaction REST handler at all (see bot.ts), so the heap then
 * grows with every question until the load drops.
 */
const RATE = Number(values.rate);
const WARM_UP = Math.min(1000, Math.floor(TOTAL / 10));
const IN_FLIGHT = 8;
const QUESTIONS = [
  'Was beschloss die Regierung zum Haushalt?',
  'Wo traf sich die Koalition der Willigen?',
  'Wie reagierte der Bürgermeister auf den Streik in Wien?',
  'What happened with the rents?',
  'Welche Studie zur Gesundheit wurde veröffentlicht?',
  'Wer hat das Tor geschossen?',
];

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  answered: number;
  gc: boolean;
  caches: Record<string, number>;
}

const work = await tempDir('memory-');
const seedsDir = await writeCorpus(path.join(work, 'seeds'), 300);
const indexDir = path.join(work, 'index');
await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: resolveModelSettings({ modelDir: FIXTURE_MODEL }) });
const twin = await startDiscordTwin({ token: BOT_TOKEN });
await registerCommands({ token: BOT_TOKEN, apiUrl: twin.apiUrl, clientId: twin.ids.applicationId, guildId: twin.ids.guildId });

const child = fork(path.join(PROJECT_ROOT, 'test', 'reliability', 'bot-process.ts'), [], {
  cwd: PROJECT_ROOT,
  execArgv: ['--expose-gc', '--import', 'tsx'],
  env: {
    ...process.env,
    ...twinEnv(twin, seedsDir, indexDir),
    LOG_LEVEL: 'silent',
  },
});
const nextMessage = <T>(type: string): Promise<T> =>
  new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bot process exited with ${code}`));
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
await nextMessage('ready');
const memory = async (): Promise<Memory> => {
  child.send({ type: 'memory' });
  return nextMessage<Memory>('memory');
};

const members = Array.from({ length: 50 }, (_, i) => twin.addMember({ username: `mem${i}` }));
const latencies: number[] = [];
let failures = 0;
let next = 0;
async function askRange(end: number): Promise<void> {
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < end) {
        const i = next++;
        const due = paceStart + (i * 1000) / RATE;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        const handle = await ask(twin, QUESTIONS[i % QUESTIONS.length]!, { user: members[i % members.length]!.id });
        const final = await handle.waitForFinal(30_000);
        if (!isAnswer(final)) failures++;
        latencies.push((final.editedAt ?? final.createdAt) - handle.deliveredAt!);
      }
    }),
  );
}

const fmt = (m: Memory) =>
  `heapUsed ${(m.heapUsed / 1048576).toFixed(1)} MiB, RSS ${(m.rss / 1048576).toFixed(1)} MiB, external ${(m.external / 1048576).toFixed(1)} MiB; ` +
  Object.entries(m.caches).map(([name, size]) => `${name} ${size}`).join(', ');
const started = Date.now();
const paceStart = Date.now();
const initial = await memory();
console.log(`memory: at start (${initial.gc ? 'after gc' : 'no gc'}): ${fmt(initial)}`);
await askRange(WARM_UP);
const warm = await memory();
console.log(`  after ${WARM_UP} questions (warm-up): ${fmt(warm)}`);
const samples: Memory[] = [warm];
for (let done = WARM_UP; done < TOTAL; ) {
  done = Math.min(TOTAL, done + Math.max(1000, Math.floor(TOTAL / 10)));
  await askRange(done);
  samples.push(await memory());
  console.log(`  after ${done}: ${fmt(samples.at(-1)!)}`);
}
const end = samples.at(-1)!;
const heapGrowth = (end.heapUsed - warm.heapUsed) / warm.heapUsed;
const rssGrowth = (end.rss - warm.rss) / warm.rss;
const seconds = (Date.now() - started) / 1000;
console.log(
  `memory: ${TOTAL} questions in ${seconds.toFixed(0)} s (${(TOTAL / seconds).toFixed(0)}/s), ${end.answered} answered by the bot, ${failures} not answers; ` +
    `latency p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms; ` +
    `heapUsed ${(warm.heapUsed / 1048576).toFixed(1)} → ${(end.heapUsed / 1048576).toFixed(1)} MiB (${(heapGrowth * 100).toFixed(1)} %), ` +
    `RSS ${(warm.rss / 1048576).toFixed(1)} → ${(end.rss / 1048576).toFixed(1)} MiB (${(rssGrowth * 100).toFixed(1)} %); twin violations ${twin.violations.length}`,
);
child.send({ type: 'stop' });
await new Promise((resolve) => child.once('exit', resolve));
await twin.close();
await rm(work, { recursive: true, force: true });
const ok = failures === 0 && end.answered >= TOTAL && heapGrowth <= 0.1 && twin.violations.length === 0;
if (!ok) console.log('memory: FAILED (heap growth over 10 %, unanswered questions or violations)');
process.exit(ok ? 0 : 1);

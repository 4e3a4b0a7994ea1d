/**
 * Child process: /ask answer time in the real bot against the local Discord twin, idle and while
 * a /reindex re-embeds the whole corpus.
 *
 * The seeds are a copy (in the work folder) of the 10kGNAD and XQuAD-de articles and, to pass the
 * wanted passage count, extra articles whose paragraphs are recombined from corpus sentences
 * (seeded, so every run indexes the same text). The index is built first by `npm run index`'s
 * own code in another process (src/cli/index.ts, hybrid, the chosen model). The bot then runs
 * as `npm start` runs it, in a process of its own (test/e2e/bot-process.ts; cooldown 0), against
 * the Discord twin in this process, and loads the model as it does in production, in its
 * inference worker.
 *
 * Idle: questions (XQuAD-de, German) are sent one after another from rotating members, each
 * timed from just before the interaction is sent to the moment the twin holds the final (not deferred)
 * reply; they start at least `intervalMs` apart (default 50 ms): discord.js holds the client to
 * Discord's global limit of 50 requests per second, so questions sent back to back would measure
 * the pacing of the benchmark, not the bot.
 *
 * During a reindex: every paragraph of every article is changed (a sentence is added), so that
 * the rebuild embeds the whole corpus again; a moderator sends /reindex, and a question is sent
 * every `reindexIntervalMs` (150 ms) until the summary arrives, without waiting for the
 * previous answer, as members keep asking.
 *
 * Throughout, in the bot's process: the event loop's longest delay (perf_hooks, 10 ms
 * resolution) and its stalls over 50 ms, measured from inside it by event-loop-probe.mjs, and the
 * process's resident memory, sampled every 250 ms and as the kernel's peak (VmHWM).
 */

import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { PermissionFlagsBits } from 'discord.js';
import { chunkArticle } from '../../src/articles/chunk-article.ts';
import { readArticles } from '../../src/articles/read-articles.ts';
import { registerCommands } from '../../src/bot/register-commands.ts';
import { startDiscordTwin } from '../discord-twin/twin.js';
import { ask, BOT_TOKEN, twinEnv } from '../e2e/bot-harness.ts';
import { startBotProcess } from '../e2e/bot-process.ts';
import { childArguments, MB, memoryOf, percentile, PROJECT_ROOT, writeJson } from './bench-support.ts';
import { Random } from './synthetic.ts';

export interface BotTask {
  readonly corpusDir: string;
  /** Only the first this many 10kGNAD articles (by file name); all when absent. */
  readonly corpusArticles?: number;
  readonly xquadDir: string;
  readonly questionsFile: string;
  readonly workDir: string;
  readonly modelDir: string;
  readonly dtype: string;
  readonly passages: number;
  readonly questions: number;
  /** Least time between two idle questions being sent (see the header). */
  readonly intervalMs: number;
  /** Time between two questions during the reindex. */
  readonly reindexIntervalMs: number;
  /** Skip the reindex phase. */
  readonly noReindex: boolean;
  readonly resultFile: string;
}

export interface BotReport {
  readonly model: string;
  readonly passages: number;
  readonly articles: number;
  readonly questions: number;
  readonly answered: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly mean_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** The bot's own search time (retrieval only, whole ms), from the answer's footer. */
  readonly search_p50_ms: number;
  readonly search_p95_ms: number;
  readonly violations: number;
  readonly during_reindex: {
    readonly p50_ms: number;
    readonly p95_ms: number;
    readonly max_ms: number;
    readonly questions: number;
    /** Answered by meaning and words (hybrid), as before the reindex. */
    readonly answered: number;
    readonly reindex_s: number;
    readonly embedded_passages: number;
    readonly passages_per_s: number;
  } | null;
  /** The bot process's event loop: its longest delay, over the idle questions and the reindex; over the idle questions alone. */
  readonly event_loop_max_ms: number;
  readonly event_loop_idle_max_ms: number;
  /**
   * Where the longest delays happened: each stall of the bot's event loop over 50 ms (a 10 ms
   * timer that fired late), the longest first, in seconds from the start of the reindex and the
   * phase it fell in; and the longest garbage-collection pause, which holds the loop too.
   */
  readonly event_loop_stalls: Array<{ at_s: number; ms: number; during: string }>;
  readonly gc_max_ms: number;
  readonly memory_at_rss_max_mb: { heap_used: number; external: number; array_buffers: number } | null;
  /** The bot process's peak resident memory (the kernel's high-water mark, VmHWM): the bot alone, the twin runs in the benchmark's process. */
  readonly rss_mb: number;
  readonly rss_sampled_max_mb: number;
  readonly initial_build_s: number;
}

const WARMUP = 5;
const MEMBERS = 10;
const PARAGRAPHS_PER_ARTICLE = 6;

/** Sentences of the corpus's body paragraphs (the first two blocks are category and title). */
async function corpusSentences(dir: string): Promise<string[]> {
  const sentences: string[] = [];
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.txt')).sort()) {
    const blocks = (await readFile(path.join(dir, file), 'utf8')).split(/\n\s*\n/).map((block) => block.trim()).filter(Boolean);
    for (const paragraph of blocks.slice(2)) sentences.push(...(paragraph.match(/[^.!?]+[.!?]+/g) ?? []).map((s) => s.trim()).filter((s) => s.length > 20));
  }
  return sentences;
}

/** Writes `articles` seeded articles of recombined corpus sentences into `dir`. */
async function writeMixedArticles(dir: string, sentences: readonly string[], articles: number): Promise<void> {
  const random = new Random(42);
  const pick = (): string => sentences[Math.floor(random.next() * sentences.length)]!;
  for (let a = 0; a < articles; a++) {
    const paragraphs = Array.from({ length: PARAGRAPHS_PER_ARTICLE }, () => `${pick()} ${pick()} ${pick()}`);
    const title = pick().slice(0, 120);
    await writeFile(path.join(dir, `mix-${a.toString().padStart(5, '0')}.txt`), `Panorama\n\n${title}\n\n${paragraphs.join('\n\n')}\n`);
  }
}

/** Adds a sentence to every body paragraph (blocks after category and title) of every article. */
async function reviseEveryParagraph(dir: string): Promise<void> {
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.txt'))) {
    const blocks = (await readFile(path.join(dir, file), 'utf8')).split(/\n\s*\n/).map((block) => block.trim()).filter(Boolean);
    const revised = blocks.map((block, i) => (i < 2 ? block : `${block} Dieser Absatz wurde überarbeitet.`));
    await writeFile(path.join(dir, file), `${revised.join('\n\n')}\n`);
  }
}

/** `npm run index`'s code in its own process; resolves with its JSON summary. */
async function indexWithCli(task: BotTask, seedsDir: string, indexDir: string): Promise<{ seconds: number; passages: number; articles: number; mode: string }> {
  const env = { ...process.env, EMBEDDING_MODEL_DIR: task.modelDir, EMBEDDING_DTYPE: task.dtype, LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'cli', 'index.ts'), '--seeds', seedsDir, '--index', indexDir, '--mode', 'hybrid', '--rebuild', '--json'], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`npm run index failed (exit ${code})`);
  return JSON.parse(stdout) as { seconds: number; passages: number; articles: number; mode: string };
}

/** What event-loop-probe.mjs writes from inside the bot's process. */
interface ProbeReport {
  readonly loopMaxMs: number;
  readonly stalls: Array<{ at: number; ms: number }>;
  readonly gcMaxMs: number;
  readonly rssMaxBytes: number;
  readonly heapAtRssMax: { heapUsed: number; external: number; arrayBuffers: number } | null;
  /** When the event-loop figures were started afresh (0: never). */
  readonly resetAt: number;
  readonly writtenAt: number;
}

function summary(latencies: readonly number[]): { p50_ms: number; p95_ms: number; max_ms: number } {
  return { p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95), max_ms: Math.max(...latencies) };
}

const task = childArguments<BotTask>();
const seedsDir = path.join(task.workDir, 'bot-seeds');
const indexDir = path.join(task.workDir, 'bot-index');

await rm(seedsDir, { recursive: true, force: true });
await rm(indexDir, { recursive: true, force: true });
await mkdir(seedsDir, { recursive: true });
const corpusFiles = (await readdir(task.corpusDir)).sort().slice(0, task.corpusArticles ?? Infinity);
for (const file of corpusFiles) await cp(path.join(task.corpusDir, file), path.join(seedsDir, file));
for (const file of await readdir(task.xquadDir)) await cp(path.join(task.xquadDir, file), path.join(seedsDir, `xquad-${file}`));
const { articles } = await readArticles(seedsDir);
const have = articles.reduce((sum, article) => sum + chunkArticle(article).length, 0);
await writeMixedArticles(seedsDir, await corpusSentences(task.corpusDir), Math.max(0, Math.ceil((task.passages - have) / PARAGRAPHS_PER_ARTICLE)));
process.stderr.write(`  bot: building a hybrid index of ${task.passages}+ passages with ${path.basename(task.modelDir)} (npm run index)\n`);
const built = await indexWithCli(task, seedsDir, indexDir);
if (built.mode !== 'hybrid') throw new Error(`the bot index is ${built.mode}`);
process.stderr.write(`  bot: ${built.passages} passages indexed in ${built.seconds.toFixed(0)} s\n`);

const questions = (await readFile(task.questionsFile, 'utf8'))
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { question: string }).question);

// The bot in a process of its own, as `npm start` runs it: its memory and event loop are the
// bot's alone, not the Discord twin's or this benchmark's (event-loop-probe.mjs measures them
// from inside it).
const twin = await startDiscordTwin({ token: BOT_TOKEN });
const probeFile = path.join(task.workDir, 'bot-probe.json');
await rm(probeFile, { force: true });
const env = twinEnv(twin, seedsDir, indexDir, path.join(task.workDir, 'bot-data'));
await registerCommands({ token: BOT_TOKEN, apiUrl: twin.apiUrl, clientId: env.DISCORD_CLIENT_ID!, guildId: env.DISCORD_GUILD_ID! });
const bot = startBotProcess({
  ...env,
  QUELLE_COOLDOWN_SECONDS: '0',
  LOG_LEVEL: 'info',
  EMBEDDING_MODEL_DIR: task.modelDir,
  EMBEDDING_DTYPE: task.dtype,
  NODE_OPTIONS: `--import ${pathToFileURL(path.join(import.meta.dirname, 'event-loop-probe.mjs')).href}`,
  BENCH_PROBE_FILE: probeFile,
});

/** What the probe in the bot's process wrote last (it writes every second), once it is newer than `since`. */
async function probe(since: number): Promise<ProbeReport> {
  for (;;) {
    const report = await readFile(probeFile, 'utf8').then((text) => JSON.parse(text) as ProbeReport, () => null);
    if (report && report.writtenAt > since) return report;
    await delay(200);
  }
}

try {
  const ready = await bot.waitFor(/Quelle is ready/, { timeoutMs: 10 * 60_000 });
  if (ready.passages !== built.passages) throw new Error(`the bot serves ${String(ready.passages)} passages, expected ${built.passages}`);
  if (ready.mode !== 'hybrid') throw new Error(`the bot does not search by meaning: ${JSON.stringify(ready.modelProblem ?? ready.vectorsProblem ?? ready.mode)}`);
  const members = Array.from({ length: MEMBERS }, (_, i) => twin.addMember({ username: `bench${i}` }).id);
  // The event loop's figures from here on: start-up (loading the index) is not what members wait for.
  bot.child.kill('SIGUSR2');
  for (let report = await probe(0); report.resetAt === 0; report = await probe(report.writtenAt));

  /** Sends one question and resolves with its time to the final reply, and the footer's search figures. */
  const timedQuestion = async (i: number): Promise<{ ms: number; hybrid: boolean; searchMs: number | null }> => {
    const started = performance.now();
    const handle = await ask(twin, questions[i % questions.length]!, { user: members[i % MEMBERS]!, locale: 'de' });
    const final = await handle.waitForFinal(30_000);
    const ms = performance.now() - started;
    // The footer reads "Suche: hybrid · 12 ms · …": the mode and the bot's own search time.
    const footer = /^Suche: hybrid · (\d+) ms/.exec(final.embeds[0]?.footer?.text ?? '');
    return { ms, hybrid: footer !== null, searchMs: footer ? Number(footer[1]) : null };
  };

  const latencies: number[] = [];
  const searches: number[] = [];
  let answered = 0;
  let lastSent = -Infinity;
  for (let i = 0; i < WARMUP + task.questions; i++) {
    const wait = lastSent + task.intervalMs - performance.now();
    if (wait > 0) await delay(wait);
    lastSent = performance.now();
    const { ms, hybrid, searchMs } = await timedQuestion(i);
    if (i < WARMUP) continue;
    latencies.push(ms);
    if (hybrid) {
      answered++;
      searches.push(searchMs!);
    }
  }
  const idle = await probe(Date.now());

  let duringReindex: BotReport['during_reindex'] = null;
  let reindexWindow: { from: number; to: number } | null = null;
  if (!task.noReindex) {
    await reviseEveryParagraph(seedsDir);
    const moderator = twin.addMember({ username: 'moderator', permissions: PermissionFlagsBits.ManageGuild });
    process.stderr.write(`  bot: /reindex of every passage, a question every ${task.reindexIntervalMs} ms\n`);
    const logFrom = bot.lines.length;
    const reindexStarted = performance.now();
    const reindexFrom = Date.now();
    const reindex = await twin.sendCommand({ name: 'reindex', user: moderator.id });
    let done = false;
    // The summary edits the reply; after 14 minutes (interaction tokens expire at 15) the bot
    // posts it in the channel instead, as a message of no interaction.
    const finished = Promise.any([
      reindex.waitForEdit((message) => message.embeds.length > 0, 60 * 60_000),
      twin.waitForChannelMessage((message) => message.interactionId === undefined && message.embeds.length > 0, 60 * 60_000),
    ]).finally(() => (done = true));
    const pending: Array<Promise<{ ms: number; hybrid: boolean }>> = [];
    for (let i = 0; !done; i++) {
      pending.push(timedQuestion(i));
      await Promise.race([delay(task.reindexIntervalMs), finished]);
    }
    const result = await finished;
    reindexWindow = { from: reindexFrom, to: Date.now() };
    const reindexSeconds = (performance.now() - reindexStarted) / 1000;
    const answers = await Promise.all(pending);
    const last = await bot.waitFor(/Reindex finished; new index serving/, { from: logFrom, timeoutMs: 5000 }).catch(() => {
      throw new Error(`the reindex did not finish: ${result.embeds[0]?.title ?? ''} ${result.embeds[0]?.description ?? ''}`);
    });
    const embedded = Number(last.embedded);
    duringReindex = {
      ...summary(answers.map((a) => a.ms)),
      questions: answers.length,
      answered: answers.filter((a) => a.hybrid).length,
      reindex_s: reindexSeconds,
      embedded_passages: embedded,
      passages_per_s: embedded / Number(last.seconds),
    };
  }
  const end = await probe(Date.now());
  const memory = await memoryOf(bot.pid);
  if (duringReindex) {
    process.stderr.write(
      `  bot: reindex embedded ${duringReindex.embedded_passages} passages in ${duringReindex.reindex_s.toFixed(0)} s; ${duringReindex.questions} questions, p95 ${duringReindex.p95_ms.toFixed(0)} ms, event loop max ${end.loopMaxMs.toFixed(0)} ms (idle ${idle.loopMaxMs.toFixed(0)} ms), bot RSS peak ${memory.peakMb.toFixed(0)} MB\n`,
    );
  }
  const phaseOf = (at: number): string => (reindexWindow && at >= reindexWindow.from ? (at <= reindexWindow.to ? 'reindex' : 'after the reindex') : 'idle questions');

  const report: BotReport = {
    model: path.basename(task.modelDir),
    passages: built.passages,
    articles: built.articles,
    questions: latencies.length,
    answered,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    mean_ms: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    p99_ms: percentile(latencies, 99),
    max_ms: Math.max(...latencies),
    search_p50_ms: percentile(searches, 50),
    search_p95_ms: percentile(searches, 95),
    violations: twin.violations.length,
    during_reindex: duringReindex,
    event_loop_max_ms: end.loopMaxMs,
    event_loop_idle_max_ms: idle.loopMaxMs,
    event_loop_stalls: end.stalls
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12)
      .map((stall) => ({ at_s: (stall.at - (reindexWindow?.from ?? stall.at)) / 1000, ms: stall.ms, during: phaseOf(stall.at) })),
    gc_max_ms: end.gcMaxMs,
    memory_at_rss_max_mb: end.heapAtRssMax
      ? { heap_used: end.heapAtRssMax.heapUsed / MB, external: end.heapAtRssMax.external / MB, array_buffers: end.heapAtRssMax.arrayBuffers / MB }
      : null,
    rss_mb: memory.peakMb,
    rss_sampled_max_mb: end.rssMaxBytes / MB,
    initial_build_s: built.seconds,
  };
  await writeJson(task.resultFile, report);
} finally {
  await bot.stop();
  await twin.close();
}

/**
 * Child process: /ask answer time in the real bot against the local Discord twin.
 *
 * The index is hybrid, built with the fixture model from the 10kGNAD articles, the XQuAD-de
 * articles and, to pass the wanted passage count, extra articles whose paragraphs are
 * recombined from corpus sentences (seeded, so every run indexes the same text). The bot is
 * started with startHarness (cooldown 0) on that index. Questions (XQuAD-de, German) are sent
 * one after another, from rotating members; each is timed from just before the interaction is
 * sent to the moment the twin holds the edited (final) reply. Questions start at least
 * `intervalMs` apart (default 50 ms, 20 per second): discord.js holds the client to Discord's
 * global limit of 50 requests per second, so questions sent back to back make every 50th reply
 * wait for the next second, which measures the pacing of the benchmark, not the bot.
 */

import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { ask, FIXTURE_MODEL, startHarness } from '../e2e/bot-harness.ts';
import { childArguments, percentile, writeJson } from './bench-support.ts';
import { Random } from './synthetic.ts';

export interface BotTask {
  readonly corpusDir: string;
  readonly xquadDir: string;
  readonly questionsFile: string;
  readonly workDir: string;
  readonly passages: number;
  readonly questions: number;
  /** Least time between two questions being sent (see the header). */
  readonly intervalMs: number;
  readonly resultFile: string;
}

export interface BotReport {
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
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const random = new Random(42);
  const pick = (): string => sentences[Math.floor(random.next() * sentences.length)]!;
  for (let a = 0; a < articles; a++) {
    const paragraphs = Array.from({ length: PARAGRAPHS_PER_ARTICLE }, () => `${pick()} ${pick()} ${pick()}`);
    const title = pick().slice(0, 120);
    await writeFile(path.join(dir, `mix-${a.toString().padStart(5, '0')}.txt`), `Panorama\n\n${title}\n\n${paragraphs.join('\n\n')}\n`);
  }
}

const task = childArguments<BotTask>();
const seedsDir = path.join(task.workDir, 'bot-mixed-articles');
const indexDir = path.join(task.workDir, 'bot-index');
const modelSettings = resolveModelSettings({ modelDir: FIXTURE_MODEL });

// How many passages the real articles give, then enough mixed articles to reach the target.
await rm(indexDir, { recursive: true, force: true });
let built = await runIndexer({ seedsDir: [task.corpusDir, task.xquadDir], indexDir, mode: 'lexical', modelSettings, previous: null });
const missing = task.passages - built.summary.passages;
await writeMixedArticles(seedsDir, await corpusSentences(task.corpusDir), Math.max(0, Math.ceil(missing / PARAGRAPHS_PER_ARTICLE)));
await rm(indexDir, { recursive: true, force: true });
process.stderr.write(`  bot: building a hybrid index of ${task.passages}+ passages with the fixture model\n`);
built = await runIndexer({ seedsDir: [task.corpusDir, task.xquadDir, seedsDir], indexDir, mode: 'hybrid', rebuild: true, modelSettings, previous: null });
if (built.summary.mode !== 'hybrid') throw new Error(`the bot index is ${built.summary.mode}: ${built.summary.notice}`);

const questions = (await readFile(task.questionsFile, 'utf8'))
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { question: string }).question);

const harness = await startHarness({ buildIndex: false, env: { QUELLE_SEEDS_DIR: seedsDir, QUELLE_INDEX_DIR: indexDir, QUELLE_COOLDOWN_SECONDS: '0', LOG_LEVEL: 'silent' } });
try {
  const loaded = harness.bot.service.current?.index.manifest.counts.passages ?? 0;
  if (loaded !== built.summary.passages) throw new Error(`the bot serves ${loaded} passages, expected ${built.summary.passages}`);
  const members = Array.from({ length: MEMBERS }, (_, i) => harness.twin.addMember({ username: `bench${i}` }).id);
  const latencies: number[] = [];
  const searches: number[] = [];
  let answered = 0;
  let lastSent = -Infinity;
  for (let i = 0; i < WARMUP + task.questions; i++) {
    const question = questions[i % questions.length]!;
    const wait = lastSent + task.intervalMs - performance.now();
    if (wait > 0) await delay(wait);
    const started = performance.now();
    lastSent = started;
    const handle = await ask(harness.twin, question, { user: members[i % MEMBERS]!, locale: 'de' });
    const final = await handle.waitForFinal(10_000);
    const elapsed = performance.now() - started;
    if (i < WARMUP) continue;
    latencies.push(elapsed);
    // The footer reads "Suche: hybrid · 12 ms · …": the mode and the bot's own search time.
    const footer = /^Suche: hybrid · (\d+) ms/.exec(final.embeds[0]?.footer?.text ?? '');
    if (footer) {
      answered++;
      searches.push(Number(footer[1]));
    }
  }
  const report: BotReport = {
    passages: built.summary.passages,
    articles: built.summary.articles,
    questions: latencies.length,
    answered,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    mean_ms: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    p99_ms: percentile(latencies, 99),
    max_ms: Math.max(...latencies),
    search_p50_ms: percentile(searches, 50),
    search_p95_ms: percentile(searches, 95),
    violations: harness.twin.violations.length,
  };
  await writeJson(task.resultFile, report);
} finally {
  await harness.stop();
}

/**
 * Shared pieces of the reliability tests and scripts (issue #6): a bot harness that can inject an
 * embedder and point the bot at any seeds/index folder, a generated corpus, a tmpfs mount for
 * full-disk tests, and small statistics helpers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { loadTransformersEmbedder } from '../../src/embedding/transformers-embedder.ts';
import type { DiscordTwin, TwinMessage } from '../discord-twin/twin.js';
import { FIXTURE_MODEL, PROJECT_ROOT } from '../e2e/bot-harness.ts';
import { uniform } from '../helpers/prng.ts';

export {
  ask,
  BOT_TOKEN,
  FIXTURE_MODEL,
  NO_IDENTIFY_THROTTLE,
  PROJECT_ROOT,
  recordingLogger,
  SEED_QUESTION,
  shownText,
  startHarness,
  twinEnv,
  type Harness,
  type HarnessOptions,
} from '../e2e/bot-harness.ts';

export const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
export const SEED_DIR = path.join(PROJECT_ROOT, 'seeds');
export const CORPUS_10KGNAD = path.resolve(PROJECT_ROOT, '..', 'shared', 'corpora', '10kgnad', 'articles');


/** The tiny fixture model (for scripts, which cannot use test/helpers: it registers vitest hooks). */
export function loadTinyEmbedder(): Promise<Embedder> {
  return loadTransformersEmbedder(resolveModelSettings({ modelDir: FIXTURE_MODEL }));
}

/** The same embedder with a no-op dispose: the bot disposes its model when it stops, a shared one must survive that. */
export function undisposable(embedder: Embedder, overrides: Partial<Embedder> = {}): Embedder {
  return {
    modelId: embedder.modelId,
    dimension: embedder.dimension,
    embedQuery: (text, signal) => embedder.embedQuery(text, signal),
    embedPassages: (texts, options) => embedder.embedPassages(texts, options),
    dispose: async () => {},
    ...overrides,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A small deterministic PRNG, so that generated inputs are the same on every run. */
export const prng = uniform;

const WORDS = (
  'Regierung Haushalt Wien Berlin Wetter Verkehr Bahn Streik Wahl Partei Minister Gericht Urteil Schule Klima Energie Preise ' +
  'Inflation Fußball Tor Trainer Saison Museum Ausstellung Theater Forschung Studie Universität Spital Gesundheit Polizei ' +
  'Unfall Feuerwehr Gemeinde Bürgermeister Budget Steuer Reform Export Industrie Arbeitsmarkt Lehrlinge Wohnung Miete Bauern'
).split(' ');

/** One generated article in the seed layout; `id` makes its words and numbers distinct. */
export function generatedArticle(id: number, random: () => number, paragraphs = 4): string {
  const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const sentence = () => `${Array.from({ length: 8 + Math.floor(random() * 10) }, word).join(' ')} ${id * 7 + Math.floor(random() * 100)}.`;
  const body = Array.from({ length: paragraphs }, () => Array.from({ length: 2 + Math.floor(random() * 2) }, sentence).join(' '));
  return `05. September, 2025\n\nPanorama\n\nMeldung ${id}: ${word()} und ${word()}\n\n${body.join('\n\n')}\n`;
}

/** Writes `count` generated articles (plus the seed article, so that the seed question has its answer). */
export async function writeCorpus(dir: string, count: number, seed = 1): Promise<string> {
  await mkdir(dir, { recursive: true });
  const random = prng(seed);
  for (let i = 0; i < count; i++) await writeFile(path.join(dir, `gen_${String(i).padStart(5, '0')}.txt`), generatedArticle(i, random));
  const { copyFile } = await import('node:fs/promises');
  await copyFile(path.join(SEED_DIR, '000_844079290e2bd696.txt'), path.join(dir, '000_844079290e2bd696.txt'));
  return dir;
}

/** The real `npm start` entry point (src/bot/main.ts) in a child process, with its output. */
export interface BotProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves once the output matches; rejects when the process exits first or the time is up. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The exit code (null when killed by a signal), once the process has exited and its output is read. */
  readonly exited: Promise<number | null>;
}

/**
 * Spawns `tsx src/bot/main.ts` as `npm start` does, with only `env`'s Discord and Quelle
 * settings (none inherited from the test run).
 */
export function startBotProcess(env: Record<string, string>, args: readonly string[] = []): BotProcess {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(childEnv)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS' || key.startsWith('DISCORD_') || key.startsWith('QUELLE_')) delete childEnv[key];
  const child = spawn(TSX, [path.join('src', 'bot', 'main.ts'), ...args], { cwd: PROJECT_ROOT, env: { ...childEnv, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  // 'close' comes after the output streams have ended, so output() is complete by then.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const fail = (why: string) => () => {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`bot output never matched ${pattern} (${why}):\n${output.slice(-3000)}`));
        };
        const timer = setTimeout(fail(`${timeoutMs} ms`), timeoutMs);
        const check = (): void => {
          if (!pattern.test(output)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        waiters.add(check);
        check();
        void exited.then(() => waiters.has(check) && fail('the bot exited')());
      });
    },
  };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `quelle-rel-${prefix}`));
}

/**
 * Whether a message is the bot's answer to a question: an embed titled with the question, with
 * cited excerpts or the "nothing relevant" note (whether an excerpt is relevant enough to show
 * is retrieval's decision, not what these tests are about).
 */
export function isAnswer(message: TwinMessage): boolean {
  const embed = message.embeds[0];
  return embed !== undefined && /^(Question|Frage): /.test(embed.title ?? '') && ((embed.fields?.length ?? 0) > 0 || Boolean(embed.description));
}

/** Messages the bot wrote (any channel, including ephemeral and deleted ones). */
export function botMessages(twin: DiscordTwin): TwinMessage[] {
  return twin.channelMessages().filter((message) => message.authorId === twin.ids.botUserId);
}

/** Nearest-rank percentile of `values` (0–100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const MiB = 1024 * 1024;

/**
 * Mounts a tmpfs of `bytes` at a new directory (root with CAP_SYS_ADMIN only), for real
 * full-disk tests; null with the reason when mounting is not permitted here.
 */
export interface Tmpfs {
  /** Where it is mounted; null when mounting is not permitted here. */
  readonly dir: string | null;
  /** Why it could not be mounted. */
  readonly reason: string | null;
  unmount(): Promise<void>;
}

export async function mountTmpfs(bytes: number): Promise<Tmpfs> {
  const dir = await tempDir('tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { dir: null, reason: `cannot mount a tmpfs here (${stderr || (error as Error).message})`, unmount: async () => {} };
  }
  return {
    dir,
    reason: null,
    async unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

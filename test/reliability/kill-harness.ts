/**
 * kill -9 of the real indexer CLI (issue #6). Spawns `tsx src/cli/index.ts --rebuild` against an
 * existing index, kills it with SIGKILL at a chosen point, then checks what a restart sees: the
 * previous generation (or the new one, if the switch of CURRENT completed) loads and answers, and
 * the next start (taking the build lock, as every build does first) removes the leftovers.
 *
 * Kill points are time-based (ms after spawn) or phase-based. The phases are observed from
 * outside: the CLI draws its progress bar only on a terminal, so the child gets
 * `process.stderr.isTTY = true` through a `--import data:` module and its bar labels on stderr
 * tell chunk / embed / insert (and, once insert is complete, lexical); the save is watched in the
 * index folder (inotify plus polling): the lock, `.tmp-gen-*`, each file written into it, the
 * generation renamed into place, CURRENT's temporary file and the switched CURRENT.
 *
 * tsx runs the CLI in a child node process; the kill goes to the whole process group, so the
 * process doing the work dies at once, like `kill -9` of `npm run index`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { loadIndex, lockIndex } from '../../src/index/index-store.ts';
import { EMBEDDING_CACHE_FILE } from '../../src/indexer/embedding-cache.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { ageRetiredGenerations } from '../helpers/generations.ts';
import { FIXTURE_MODEL, PROJECT_ROOT, TSX } from './helpers.ts';

export type Phase = 'chunk' | 'embed' | 'insert';

export type Trigger =
  /** ms after the spawn. */
  | { readonly kind: 'time'; readonly ms: number }
  /** When the progress bar of `phase` shows at least `fraction` done, then `delayMs` later. */
  | { readonly kind: 'progress'; readonly phase: Phase; readonly fraction: number; readonly delayMs?: number }
  /** When the build lock appears (the run has started reading articles), then `delayMs` later. */
  | { readonly kind: 'lock'; readonly delayMs?: number }
  /** When the temporary generation exists (and holds `file`, if given). */
  | { readonly kind: 'tmp-gen'; readonly file?: string }
  /** When the new generation has been renamed into place (CURRENT not yet switched). */
  | { readonly kind: 'renamed' }
  /** When CURRENT's temporary file exists (the switch itself). */
  | { readonly kind: 'current-tmp' }
  /** When CURRENT names the new generation (the old one is being removed). */
  | { readonly kind: 'switched' };

export interface KillPoint {
  readonly label: string;
  readonly trigger: Trigger;
}

export interface KillOutcome {
  readonly label: string;
  /** False when the run finished before the trigger fired (not a kill point then). */
  readonly killed: boolean;
  readonly atMs: number;
  /** Where the kill landed, as observed: progress and the index folder at the moment of the kill. */
  readonly landed: string;
  /** What the index folder held right after the kill (before anything cleaned up). */
  readonly leftovers: string[];
  /** Which generation loaded afterwards: the previous one or the new one. */
  readonly loaded: 'previous' | 'new';
  readonly hits: number;
}

const LABELS: Record<string, Phase | 'lexical'> = {
  'Reading articles': 'chunk',
  'Embedding passages': 'embed',
  'Building vector index': 'insert',
  'Building lexical index': 'lexical',
};
const PROGRESS = /(Reading articles|Embedding passages|Building vector index|Building lexical index) \[[=-]*\] (\d+)\/(\d+)/g;

/** Forces the CLI's progress bar on a pipe: the bar labels are how the phases are seen. */
const FORCE_TTY = '--import=data:text/javascript,process.stderr.isTTY=true';

export interface IndexerRunOptions {
  readonly seedsDir: string;
  readonly indexDir: string;
  readonly rebuild?: boolean;
  /** The model directory (default: the fixture model). */
  readonly modelDir?: string;
  /** More environment for the indexer (settings). */
  readonly env?: Record<string, string>;
}

function spawnIndexer({ seedsDir, indexDir, rebuild = true, modelDir = FIXTURE_MODEL, env: extraEnv = {} }: IndexerRunOptions): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  Object.assign(env, { EMBEDDING_MODEL_DIR: modelDir, NODE_OPTIONS: FORCE_TTY, FORCE_COLOR: '0', ...extraEnv });
  const args = [path.join('src', 'cli', 'index.ts'), '--seeds', seedsDir, '--index', indexDir, '--mode', 'hybrid', '--json', ...(rebuild ? ['--rebuild'] : [])];
  return spawn(TSX, args, { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether any process of group `pgid` still exists (zombies included: they still hold their pid). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The live members of process group `pgid` (Linux /proc; empty elsewhere). */
function groupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

/** Runs the indexer to the end (no kill); returns its wall time and JSON summary. */
export async function runIndexerToEnd(
  options: IndexerRunOptions,
): Promise<{ ms: number; summary: { seconds: number; passages: number; embeddedPassages: number; resumedPassages: number; timings: Record<string, number> } }> {
  const started = performance.now();
  const child = spawnIndexer(options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`indexer exited with ${code}: ${stderr.replace(PROGRESS, '').slice(-2000)}`);
  return { ms: performance.now() - started, summary: JSON.parse(stdout) as Awaited<ReturnType<typeof runIndexerToEnd>>['summary'] };
}

/** The order of the save's stages as saveState describes them (0: not saving yet). */
function stage(state: string | null): number {
  if (state === null) return 0;
  if (state.startsWith('save: writing')) return 1;
  if (state.startsWith('save: generation renamed')) return 2;
  if (state.startsWith('save: switching')) return 3;
  return 4;
}

/** What the index folder shows about the save, or null before the save began. */
function saveState(indexDir: string, previous: string): string | null {
  let entries: string[];
  try {
    entries = readdirSync(indexDir);
  } catch {
    return null;
  }
  let current = '';
  try {
    current = readFileSync(path.join(indexDir, 'CURRENT'), 'utf8').trim();
  } catch {
    // no CURRENT (yet)
  }
  if (current !== '' && current !== previous) return 'save: CURRENT switched';
  if (entries.some((entry) => /^\.CURRENT\..*\.tmp$/.test(entry))) return 'save: switching CURRENT (its temporary file written)';
  // Newer than the previous generation: this save's (older ones are retired, kept for their grace period).
  if (entries.some((entry) => entry.startsWith('gen-') && entry > previous)) return 'save: generation renamed into place, CURRENT not switched';
  const temporary = entries.find((entry) => entry.startsWith('.tmp-gen-'));
  if (temporary) {
    let files: string[] = [];
    try {
      files = readdirSync(path.join(indexDir, temporary));
    } catch {
      // removed meanwhile
    }
    return `save: writing the temporary generation (${files.length ? files.join(', ') : 'empty'})`;
  }
  return null;
}

/**
 * Runs the indexer and kills it (SIGKILL, whole process group) at `point`. Resolves once the
 * processes are gone, with where the kill landed; `killed` is false if the run ended first.
 */
export async function killIndexerAt(options: IndexerRunOptions, point: KillPoint): Promise<{ killed: boolean; atMs: number; landed: string }> {
  const previous = (await readFile(path.join(options.indexDir, 'CURRENT'), 'utf8')).trim();
  const started = performance.now();
  const child = spawnIndexer(options);
  const pid = child.pid!;
  let progress: { phase: Phase | 'lexical'; done: number; total: number } | null = null;
  let fired = false;
  let landed = '';
  let atMs = 0;
  const watchers: FSWatcher[] = [];
  const timers: NodeJS.Timeout[] = [];

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stdout!.resume();

  const describe = (): string => {
    const save = saveState(options.indexDir, previous);
    if (save) return save;
    if (progress) {
      if (progress.phase === 'insert' && progress.done === progress.total) return 'lexical (vector index complete)';
      return `${progress.phase} ${progress.done}/${progress.total}`;
    }
    return existsSync(path.join(options.indexDir, '.lock')) ? 'parse / load previous index and model' : 'start-up (before the lock)';
  };
  const kill = (): void => {
    if (fired) return;
    fired = true;
    landed = describe();
    atMs = performance.now() - started;
    // SIGKILL the worker (tsx's child node process) so that its parent reaps it at once, as a
    // shell or npm would; the whole group if the worker has not been started yet.
    const workers = groupMembers(pid).filter((member) => member !== pid);
    try {
      if (workers.length === 0) process.kill(-pid, 'SIGKILL');
      for (const worker of workers) process.kill(worker, 'SIGKILL');
    } catch {
      // already gone
    }
    timers.push(setTimeout(() => groupAlive(pid) && process.kill(-pid, 'SIGKILL'), 3000));
  };
  const later = (ms: number | undefined): void => {
    if (!ms) kill();
    else timers.push(setTimeout(kill, ms));
  };

  const trigger = point.trigger;
  let armed = false;
  const check = (): void => {
    try {
      checkNow();
    } catch {
      // A file vanished between two looks (the run moves fast): the next event or poll decides.
    }
  };
  const checkNow = (): void => {
    if (fired || armed) return;
    const state = saveState(options.indexDir, previous);
    switch (trigger.kind) {
      case 'lock':
        if (existsSync(path.join(options.indexDir, '.lock')) && readFileSync(path.join(options.indexDir, '.lock'), 'utf8').trim() !== '') {
          armed = true;
          later(trigger.delayMs);
        }
        return;
      // A save stage can pass between two looks: fire at the aimed stage or any later one (the
      // outcome reports where the kill landed).
      case 'tmp-gen':
        if (stage(state) > 1 || (stage(state) === 1 && (!trigger.file || state!.includes(trigger.file)))) kill();
        return;
      case 'renamed':
        if (stage(state) >= 2) kill();
        return;
      case 'current-tmp':
        if (stage(state) >= 3) kill();
        return;
      case 'switched':
        if (stage(state) >= 4) kill();
        return;
      default:
    }
  };

  if (trigger.kind === 'time') timers.push(setTimeout(kill, trigger.ms));
  else if (trigger.kind !== 'progress') {
    // inotify on the folder and on the temporary generation inside it, plus a 2 ms poll.
    const watchFolder = (dir: string): void => {
      try {
        const watcher = watch(dir, (_event, name) => {
          if (typeof name === 'string' && name.startsWith('.tmp-gen-')) watchFolder(path.join(options.indexDir, name));
          check();
        });
        watcher.on('error', () => {});
        watchers.push(watcher);
      } catch {
        // gone already
      }
    };
    watchFolder(options.indexDir);
    const poll = setInterval(check, 2);
    timers.push(poll);
  }

  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = stderrTail + chunk.toString();
    for (const match of text.matchAll(PROGRESS)) {
      progress = { phase: LABELS[match[1]!]!, done: Number(match[2]), total: Number(match[3]) };
      if (trigger.kind === 'progress' && !armed && progress.phase === trigger.phase && progress.done >= trigger.fraction * progress.total) {
        armed = true;
        later(trigger.delayMs);
      }
    }
    stderrTail = text.slice(-200);
  });

  const { code, signal } = await exited;
  for (const timer of timers) clearTimeout(timer);
  for (const watcher of watchers) watcher.close();
  // The worker is in the same group; make sure nothing of the run survives.
  for (let i = 0; i < 200 && groupAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (groupAlive(pid)) {
    process.kill(-pid, 'SIGKILL');
    throw new Error(`processes of the killed indexer (group ${pid}) survived the kill`);
  }
  // tsx exits like its worker did: by SIGKILL, or with code 137 when it relays it.
  return { killed: fired && (signal === 'SIGKILL' || code === 137), atMs, landed: fired ? landed : 'finished before the trigger' };
}

/**
 * After a kill: the index loads (the previous generation, or the new one if CURRENT was
 * switched), answers `question`, and the next start removes every leftover.
 */
export async function verifyAfterKill(
  indexDir: string,
  previous: string,
  embedder: Embedder,
  question: string,
): Promise<{ loaded: 'previous' | 'new'; hits: number; leftovers: string[] }> {
  const entries = (await readdir(indexDir)).sort();
  const current = (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();
  const index = await loadIndex(indexDir);
  const response = await new Retriever(index, embedder).search(question, { k: 3 });
  const leftovers = entries.filter((entry) => entry !== 'CURRENT' && entry !== current);
  // The next start: every build takes the lock first, which removes what the killed one left.
  // Generations that were current before stay for their grace period (a reader may still be
  // opening them); anything else is gone.
  const lock = await lockIndex(indexDir);
  const after = (await readdir(indexDir)).sort();
  await lock.release();
  // The embedding cache keeps what the killed build embedded, for the next one (issue #12).
  const unexpected = after.filter((entry) => !['.lock', 'CURRENT', EMBEDDING_CACHE_FILE, current].includes(entry) && !(entry.startsWith('gen-') && entry < current));
  if (unexpected.length > 0) throw new Error(`leftovers survived the next start: ${unexpected.join(', ')}`);
  // Once the grace period is over, the next start removes those too.
  await ageRetiredGenerations(indexDir);
  await (await lockIndex(indexDir)).release();
  const final = (await readdir(indexDir)).filter((entry) => entry !== EMBEDDING_CACHE_FILE).sort();
  if (JSON.stringify(final) !== JSON.stringify(['CURRENT', current].sort())) throw new Error(`retired generations survived their grace period: ${final.join(', ')}`);
  return { loaded: current === previous ? 'previous' : 'new', hits: response.hits.length, leftovers };
}

/** The entries of an index folder other than CURRENT and the live generation. */
export async function strayEntries(indexDir: string): Promise<string[]> {
  const current = (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();
  return (await readdir(indexDir)).filter((entry) => entry !== 'CURRENT' && entry !== current);
}

export async function currentGeneration(indexDir: string): Promise<string> {
  return (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();
}

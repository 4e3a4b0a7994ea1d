/** Small pieces shared by the benchmark's driver and its child processes. */

import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const MB = 1024 * 1024;

/** Nearest-rank percentile of unsorted samples. */
/** A process's resident memory now and at its peak (VmRSS, VmHWM from /proc), in MB to one decimal. */
export async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: round(kb('VmRSS') / 1024, 1), peakMb: round(kb('VmHWM') / 1024, 1) };
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Collects garbage when the process runs with --expose-gc, so RSS readings are comparable. */
export async function settleMemory(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await delay(20);
  }
}

export function rssBytes(): number {
  return process.memoryUsage.rss();
}

/** Peak resident set size of this process so far (the kernel's high-water mark). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Reads a child's arguments: one JSON document as the first command-line argument. */
export function childArguments<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error('expected the task as a JSON argument');
  return JSON.parse(raw) as T;
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2));
}

export type ChildOutcome<T> = { ok: true; value: T; seconds: number } | { ok: false; reason: string; seconds: number };

/**
 * Runs `script` in a fresh Node process (with tsx, --expose-gc and a large heap) so that each
 * measurement has its own memory; its stdout and stderr go to our stderr, its result comes back
 * through a JSON file. A child that runs past `timeoutMs` is killed and reported as such.
 */
export async function runChild<T>(script: string, task: Record<string, unknown>, options: { timeoutMs: number; resultFile: string }): Promise<ChildOutcome<T>> {
  await rm(options.resultFile, { force: true });
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=20000', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), '--import', 'tsx', path.join(import.meta.dirname, script), JSON.stringify({ ...task, resultFile: options.resultFile })],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 2, 2], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } },
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  if (timedOut) return { ok: false, reason: `timed out after ${Math.round(options.timeoutMs / 1000)} s`, seconds };
  if (code !== 0) return { ok: false, reason: `child failed (${signal ?? `exit ${code}`}); see stderr`, seconds };
  try {
    return { ok: true, value: JSON.parse(await readFile(options.resultFile, 'utf8')) as T, seconds };
  } catch (error) {
    return { ok: false, reason: `child wrote no result (${String(error)})`, seconds };
  }
}

/** Progress for people: to stderr, so stdout stays the result. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

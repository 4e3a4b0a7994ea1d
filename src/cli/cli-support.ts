import { stat } from 'node:fs/promises';
import { config as loadDotenv } from 'dotenv';
import { SingleBar } from 'cli-progress';
import { printable, signalExitCode, UsageError } from '../command-line.ts';
import { loadCoreConfig, type CoreConfig } from '../config.ts';
import { ErrorCode, QuelleError } from '../errors.ts';
import type { BuildProgress } from '../indexer/build-index.ts';
import type { Logger } from '../logger.ts';

/**
 * What the CLI commands (index, ask, eval) share beyond ../command-line.ts: settings, flag
 * values, the stderr logger and the progress bar. stdout carries only the command's own output
 * (so that `npm run --silent ask -- … --json | jq` works); warnings, progress and errors go to
 * stderr.
 */

/** Loads `.env` (quietly) and the shared settings; a deprecated setting gets a warning on stderr. */
export function loadCliConfig(): CoreConfig {
  loadDotenv({ quiet: true });
  const config = loadCoreConfig();
  for (const deprecation of config.deprecations) process.stderr.write(`warning: ${deprecation}\n`);
  return config;
}

export function parsePositiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`--${name} must be a whole number of at least 1, not "${value}".`);
  return number;
}

export function parseChoice<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not "${value}".`);
  return value as T;
}

/**
 * Refuses an index or seeds path that exists but is not a folder, before anything touches it
 * (the file-system error would otherwise come from deep inside, as a stack trace). `flag` is set
 * when the path came from the command line, which makes it a usage error.
 */
export async function expectFolder(dir: string, flag: string | null, setting: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info || info.isDirectory()) return;
  const message = `${printable(dir)} is a file, not a folder. ${flag ? `Pass a folder to ${flag}` : `Set ${setting} to a folder`}.`;
  if (flag) throw new UsageError(message);
  throw new QuelleError(ErrorCode.InvalidConfig, message);
}

/**
 * A logger for CLI runs: human-readable lines on stderr, one line per event. Control characters
 * (a file name may hold a newline) are printed as escapes, so that no name can fake a line.
 */
export function stderrLogger(verbose = false): Logger {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === 'string' ? obj : (msg ?? JSON.stringify(obj));
    process.stderr.write(`${level}${printable(text)}\n`);
  };
  return { debug: verbose ? write('debug: ') : () => {}, info: write(''), warn: write('warning: '), error: write('error: ') };
}

const PHASE_LABELS: Record<BuildProgress['phase'], string> = {
  chunk: 'Reading articles',
  embed: 'Embedding passages',
  insert: 'Building vector index',
  lexical: 'Building lexical index',
};

/** A progress bar on stderr when it is a terminal; otherwise nothing (logs stay clean). */
export function progressReporter(): { update: (progress: BuildProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{phase} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: true,
  });
  let phase: string | null = null;
  return {
    update(progress) {
      if (progress.phase !== phase) {
        if (phase !== null) bar.stop();
        phase = progress.phase;
        bar.start(progress.total, progress.done, { phase: PHASE_LABELS[progress.phase] });
      } else {
        bar.update(progress.done);
      }
    },
    stop() {
      if (phase !== null) bar.stop();
    },
  };
}

/** Formats seconds for humans: 0.42 s, 12.3 s, 4 min 5 s. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** SIGINT and SIGTERM as an abort signal, so that a long command can stop cleanly. */
export interface SignalAbort {
  readonly signal: AbortSignal;
  /** The signal that stopped the command, or null. */
  readonly received: NodeJS.Signals | null;
  dispose(): void;
}

/** Repeats of a signal within this time are one interrupt (see {@link abortOnSignals}). */
const REPEATED_SIGNAL_MS = 2000;

/**
 * Aborts on the first SIGINT or SIGTERM (the command stops at its next check, cleans up and
 * says what it left). A Ctrl-C under `npm run` reaches the process more than once (from the
 * terminal, and forwarded by npm), so repeats within 2 s count as the same interrupt; a later
 * one exits at once, leaving any lock for the next run to clear.
 */
export function abortOnSignals(): SignalAbort {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  let receivedAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== null) {
      if (Date.now() - receivedAt < REPEATED_SIGNAL_MS) return;
      process.stderr.write('\nStopped at once.\n');
      process.exit(signalExitCode(signal));
    }
    received = signal;
    receivedAt = Date.now();
    controller.abort(new Error(`Interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

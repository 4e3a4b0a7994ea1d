import { parseArgs, type ParseArgsConfig } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { SingleBar } from 'cli-progress';
import { loadCoreConfig, type CoreConfig } from '../config.ts';
import { describeError, isQuelleError } from '../errors.ts';
import type { BuildProgress } from '../index/build-index.ts';
import type { Logger } from '../logger.ts';

/**
 * What every CLI command shares. stdout carries only the command's own output (so that
 * `npm run --silent ask -- … --json | jq` works); warnings, progress and errors go to stderr.
 */

export class UsageError extends Error {}

/** Parses flags strictly: an unknown flag is an error that names it and shows the usage. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${describeError(error)}\n\n${usage}`);
  }
}

/** Loads `.env` (quietly) and the shared settings. */
export function loadCliConfig(): CoreConfig {
  loadDotenv({ quiet: true });
  return loadCoreConfig();
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

/** A logger for CLI runs: human-readable lines on stderr. */
export function stderrLogger(verbose = false): Logger {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === 'string' ? obj : (msg ?? JSON.stringify(obj));
    process.stderr.write(`${level}${text}\n`);
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

/** Runs a command: prints expected errors as one clear message, exits 1 (2 for usage errors). */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => {
      process.exitCode ??= 0;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`error: ${describeError(error)}\n`);
        if (!isQuelleError(error) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
        process.exitCode = 1;
      }
    },
  );
}

/** Formats seconds for humans: 0.42 s, 12.3 s, 4 min 5 s. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

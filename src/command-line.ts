import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeError, isQuelleError } from './errors.ts';

/**
 * What every command-line entry point shares — the CLI commands (`npm run index|ask|eval`) and
 * the bot's (`npm start`, `npm run register`): strict flags, the same exit codes, one clear line
 * per expected error, file-system errors explained with the folder and the fix, and text from
 * files made safe to print. stdout carries only a command's own output; everything else goes to
 * stderr.
 *
 * Exit codes: 0 done, 1 failed (the message says why), 2 usage error (bad flags or arguments),
 * 128 + n stopped by signal n (130 for Ctrl-C).
 */

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** The shell's convention for a process stopped by a signal: 128 + its number (130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1);
}

/** The command was stopped by a signal; the message says what that left behind. */
export class InterruptedError extends Error {
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals, message: string) {
    super(message);
    this.name = 'InterruptedError';
    this.exitCode = signalExitCode(signal);
  }
}

/** Parses flags strictly: an unknown flag is an error that names it and shows the usage. `--help`/`-h` is always accepted. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${describeError(error)}\n\n${usage}`);
  }
}

// C0 and C1 controls, and the invisible characters that reorder or hide text in a terminal.
const UNPRINTABLE = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text safe to print on one terminal line: control and invisible characters become visible
 * escapes (`\n`, `\u001b`, `\u202e`), so a file name cannot start a fake `error:` line, move the
 * cursor or reverse what follows.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Like {@link printable}, but keeps line breaks: for messages that are several lines on purpose. */
function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** A folder a command works in: file-system errors under it are explained with its role and fix. */
export interface CommandFolder {
  readonly path: string;
  /** What the folder is, e.g. "index folder". */
  readonly role: string;
  /** How to use another one, e.g. "--index DIR or QUELLE_INDEX_DIR". */
  readonly choose: string;
  /** What the failure left as it was, e.g. "The previous index is unchanged." */
  readonly kept?: string;
}

type ErrnoError = Error & { code: string; path?: string; syscall?: string };

const SYSTEM_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT']);

function isSystemError(error: unknown): error is ErrnoError {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  // Node's recursive mkdir reports ENOENT where the disk is read-only.
  return SYSTEM_CODES.has(String(code)) || (code === 'ENOENT' && syscall === 'mkdir');
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * A permission, read-only or full-disk error, said plainly: which folder, what happened, what
 * to do. Node's own message (`EACCES: permission denied, open '…/.lock.123'`) names neither the
 * folder's role nor the fix.
 */
export function explainSystemError(error: ErrnoError, folders: readonly CommandFolder[]): string {
  // Errors that were already explained (the index store says a full disk plainly) carry no syscall.
  if (!error.syscall || !error.path) return error.message;
  const folder = folders.find((candidate) => isInside(error.path!, candidate.path));
  const dir = folder?.path ?? path.dirname(error.path);
  const what = folder ? `the ${folder.role} ${dir}` : dir;
  const choose = folder ? ` (${folder.choose})` : '';
  const detail = `${error.code}: ${error.syscall} ${error.path}`;
  let message: string;
  switch (error.code) {
    case 'EROFS':
      message = `Cannot write to ${what}: it is on a read-only file system (${detail}). Use a folder on a writable disk${choose}.`;
      break;
    case 'ENOENT':
      message = `Cannot create ${what} (${detail}): the disk is read-only, or a folder above it cannot be created. Create it yourself, or use a folder on a writable disk${choose}.`;
      break;
    case 'ENOSPC':
    case 'EDQUOT':
      message = `The disk holding ${what} is full (${detail}). Free some space and run the command again.`;
      break;
    default:
      message = `Permission denied on ${what} (${detail}). Give the user running Quelle read and write access to it (for example \`chown -R "$(id -un)" ${dir}\`), or use another folder${choose}.`;
  }
  return folder?.kept ? `${message} ${folder.kept}` : message;
}

/** What a command tells {@link runCli} while it runs. */
export interface CommandRun {
  /** Names a folder the command reads or writes, for explaining file-system errors under it. */
  uses(folder: CommandFolder): void;
}

export interface RunCliOptions {
  /** Applied to everything printed about an error (the bot's commands remove tokens). */
  readonly redact?: (text: string) => string;
}

/**
 * Runs a command and turns its outcome into output and an exit code: a usage error prints its
 * message (with the usage) and exits 2; an expected error (Quelle's own, or a permission,
 * read-only or full-disk error) prints one `error:` message and exits 1; an interrupt exits
 * 128 + the signal number. Only an unexpected error also prints its stack, for the bug report.
 */
export function runCli(main: (run: CommandRun) => Promise<void>, { redact = (text) => text }: RunCliOptions = {}): void {
  const folders: CommandFolder[] = [];
  const fail = (text: string, exitCode: number): void => {
    process.stderr.write(`${redact(printableLines(text))}\n`);
    process.exitCode = exitCode;
  };
  main({ uses: (folder) => void folders.push(folder) }).then(
    () => {
      process.exitCode ??= 0;
    },
    (error: unknown) => {
      if (error instanceof UsageError) fail(error.message, EXIT_USAGE);
      else if (error instanceof InterruptedError) fail(error.message, error.exitCode);
      else if (isSystemError(error)) fail(`error: ${explainSystemError(error, folders)}`, EXIT_FAILURE);
      else if (isQuelleError(error) || !(error instanceof Error) || !error.stack) fail(`error: ${describeError(error)}`, EXIT_FAILURE);
      // The stack repeats the message; it is there for the bug report.
      else fail(`error: ${describeError(error)}\n${error.stack}`, EXIT_FAILURE);
    },
  );
}

// `npm start` as a child process (node --import tsx src/bot/main.ts), for tests and measurements
// that need the bot in processes of its own: shards split over processes, a ShardingManager. Its
// JSON log lines are kept and can be awaited.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from './bot-harness.ts';

/** One parsed log line: pino's fields (`msg`, `time`, `pid`, …). */
export type LogLine = Record<string, unknown> & { msg?: string; time?: number };

export interface BotProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every JSON line written to stdout so far, parsed. */
  readonly lines: readonly LogLine[];
  /** What the process wrote to stderr (configuration errors). */
  readonly stderr: () => string;
  /** Resolves with the first line (logged already or later, from index `from` on) whose `msg` matches. */
  waitFor(pattern: RegExp, options?: { timeoutMs?: number; from?: number; where?: (line: LogLine) => boolean }): Promise<LogLine>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the bot as `npm start` would, with `env` on top of this process's environment (minus vitest's). */
export function startBotProcess(env: Record<string, string>): BotProcess {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(childEnv)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS' || key.startsWith('QUELLE_') || key.startsWith('DISCORD_')) delete childEnv[key];
  Object.assign(childEnv, { FORCE_COLOR: '0', NO_COLOR: '1' }, env);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], { cwd: PROJECT_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      lines.push({ msg: text });
    }
    for (const waiter of waiters) waiter();
  });
  let exitCode: number | null | undefined;
  const exited = once(child, 'exit').then(([code]) => {
    exitCode = code as number | null;
    for (const waiter of waiters) waiter();
    return exitCode;
  });

  return {
    child,
    pid: child.pid!,
    lines,
    stderr: () => stderr,
    exited,
    waitFor(pattern, { timeoutMs = 60_000, from = 0, where = () => true } = {}) {
      const find = () => lines.slice(from).find((line) => typeof line.msg === 'string' && pattern.test(line.msg) && where(line));
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = find();
          if (found) finish(() => resolve(found));
          else if (exitCode !== undefined) finish(() => reject(new Error(`the bot process exited (${exitCode}) before logging ${pattern}; stderr:\n${stderr}\nlast lines:\n${tail()}`)));
        };
        const finish = (settle: () => void): void => {
          waiters.delete(check);
          clearTimeout(timer);
          settle();
        };
        const tail = () => lines.slice(-8).map((line) => JSON.stringify(line)).join('\n');
        const timer = setTimeout(() => finish(() => reject(new Error(`no log line matched ${pattern} within ${timeoutMs} ms; last lines:\n${tail()}`))), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}

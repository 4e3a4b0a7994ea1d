/**
 * Starts "hosts" of a deployment sharing one PostgreSQL (index-host.ts, one child process each,
 * with its own seeds and index folders) and talks to them: commands on stdin, events awaited
 * from stdout. Used by the shared-index tests and the reindex-to-served measurement.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { FIXTURE_MODEL_DIR, PROJECT_ROOT } from './index-fixtures.ts';

export const INDEX_HOST_SCRIPT = path.join(PROJECT_ROOT, 'test', 'helpers', 'index-host.ts');

/** One line of a host's stdout. */
export interface HostEvent {
  readonly event: string;
  /** When this process read it (performance.now()). */
  readonly receivedAt?: number;
  readonly [key: string]: unknown;
}

export interface HostOptions {
  readonly seedsDir: string;
  readonly indexDir: string;
  readonly dataDir: string;
  readonly databaseUrl: string;
  /** Stop each publish after its first chunk until `continue` (or a kill). */
  readonly pausePublish?: boolean;
}

export class IndexHost {
  readonly events: HostEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<number | null>;
  private stderr = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const receivedAt = performance.now();
      try {
        this.events.push({ ...(JSON.parse(line) as HostEvent), receivedAt });
      } catch {
        this.events.push({ event: 'text', line, receivedAt });
      }
      for (const wake of this.waiters) wake();
    });
    child.stderr!.on('data', (data: Buffer) => {
      this.stderr += data.toString();
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        for (const wake of this.waiters) wake();
        resolve(code);
      }),
    );
  }

  /** Starts a host and waits until it serves (or says why it cannot). */
  static async start(name: string, options: HostOptions): Promise<IndexHost> {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
    Object.assign(env, {
      QUELLE_SEEDS_DIR: options.seedsDir,
      QUELLE_INDEX_DIR: options.indexDir,
      QUELLE_DATA_DIR: options.dataDir,
      DATABASE_URL: options.databaseUrl,
      QUELLE_MODE: 'hybrid',
      EMBEDDING_MODEL_DIR: FIXTURE_MODEL_DIR,
      QUELLE_TEST_PAUSE_PUBLISH: options.pausePublish ? '1' : '0',
    });
    // `node --import tsx`, not the tsx CLI: a kill must reach the process that works.
    const child = spawn(process.execPath, ['--import', 'tsx', INDEX_HOST_SCRIPT], { cwd: PROJECT_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const host = new IndexHost(name, child);
    await host.waitFor((event) => event.event === 'ready');
    return host;
  }

  get pid(): number {
    return this.child.pid!;
  }

  send(command: string): void {
    this.child.stdin!.write(`${command}\n`);
  }

  /**
   * The first event from index `from` on that matches, as soon as it arrives; rejects when the
   * host exits first or after `timeoutMs`, with what the host said.
   */
  waitFor(matches: (event: HostEvent) => boolean, from = 0, timeoutMs = 60_000): Promise<HostEvent> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const check = (): void => {
        const found = this.events.slice(from).find(matches);
        const gone = this.child.exitCode !== null || this.child.signalCode !== null;
        if (!found && !gone) return;
        this.waiters.delete(check);
        if (timer) clearTimeout(timer);
        if (found) resolve(found);
        else reject(new Error(`host ${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before the awaited event; it said:\n${this.transcript()}`));
      };
      timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`host ${this.name}: no awaited event within ${timeoutMs} ms; it said:\n${this.transcript()}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Sends `command` and waits for the first later event that matches. */
  request(command: string, matches: (event: HostEvent) => boolean, timeoutMs?: number): Promise<HostEvent> {
    const from = this.events.length;
    this.send(command);
    return this.waitFor(matches, from, timeoutMs);
  }

  /** The generation a question is answered from, and the titles of the answer's passages. */
  async ask(question: string): Promise<{ generation: string | null; titles: string[] }> {
    const event = await this.request(`ask ${question}`, (e) => e.event === 'answer' || e.event === 'ask-failed');
    if (event.event !== 'answer') throw new Error(`host ${this.name} could not answer: ${String(event.message)}`);
    return { generation: event.generation as string | null, titles: event.titles as string[] };
  }

  /** kill -9, and wait until the process is gone. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops it cleanly (or kills it when it does not stop within 20 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send('stop');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }

  private transcript(): string {
    return [...this.events.map((event) => JSON.stringify(event)), this.stderr].join('\n').slice(-4000);
  }
}

/** A log line of a host saying that it serves generation `name` built elsewhere. */
export function servesForeign(name: string): (event: HostEvent) => boolean {
  return (event) => event.event === 'log' && event.msg === 'Serving an index built by another process' && event.generation === name;
}

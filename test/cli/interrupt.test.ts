/**
 * Ctrl-C during `npm run index` (issue #10): the CLI stops the progress bar cleanly (the line is
 * cleared, the cursor shown again), aborts the build, releases the lock, says that the previous
 * index is unchanged (or that there is none yet) and exits 128 + the signal number. `npm run
 * --silent index` is spawned in its own process group with a terminal-like stderr (so that the
 * CLI draws its bar), and SIGINT goes to the whole group, as a terminal's Ctrl-C does (npm
 * forwards it too, so the CLI gets it twice). SIGTERM goes to the indexing process alone, as a
 * supervisor running the command directly sends it.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDING_CACHE_FILE } from '../../src/indexer/embedding-cache.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { FIXTURE_MODEL_DIR, fixtureModelSettings, loadFixtureEmbedder, PROJECT_ROOT, useTempDirs } from '../helpers/index-fixtures.ts';
import { writeCorpus } from '../reliability/helpers.ts';

const tempDir = useTempDirs('quelle-interrupt-');
/** Makes the CLI draw its progress bar on a pipe, as on a terminal. */
const FORCE_TTY = '--import=data:text/javascript,process.stderr.isTTY=true';
const SHOW_CURSOR = '\u001b[?25h';
const CLEAR_LINE = '\u001b[2K';

let corpus: string;

beforeAll(async () => {
  // Enough passages that embedding them with the fixture model takes a few seconds.
  corpus = await writeCorpus(path.join(await tempDir('corpus-')), 400);
});

interface Interrupted {
  /** The exit status as a shell reports it: the exit code, or 128 + n for a death by signal n (npm re-raises the signal it got). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the index command on the corpus — through `npm run` for Ctrl-C, as the process itself
 * (`node --import tsx`, what the npm script runs) for SIGTERM — and sends `signal` once the
 * embedding bar shows.
 */
function indexAndInterrupt(indexDir: string, signal: NodeJS.Signals, via: 'npm run' | 'node'): Promise<Interrupted> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key.startsWith('QUELLE_')) delete env[key];
  Object.assign(env, { EMBEDDING_MODEL_DIR: FIXTURE_MODEL_DIR, NODE_OPTIONS: FORCE_TTY, FORCE_COLOR: '0' });
  const args = ['--seeds', corpus, '--index', indexDir, '--mode', 'hybrid', '--rebuild'];
  const [command, commandArgs] = via === 'npm run' ? ['npm', ['run', '--silent', 'index', '--', ...args]] : [process.execPath, ['--import', 'tsx', path.join('src', 'cli', 'index.ts'), ...args]];
  const child = spawn(command, commandArgs, { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && /Embedding passages \[/.test(stderr)) {
      sent = true;
      if (via === 'npm run') process.kill(-child.pid!, signal);
      else child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('close', (code, by) => resolve({ code: code ?? 128 + os.constants.signals[by!], stdout, stderr })));
}

/** What stderr shows after the last clear of the bar's line. */
function afterBar(stderr: string): string {
  return stderr.slice(stderr.lastIndexOf(CLEAR_LINE) + CLEAR_LINE.length);
}

describe('Ctrl-C during npm run index', () => {
  it('with a previous index: exit 130, the bar cleared, "unchanged", the lock released, the index as it was', { timeout: 60_000 }, async () => {
    const indexDir = await tempDir('index-');
    await runIndexer({ seedsDir: path.join(PROJECT_ROOT, 'seeds'), indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: await loadFixtureEmbedder() });
    const current = await readFile(path.join(indexDir, 'CURRENT'), 'utf8');
    const before = (await readdir(indexDir)).sort();

    const { code, stdout, stderr } = await indexAndInterrupt(indexDir, 'SIGINT', 'npm run');
    expect(code, stderr.slice(-2000)).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toContain(SHOW_CURSOR);
    expect(afterBar(stderr)).toBe(`Interrupted (SIGINT): the build stopped; the previous index in ${indexDir} is unchanged. Run \`npm run index\` again to build it.\n`);
    expect(await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).toBe(current);
    // No lock and no half-written generation left behind; what was embedded is kept for the next run.
    expect((await readdir(indexDir)).sort()).toEqual([...before, EMBEDDING_CACHE_FILE].sort());
  });

  it('without a previous index: says there is none yet', { timeout: 60_000 }, async () => {
    const indexDir = await tempDir('fresh-');
    const { code, stderr } = await indexAndInterrupt(indexDir, 'SIGINT', 'npm run');
    expect(code, stderr.slice(-2000)).toBe(130);
    expect(afterBar(stderr)).toBe(`Interrupted (SIGINT): the build stopped; there is no index in ${indexDir} yet. Run \`npm run index\` again to build it.\n`);
    expect(await readdir(indexDir)).toEqual([EMBEDDING_CACHE_FILE]);
  });

  it('SIGTERM to the indexing process (a supervisor stopping it): the same clean stop, exit 143', { timeout: 60_000 }, async () => {
    const indexDir = await tempDir('term-');
    const { code, stderr } = await indexAndInterrupt(indexDir, 'SIGTERM', 'node');
    expect(code, stderr.slice(-2000)).toBe(143);
    expect(afterBar(stderr)).toMatch(/^Interrupted \(SIGTERM\): the build stopped; there is no index in .* yet\./);
    expect(await readdir(indexDir)).toEqual([EMBEDDING_CACHE_FILE]);
  });
});

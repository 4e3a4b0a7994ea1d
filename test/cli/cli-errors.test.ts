/**
 * What the CLI prints when something is wrong outside it (issue #10, findings 8 and 10): a path
 * that is a file, a model that cannot be loaded, a folder it may not write, a read-only or full
 * disk, and file names made to fake output lines. Each is one clear message with the fix, the
 * documented exit code, and no stack trace. Real child processes, as users run the commands.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySeed, KOALITION_QUESTION, runCliCommand, SEED_ID, useTempDirs } from '../helpers/index-fixtures.ts';
import { mountTmpfs, type Tmpfs } from '../reliability/helpers.ts';

const tempDir = useTempDirs('quelle-cli-errors-');
/** Node prints stack frames as "    at …"; none may reach a user for an expected error. */
const STACK_FRAME = /^\s+at /m;

let seedsDir: string;

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
});

describe('--index pointing at a file', () => {
  it.concurrent.each([
    ['index', (file: string) => ['--mode', 'lexical', '--seeds', seedsDir, '--index', file]],
    ['ask', (file: string) => [KOALITION_QUESTION, '--mode', 'lexical', '--index', file]],
  ] as const)('%s: a usage error naming the file, exit 2, no stack', async (command, args) => {
    const file = path.join(await tempDir('file-'), 'notes.txt');
    await writeFile(file, 'not an index\n');
    const { code, stdout, stderr } = await runCliCommand(command, args(file));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${file} is a file, not a folder. Pass a folder to --index.\n`);
  });

  it.concurrent('QUELLE_INDEX_DIR at a file: the same message naming the setting, exit 1', async () => {
    const file = path.join(await tempDir('file-'), 'notes.txt');
    await writeFile(file, 'not an index\n');
    const { code, stderr } = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'lexical'], { QUELLE_INDEX_DIR: file });
    expect(code).toBe(1);
    expect(stderr).toBe(`error: ${file} is a file, not a folder. Set QUELLE_INDEX_DIR to a folder.\n`);
  });
});

it.concurrent('eval --mode dense without a usable model: the reason once, exit 1, no stack', async () => {
  const dir = await tempDir('dense-');
  const questions = path.join(dir, 'questions.jsonl');
  await writeFile(questions, `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2}\n`);
  const missing = path.join(dir, 'no-model');
  const { code, stdout, stderr } = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'dense'], { EMBEDDING_MODEL_DIR: missing });
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toMatch(new RegExp(`^error: Dense evaluation needs the model: Cannot load the embedding model from ${missing}.*Fix EMBEDDING_MODEL_DIR, or use lexical mode.*\\n$`));
  expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(stderr).not.toMatch(STACK_FRAME);
});

describe('file names that try to fake output', () => {
  it.concurrent('a newline, an ANSI escape and a bidi override in a skipped file name are printed as escapes, on one line each', async () => {
    const dir = await copySeed(await tempDir('hostile-'));
    const name = 'evil\nerror: the index is corrupt, run rm -rf ~\u001b[2K\u202etxt.md';
    await writeFile(path.join(dir, `${name}.txt`), 'only a title\n');
    const { code, stdout, stderr } = await runCliCommand('index', ['--mode', 'lexical', '--seeds', dir, '--index', await tempDir('index-')]);
    expect(code, stderr).toBe(0);
    const shown = 'evil\\nerror: the index is corrupt, run rm -rf ~\\u001b[2K\\u202etxt.md.txt';
    // stderr: the warning from the indexer is one line, and no line is a fake error.
    expect(stderr.split('\n').filter((line) => line.startsWith('error:'))).toEqual([]);
    expect(stderr).toContain(`warning: Skipped ${shown}: `);
    // stdout: the summary's skipped line.
    expect(stdout.split('\n').filter((line) => line.startsWith('error:'))).toEqual([]);
    expect(stdout).toMatch(new RegExp(`^ {2}skipped ${shown.replace(/[\\[\]().?*+^$]/g, '\\$&')}: .+$`, 'm'));
    // Nothing but line ends is a control character: no escape sequence, no bidi override got through.
    expect(`${stdout}${stderr}`.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202e]/u);
  });
});

describe('a folder the user may not write', () => {
  // As root, permissions do not apply: the command then runs as `nobody`.
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? { uid: 65534, gid: 65534 } : {};

  it('index: permission denied, naming the index folder and the fix, exit 1, no stack; nothing changed', async () => {
    const parent = await tempDir('readonly-');
    const indexDir = path.join(parent, 'embeddings');
    const built = await runCliCommand('index', ['--mode', 'lexical', '--seeds', seedsDir, '--index', indexDir]);
    expect(built.code, built.stderr).toBe(0);
    const before = await readdir(indexDir);
    // Folders from mkdtemp are private to their owner: let `nobody` reach the seeds and the index.
    await chmod(parent, 0o755);
    await chmod(seedsDir, 0o755);
    await chmod(indexDir, 0o555);
    try {
      const { code, stdout, stderr } = await runCliCommand('index', ['--mode', 'lexical', '--seeds', seedsDir, '--index', indexDir], {}, runAs);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        new RegExp(`^error: Permission denied on the index folder ${indexDir} \\(EACCES: \\w+ ${indexDir}/.+\\)\\. Give the user running Quelle read and write access to it .*or use another folder \\(--index DIR or QUELLE_INDEX_DIR\\)\\. The previous index, if any, is unchanged\\.\\n$`),
      );
      expect(stderr).not.toMatch(STACK_FRAME);
      expect(await readdir(indexDir)).toEqual(before);
    } finally {
      await chmod(indexDir, 0o755);
    }
  });

  it('ask: an index folder it may not read says so, exit 1, no stack', async () => {
    const parent = await tempDir('unreadable-');
    const indexDir = path.join(parent, 'embeddings');
    const built = await runCliCommand('index', ['--mode', 'lexical', '--seeds', seedsDir, '--index', indexDir]);
    expect(built.code, built.stderr).toBe(0);
    await chmod(parent, 0o755);
    await chmod(indexDir, 0o000);
    try {
      const { code, stderr } = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'lexical', '--index', indexDir], {}, runAs);
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`^error: Permission denied on the index folder ${indexDir} \\(EACCES: open ${indexDir}/CURRENT\\)\\. `));
      expect(stderr).not.toMatch(STACK_FRAME);
    } finally {
      await chmod(indexDir, 0o755);
    }
  });
});

describe('a read-only or full disk (a real tmpfs; needs root with CAP_SYS_ADMIN)', () => {
  let disk: Tmpfs;

  beforeAll(async () => {
    disk = await mountTmpfs(4 * 1024 * 1024);
    if (!disk.dir) console.log(`cli-errors (tmpfs): skipped — ${disk.reason}`);
  });

  afterAll(async () => {
    await disk?.unmount();
  });

  it('read-only: names the index folder, says the file system is read-only and how to choose another, exit 1, no stack', async (context) => {
    if (!disk.dir) return context.skip();
    const indexDir = path.join(disk.dir, 'embeddings');
    const built = await runCliCommand('index', ['--mode', 'lexical', '--seeds', seedsDir, '--index', indexDir]);
    expect(built.code, built.stderr).toBe(0);
    const before = await readdir(indexDir);
    const missing = path.join(disk.dir, 'new-index');
    execFileSync('mount', ['-o', 'remount,ro', disk.dir]);
    try {
      const rebuild = await runCliCommand('index', ['--mode', 'lexical', '--rebuild', '--seeds', seedsDir, '--index', indexDir]);
      expect(rebuild.code).toBe(1);
      expect(rebuild.stdout).toBe('');
      expect(rebuild.stderr).toMatch(
        new RegExp(`^error: Cannot write to the index folder ${indexDir}: it is on a read-only file system \\(EROFS: open ${indexDir}/\\.lock\\S+\\)\\. Use a folder on a writable disk \\(--index DIR or QUELLE_INDEX_DIR\\)\\. The previous index, if any, is unchanged\\.\\n$`),
      );
      expect(await readdir(indexDir)).toEqual(before);
      // A folder that does not exist yet cannot be created there (Node says ENOENT, not EROFS).
      const fresh = await runCliCommand('index', ['--mode', 'lexical', '--seeds', seedsDir, '--index', missing]);
      expect(fresh.code).toBe(1);
      expect(fresh.stderr).toBe(
        `error: Cannot create the index folder ${missing} (ENOENT: mkdir ${missing}): the disk is read-only, or a folder above it cannot be created. Create it yourself, or use a folder on a writable disk (--index DIR or QUELLE_INDEX_DIR). The previous index, if any, is unchanged.\n`,
      );
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', disk.dir]);
    }
  });

  it('full: says the disk is full and that the previous index is unchanged, exit 1, no stack', async (context) => {
    if (!disk.dir) return context.skip();
    const indexDir = path.join(disk.dir, 'full');
    await mkdir(indexDir);
    const { bavail, bsize } = await statfs(disk.dir);
    await writeFile(path.join(disk.dir, 'ballast'), Buffer.alloc(bavail * bsize));
    const { code, stdout, stderr } = await runCliCommand('index', ['--mode', 'lexical', '--seeds', seedsDir, '--index', indexDir]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^error: Not enough disk space to save the index in ${indexDir} \\(ENOSPC: .*\\)\\. The previous index is unchanged; free some space and build again\\.\\n$`));
  });
});

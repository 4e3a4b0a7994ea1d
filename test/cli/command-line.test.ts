/**
 * The shared command-line pieces (src/command-line.ts), in process: text made safe to print, and
 * file-system errors explained with the folder and the fix — for every code, on every machine
 * (the real read-only and full disks in cli-errors.test.ts need root).
 */
import { describe, expect, it } from 'vitest';
import { explainSystemError, printable, signalExitCode, type CommandFolder } from '../../src/command-line.ts';

describe('printable', () => {
  it.each([
    ['plain name.txt', 'plain name.txt'],
    ['a\nb', 'a\\nb'],
    ['a\r\nerror: b', 'a\\r\\nerror: b'],
    ['tab\there', 'tab\\there'],
    ['\u001b[31mred\u001b[0m', '\\u001b[31mred\\u001b[0m'],
    ['bell\u0007 del\u007f c1\u009b', 'bell\\u0007 del\\u007f c1\\u009b'],
    ['right-to-left \u202efdp.exe', 'right-to-left \\u202efdp.exe'],
    ['isolate \u2066x\u2069 zero\u200bwidth bom\ufeff', 'isolate \\u2066x\\u2069 zero\\u200bwidth bom\\ufeff'],
    ['line\u2028separator', 'line\\u2028separator'],
    ['Umlaute äöü ß — „Zitat“ 🙂', 'Umlaute äöü ß — „Zitat“ 🙂'],
  ])('%j → %j', (input, shown) => {
    expect(printable(input)).toBe(shown);
    expect(printable(input)).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
  });
});

describe('explainSystemError', () => {
  const index: CommandFolder = { path: '/srv/quelle/embeddings', role: 'index folder', choose: '--index DIR or QUELLE_INDEX_DIR', kept: 'The previous index, if any, is unchanged.' };
  const errno = (code: string, syscall: string, file: string, message = `${code}: something, ${syscall} '${file}'`) => Object.assign(new Error(message), { code, syscall, path: file });

  it('EACCES under a known folder: the folder, its role, the operation, the fix, and what was kept', () => {
    expect(explainSystemError(errno('EACCES', 'open', '/srv/quelle/embeddings/.lock.1.a'), [index])).toBe(
      'Permission denied on the index folder /srv/quelle/embeddings (EACCES: open /srv/quelle/embeddings/.lock.1.a). Give the user running Quelle read and write access to it (for example `chown -R "$(id -un)" /srv/quelle/embeddings`), or use another folder (--index DIR or QUELLE_INDEX_DIR). The previous index, if any, is unchanged.',
    );
  });

  it('EPERM reads like EACCES', () => {
    expect(explainSystemError(errno('EPERM', 'rename', '/srv/quelle/embeddings/gen-1'), [index])).toMatch(/^Permission denied on the index folder \/srv\/quelle\/embeddings \(EPERM: rename /);
  });

  it('EROFS: a read-only file system, and to use a writable disk', () => {
    expect(explainSystemError(errno('EROFS', 'open', '/srv/quelle/embeddings/CURRENT.tmp'), [index])).toBe(
      'Cannot write to the index folder /srv/quelle/embeddings: it is on a read-only file system (EROFS: open /srv/quelle/embeddings/CURRENT.tmp). Use a folder on a writable disk (--index DIR or QUELLE_INDEX_DIR). The previous index, if any, is unchanged.',
    );
  });

  it('ENOENT from mkdir (what Node reports for a recursive mkdir on a read-only disk)', () => {
    expect(explainSystemError(errno('ENOENT', 'mkdir', '/srv/quelle/embeddings'), [index])).toMatch(/^Cannot create the index folder \/srv\/quelle\/embeddings \(ENOENT: mkdir \/srv\/quelle\/embeddings\): the disk is read-only/);
  });

  it.each(['ENOSPC', 'EDQUOT'])('%s: the disk is full, free some space', (code) => {
    expect(explainSystemError(errno(code, 'write', '/srv/quelle/embeddings/.tmp-gen-1/passages.json'), [index])).toBe(
      `The disk holding the index folder /srv/quelle/embeddings is full (${code}: write /srv/quelle/embeddings/.tmp-gen-1/passages.json). Free some space and run the command again. The previous index, if any, is unchanged.`,
    );
  });

  it('a path outside every known folder is named by its own folder', () => {
    expect(explainSystemError(errno('EACCES', 'open', '/tmp/quelle-eval-x/CURRENT'), [index])).toMatch(/^Permission denied on \/tmp\/quelle-eval-x \(EACCES: open \/tmp\/quelle-eval-x\/CURRENT\)\. .*\.$/);
  });

  it('the innermost matching folder is not confused with a sibling that shares a prefix', () => {
    const other: CommandFolder = { path: '/srv/quelle/embeddings-old', role: 'seeds folder', choose: '--seeds DIR' };
    expect(explainSystemError(errno('EACCES', 'open', '/srv/quelle/embeddings-old/a.txt'), [index, other])).toMatch(/^Permission denied on the seeds folder \/srv\/quelle\/embeddings-old /);
  });

  it('an error that already says it plainly (no syscall: the index store wrapped it) is kept as it is', () => {
    const wrapped = Object.assign(new Error('Not enough disk space to save the index in /x (ENOSPC: …). The previous index is unchanged; free some space and build again.'), { code: 'ENOSPC' });
    expect(explainSystemError(wrapped, [index])).toBe(wrapped.message);
  });
});

it('signal exit codes follow the shell: 130 for SIGINT, 143 for SIGTERM', () => {
  expect(signalExitCode('SIGINT')).toBe(130);
  expect(signalExitCode('SIGTERM')).toBe(143);
});

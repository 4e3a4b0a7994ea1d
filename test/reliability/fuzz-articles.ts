/**
 * Generates a folder of hostile article files for the bad-articles fuzz (issue #6): binary,
 * invalid UTF-8, UTF-16, 50 MB, near-limit files of pathological Markdown, a single
 * 100,000-character line, header only, only blank lines, deeply nested Markdown, YAML bombs,
 * special files (a folder, a FIFO, a dangling symlink, a symlink out of the folder), and random
 * mutations of valid articles.
 * Deterministic for a seed. Each file says whether it must be skipped, must be indexed, or may be
 * either (a mutation can stay valid); every file must be one or the other, never a crash.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generatedArticle, MiB, prng } from './helpers.ts';

export type Expectation = 'skip' | 'index' | 'either';

export interface FuzzFile {
  readonly name: string;
  readonly kind: string;
  readonly expect: Expectation;
  readonly bytes: number;
}

export interface FuzzOptions {
  /** At least this many files are written (the fixed cases plus random ones). */
  readonly count: number;
  readonly seed?: number;
  /** Also write near-5-MiB files of pathological Markdown (each is ~3,000 passages to embed; the script does). */
  readonly nearLimit?: boolean;
}

const HEADER = '05. September, 2025\n\nPolitik\n\nEin Titel für den Test\n\n';

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Deeply nested Markdown of several shapes, `depth` levels deep. */
function nestedMarkdown(shape: number, depth: number): string {
  switch (shape % 8) {
    case 0:
      return `${HEADER}${'> '.repeat(depth)}Zitat ganz tief drinnen.\n`;
    case 1:
      return `${HEADER}${Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}- Punkt ${i}`).join('\n')}\n`;
    case 2:
      return `${HEADER}${'['.repeat(depth)}Link${']'.repeat(depth)}${'(x)'.repeat(depth)}\n`;
    case 3:
      return `${HEADER}${'**__*_~~'.repeat(depth)}fett${'~~_*__**'.repeat(depth)}\n`;
    case 4:
      return `${HEADER}${Array.from({ length: depth }, (_, i) => `${'#'.repeat(1 + (i % 6))} Überschrift ${i}`).join('\n\n')}\n\nText.\n`;
    case 5:
      return `${HEADER}${'```\n'.repeat(depth)}Code\n`;
    case 6:
      return `${HEADER}${Array.from({ length: depth }, (_, i) => `${'>'.repeat(i % 300)} ${'  '.repeat(i % 50)}${i % 2 ? '*' : '1.'} Ebene ${i}`).join('\n')}\n`;
    default:
      return `${HEADER}${'![a]('.repeat(depth)}${')'.repeat(depth)} und ${'<b>'.repeat(depth)}HTML${'</b>'.repeat(depth)}\n`;
  }
}

/** A random mutation of a valid article: it may or may not stay usable. */
function mutate(text: string, random: () => number): { data: Buffer; kind: string } {
  const bytes = Buffer.from(text);
  const pick = Math.floor(random() * 10);
  const at = Math.floor(random() * bytes.length);
  switch (pick) {
    case 0: {
      // Flip a few bytes anywhere (often invalid UTF-8).
      for (let i = 0; i < 1 + Math.floor(random() * 5); i++) {
        const j = Math.floor(random() * bytes.length);
        bytes[j] = bytes[j]! ^ (1 << Math.floor(random() * 8));
      }
      return { data: bytes, kind: 'mutation:bit-flips' };
    }
    case 1:
      return { data: bytes.subarray(0, at), kind: 'mutation:truncated' };
    case 2:
      return { data: Buffer.from(text.replace(/ /g, () => ['\u200b', '\u202e', '\u2066', '\ufeff', '\u00ad', ' '][Math.floor(random() * 6)]!)), kind: 'mutation:invisible' };
    case 3:
      return { data: Buffer.from(text.replace(/\n/g, '\r')), kind: 'mutation:cr-only' };
    case 4:
      return { data: Buffer.from(text.replace(/e/g, 'e\u0301\u0302\u0303\u0304\u0305')), kind: 'mutation:combining' };
    case 5:
      return { data: Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]), kind: 'mutation:nul' };
    case 6:
      return { data: Buffer.from(`---\ntitle: [unclosed\ndate: {\n---\n${text}`), kind: 'mutation:bad-front-matter' };
    case 7:
      return { data: Buffer.from(text.replace(/a/g, '😀').replace(/o/g, '\ud83d')), kind: 'mutation:emoji-and-lone-surrogate' };
    case 8:
      return { data: Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 200 }, () => Math.floor(random() * 32))), bytes.subarray(at)]), kind: 'mutation:controls' };
    default:
      return { data: Buffer.from(text.replace(/\n\n/g, '\n \t \n\u00a0\n')), kind: 'mutation:odd-blank-lines' };
  }
}

/** Writes the fuzz corpus into `dir` and returns what each file is. */
export async function writeFuzzCorpus(dir: string, options: FuzzOptions): Promise<FuzzFile[]> {
  await mkdir(dir, { recursive: true });
  const random = prng(options.seed ?? 6);
  const files: FuzzFile[] = [];
  const add = async (name: string, kind: string, expect: Expectation, data: string | Buffer): Promise<void> => {
    await writeFile(path.join(dir, name), data);
    files.push({ name, kind, expect, bytes: Buffer.byteLength(data) });
  };
  const valid = (i: number) => generatedArticle(100_000 + i, random);

  // The fixed cases.
  const paragraph = `${'Ein sehr langer Absatz über den Haushalt der Stadt Wien. '.repeat(20)}\n\n`;
  await add('huge-50mb.txt', 'huge (50 MB)', 'skip', HEADER + paragraph.repeat(Math.ceil((50 * MiB) / paragraph.length)));
  // Pathological Markdown near the 5 MiB limit. Parsing these was quadratic (hours); the ones
  // without letters are skipped after parsing, so they cost no embedding.
  const nearLimit = 5 * MiB - 64 * 1024;
  await add('near-limit-images.md', 'near-limit nested Markdown', 'skip', HEADER + '!['.repeat(nearLimit / 2));
  await add('near-limit-brackets.md', 'near-limit nested Markdown', 'skip', `${HEADER}${'['.repeat(nearLimit / 2)}${']'.repeat(nearLimit / 2)}`);
  await add('near-limit-open-links.md', 'near-limit nested Markdown', 'skip', HEADER + '[-]('.repeat(nearLimit / 4));
  await add('underscores-1mb.md', 'near-limit nested Markdown', 'index', HEADER + '__a '.repeat(MiB / 4));
  if (options.nearLimit) {
    await add('near-limit-underscores.md', 'near-limit nested Markdown', 'index', HEADER + '__a '.repeat(nearLimit / 4));
    await add('near-limit-links.md', 'near-limit nested Markdown', 'index', HEADER + '[a]('.repeat(nearLimit / 4));
  }
  await add('line-100k.txt', 'single 100k-character line', 'skip', 'Wort '.repeat(20_000));
  await add('line-100k-nospace.txt', 'single 100k-character line', 'skip', 'x'.repeat(100_000));
  await add('line-100k-body.txt', 'single 100k-character line', 'index', HEADER + 'Wort '.repeat(20_000));
  await add('empty.txt', 'empty', 'skip', '');
  // UTF-16 with a BOM is text (issue #10); an odd byte count is not.
  await add('utf16.txt', 'UTF-16', 'index', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid(0), 'utf16le')]));
  await add('utf16be.txt', 'UTF-16', 'index', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(valid(5), 'utf16le').swap16()]));
  await add('utf16-odd.txt', 'UTF-16', 'skip', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid(6), 'utf16le'), Buffer.from([0x41])]));
  await add('yaml-bomb.md', 'YAML alias bomb', 'skip', `---\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [${'*a,'.repeat(9)}*a]\nc: &c [${'*b,'.repeat(9)}*b]\nd: &d [${'*c,'.repeat(9)}*c]\ne: [${'*d,'.repeat(9)}*d]\n---\n${valid(1)}`);
  // Same id twice: files are read in name order, so dup.md is indexed and dup.txt skipped.
  await add('dup.md', 'duplicate id', 'index', valid(2));
  await add('dup.txt', 'duplicate id', 'skip', valid(3));
  await add('Ärger – Ünïcødé 😀.txt', 'unicode file name', 'index', valid(4));
  await mkdir(path.join(dir, 'a-folder.txt'));
  files.push({ name: 'a-folder.txt', kind: 'folder named .txt', expect: 'skip', bytes: 0 });
  await symlink(path.join(dir, 'no-such-target'), path.join(dir, 'dangling.txt'));
  files.push({ name: 'dangling.txt', kind: 'dangling symlink', expect: 'skip', bytes: 0 });
  // Out of the folder, to a file that exists and would parse (issue #10: links are never read).
  await symlink('/proc/self/cwd/README.md', path.join(dir, 'outside-link.md'));
  files.push({ name: 'outside-link.md', kind: 'symlink out of the folder', expect: 'skip', bytes: 0 });
  try {
    execFileSync('mkfifo', [path.join(dir, 'fifo.txt')]);
    files.push({ name: 'fifo.txt', kind: 'FIFO', expect: 'skip', bytes: 0 });
  } catch {
    // No mkfifo here: one case less.
  }
  await writeFile(path.join(dir, '.hidden.txt'), 'ignored'); // not an article: neither indexed nor skipped
  await writeFile(path.join(dir, 'notes.pdf'), '%PDF-1.4 ignored');

  // Random cases until `count`.
  const kinds = ['valid', 'binary', 'invalid-utf8', 'header-only', 'blank-lines', 'nested', 'long-line', 'mutation', 'mutation', 'mutation'];
  for (let i = 0; files.length < options.count; i++) {
    const kind = kinds[i % kinds.length]!;
    const name = `fuzz_${String(i).padStart(5, '0')}${random() < 0.3 ? '.md' : '.txt'}`;
    switch (kind) {
      case 'valid':
        await add(name, 'valid', 'index', valid(10 + i));
        break;
      case 'binary': {
        const data = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 20_000) }, () => Math.floor(random() * 256)));
        data[Math.floor(random() * data.length)] = 0;
        await add(name, 'binary', 'skip', data);
        break;
      }
      case 'invalid-utf8':
        await add(name, 'invalid UTF-8 (Latin-1)', 'skip', latin1(`Politik\n\nÄrger über Größe\n\n${valid(10 + i)}\nÖl, Süß, Maß.\n`));
        break;
      case 'header-only':
        await add(name, 'header only', 'skip', random() < 0.5 ? '05. September, 2025\n\nPolitik\n\nNur ein Titel\n' : '# Nur eine Überschrift\n\n## Und noch eine\n');
        break;
      case 'blank-lines':
        await add(name, 'only blank lines', 'skip', Array.from({ length: 1 + Math.floor(random() * 500) }, () => [' ', '\t', '\r', '', '\u00a0'][Math.floor(random() * 5)]).join(random() < 0.5 ? '\n' : '\r\n'));
        break;
      case 'nested':
        await add(name, 'deeply nested Markdown', 'either', nestedMarkdown(i, 100 + Math.floor(random() * 5000)));
        break;
      case 'long-line':
        await add(name, 'single long line', 'either', `${random() < 0.5 ? HEADER : ''}${'Satz ohne Ende '.repeat(200 + Math.floor(random() * 2000))}`);
        break;
      default: {
        const { data, kind: mutation } = mutate(valid(10 + i), random);
        await add(name, mutation, 'either', data);
      }
    }
  }
  return files;
}

import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeError, ErrorCode, isQuelleError, QuelleError } from '../errors.ts';
import type { Article } from './article.ts';
import { decodeArticleBytes, parseArticle } from './parse-article.ts';

/** Article files are plain text or Markdown; anything else in the folder is ignored. */
const ARTICLE_EXTENSIONS = new Set(['.txt', '.md']);

/** Whether a name in the seeds folder is an article file: `.txt` or `.md`, not hidden. */
export function isArticleFileName(name: string): boolean {
  return ARTICLE_EXTENSIONS.has(path.extname(name).toLowerCase()) && !name.startsWith('.');
}

/** Files read at once. */
const READ_CONCURRENCY = 16;

/** A news article is a few KB; a file this large is a mistake, not an article. */
export const DEFAULT_MAX_ARTICLE_BYTES = 5 * 1024 * 1024;

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface ReadArticlesResult {
  readonly articles: Article[];
  readonly skipped: SkippedFile[];
}

export interface ReadArticlesOptions {
  maxBytes?: number;
}

/**
 * Reads and parses every `.txt` and `.md` file directly in `dir`, in name order. A file that
 * cannot be used is reported in `skipped` with the reason; it never stops the others. Symbolic
 * links and special files (FIFOs, devices) are skipped, never opened; `dir` itself may be a link.
 */
export async function readArticles(dir: string, options: ReadArticlesOptions = {}): Promise<ReadArticlesResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ARTICLE_BYTES;
  let folder: string;
  let names: string[];
  try {
    // Resolved once: every file is opened under the real path, which a link swapped in for the
    // folder during the build cannot move.
    folder = await realpath(dir);
    names = await readdir(folder);
  } catch (cause) {
    throw new QuelleError(
      ErrorCode.SeedsMissing,
      `Cannot read the seeds folder ${dir} (${describeError(cause)}). Create it and put article files (.txt or .md) in it, or pass --seeds DIR.`,
      { cause },
    );
  }
  const articles: Article[] = [];
  const skipped: SkippedFile[] = [];
  const seenIds = new Map<string, string>();
  const files = names.sort().filter(isArticleFileName);
  // Files are read a few at a time: one by one, the round trips to the file system took three
  // times as long as reading and parsing; a bounded window keeps memory bounded too.
  for (let start = 0; start < files.length; start += READ_CONCURRENCY) {
    const window = files.slice(start, start + READ_CONCURRENCY);
    const results = await Promise.all(window.map((name) => readArticleFile(folder, name, maxBytes)));
    results.forEach((result, i) => {
      const name = window[i]!;
      if ('reason' in result) {
        skipped.push(result);
        return;
      }
      const earlier = seenIds.get(result.id);
      if (earlier !== undefined) {
        skipped.push({ file: name, reason: `same article id "${result.id}" as ${earlier}; rename one of them` });
        return;
      }
      seenIds.set(result.id, name);
      articles.push(result);
    });
  }
  return { articles, skipped };
}

async function readArticleFile(folder: string, name: string, maxBytes: number): Promise<Article | SkippedFile> {
  const file = path.join(folder, name);
  try {
    const entry = await lstat(file);
    if (entry.isSymbolicLink()) return { file: name, reason: await whyLinkIsSkipped(folder, file) };
    if (!entry.isFile()) return { file: name, reason: notAFile(entry) };
    if (entry.size > maxBytes) return { file: name, reason: tooLarge(entry.size, maxBytes) };
    const bytes = await readCheckedFile(file, entry, maxBytes);
    if (typeof bytes === 'string') return { file: name, reason: bytes };
    return parseArticle(name, decodeArticleBytes(name, bytes));
  } catch (error) {
    if (isQuelleError(error, ErrorCode.ArticleUnusable)) return { file: name, reason: error.message.slice(name.length + 2) };
    return { file: name, reason: `cannot be read: ${describeError(error)}` };
  }
}

/**
 * Opens the file that was checked, and only that one: without following a link (a file replaced by
 * a link since the check fails to open), without waiting on a FIFO put in its place, and verified
 * to be the same file (device and inode) as the check saw. Returns the reason when it was not read.
 */
async function readCheckedFile(file: string, checked: Stats, maxBytes: number): Promise<Uint8Array | string> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return CHANGED_WHILE_READING;
    throw error;
  }
  try {
    const opened = await handle.stat();
    if (opened.dev !== checked.dev || opened.ino !== checked.ino || !opened.isFile()) return CHANGED_WHILE_READING;
    if (opened.size > maxBytes) return tooLarge(opened.size, maxBytes);
    // One byte more than the size tells a file that grew since: read no more than was checked.
    const buffer = Buffer.allocUnsafe(opened.size + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      ({ bytesRead: read } = await handle.read(buffer, length, buffer.length - length, length));
    }
    return length > opened.size ? CHANGED_WHILE_READING : buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

const CHANGED_WHILE_READING = 'changed while it was being read; run the build again';

/**
 * Links are never followed: one out of the folder can publish any file the bot can read (a link to
 * `../.env` made the token an article), and one inside it points either at an article that is read
 * under its own name anyway (a duplicate) or at a file the folder's rules leave out (hidden, another
 * extension, in a subfolder). The reason names which, so that the fix is clear.
 */
async function whyLinkIsSkipped(folder: string, file: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'a link to a file that does not exist; remove the link, or copy the file into seeds/ instead';
    if (code === 'ELOOP') return 'a link that leads back to itself (a loop of links); remove it';
    return `a link that cannot be followed (${describeError(error)}); links are not read, copy the file into seeds/ instead`;
  }
  const relative = path.relative(folder, target);
  if (relative === '') return 'a link to the seeds folder itself; remove it';
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    return 'a link to a file outside the seeds folder; copy the file into seeds/ instead';
  }
  if (path.dirname(relative) === '.' && isArticleFileName(relative)) return `a link to ${relative}, which is read under its own name; remove the link`;
  return `a link to ${relative} in the seeds folder; links are not read, copy or rename the file instead`;
}

function notAFile(entry: Stats): string {
  if (entry.isDirectory()) return 'a folder, not an article file; rename or move it';
  if (entry.isFIFO()) return 'a named pipe (FIFO), not a file; remove it';
  if (entry.isSocket()) return 'a socket, not a file; remove it';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device, not a file; remove it';
  return 'not a regular file';
}

function tooLarge(size: number, maxBytes: number): string {
  return `too large (${formatSize(size)}, limit ${formatSize(maxBytes)}); split it into articles`;
}

/** Sizes below 1 MiB in bytes, so that a small limit does not read as `0.0 MiB`. */
function formatSize(bytes: number): string {
  return bytes < 1048576 ? `${bytes} bytes` : `${(bytes / 1048576).toFixed(1)} MiB`;
}

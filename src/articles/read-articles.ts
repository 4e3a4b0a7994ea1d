import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeError, ErrorCode, isQuelleError, QuelleError } from '../errors.ts';
import type { Article } from './article.ts';
import { decodeArticleBytes, parseArticle } from './parse-article.ts';

/** Article files are plain text or Markdown; anything else in the folder is ignored. */
const ARTICLE_EXTENSIONS = new Set(['.txt', '.md']);

/** A news article is a few KB; a file this large is a mistake, not an article. */
/** Files read at once. */
const READ_CONCURRENCY = 16;

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
 * cannot be used is reported in `skipped` with the reason; it never stops the others.
 */
export async function readArticles(dir: string, options: ReadArticlesOptions = {}): Promise<ReadArticlesResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ARTICLE_BYTES;
  let names: string[];
  try {
    names = await readdir(dir);
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
  const files = names.sort().filter((name) => ARTICLE_EXTENSIONS.has(path.extname(name).toLowerCase()) && !name.startsWith('.'));
  // Files are read a few at a time: one by one, the round trips to the file system took three
  // times as long as reading and parsing; a bounded window keeps memory bounded too.
  for (let start = 0; start < files.length; start += READ_CONCURRENCY) {
    const window = files.slice(start, start + READ_CONCURRENCY);
    const results = await Promise.all(window.map((name) => readArticleFile(dir, name, maxBytes)));
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

async function readArticleFile(dir: string, name: string, maxBytes: number): Promise<Article | SkippedFile> {
  const file = path.join(dir, name);
  try {
    const info = await stat(file);
    if (!info.isFile()) return { file: name, reason: info.isDirectory() ? 'a folder, not an article file; rename or move it' : 'not a regular file' };
    if (info.size > maxBytes) {
      return { file: name, reason: `too large (${formatSize(info.size)}, limit ${formatSize(maxBytes)}); split it into articles` };
    }
    const bytes = await readFile(file);
    return parseArticle(name, decodeArticleBytes(name, bytes));
  } catch (error) {
    if (isQuelleError(error, ErrorCode.ArticleUnusable)) return { file: name, reason: error.message.slice(name.length + 2) };
    return { file: name, reason: `cannot be read: ${describeError(error)}` };
  }
}

/** Sizes below 1 MiB in bytes, so that a small limit does not read as `0.0 MiB`. */
function formatSize(bytes: number): string {
  return bytes < 1048576 ? `${bytes} bytes` : `${(bytes / 1048576).toFixed(1)} MiB`;
}

import { createHash } from 'node:crypto';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, QuelleError } from '../errors.ts';
import type { Article } from './article.ts';
import { parseDateLine } from './parse-date.ts';

/**
 * Parses the seed layout: an optional date line, an optional category line, a title line, then
 * body paragraphs, all separated by blank lines. Also accepted: CRLF, a BOM, trailing spaces,
 * a Markdown `# Title` and YAML front matter (`title`, `date`, `category`, `url`).
 */

/** Bump when parsing changes what an article contains, so that reindexing re-reads every file. */
const PARSER_VERSION = 1;

/** Categories seen in the corpora; any other short first line also counts as a category. */
const KNOWN_CATEGORIES = new Set(
  ['politik', 'wirtschaft', 'sport', 'kultur', 'wissenschaft', 'web', 'panorama', 'inland', 'international', 'etat', 'wikipedia', 'gesellschaft', 'technik', 'gesundheit', 'meinung', 'lokal', 'welt', 'deutschland', 'ausland', 'reise', 'auto', 'digital', 'leben', 'politics', 'business', 'world', 'science', 'technology', 'culture', 'opinion', 'health'],
);

/** Why a file cannot be used, as a short phrase for warnings and the build summary. */
function unusable(file: string, reason: string): QuelleError {
  return new QuelleError(ErrorCode.ArticleUnusable, `${file}: ${reason}`);
}

/** Decodes a file's bytes as UTF-8 text, refusing binary files and invalid UTF-8. */
export function decodeArticleBytes(file: string, bytes: Uint8Array): string {
  if (bytes.length === 0) throw unusable(file, 'empty file');
  if (bytes.subarray(0, 8192).includes(0)) throw unusable(file, 'binary file (contains NUL bytes), not text');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new QuelleError(ErrorCode.ArticleUnusable, `${file}: not valid UTF-8 text; save it as UTF-8`, { cause });
  }
}

/** Parses an article's text; `file` is its name relative to the seeds folder. */
export function parseArticle(file: string, text: string): Article {
  const id = path.basename(file, path.extname(file));
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (body.trim() === '') throw unusable(file, 'empty file (only blank lines)');
  if (hasControlCharacters(body)) throw unusable(file, 'binary file (control characters), not text');

  const front = readFrontMatter(file, body);
  body = front.rest;
  const blocks = splitBlocks(body);

  let title = front.title;
  let date = front.date;
  let category = front.category;

  // A Markdown `# Title` anywhere before the body names the title explicitly.
  const headingIndex = blocks.findIndex((block) => /^#\s+\S/.test(block));
  if (title === null && headingIndex !== -1 && headingIndex <= 2) {
    const header = blocks.splice(0, headingIndex + 1);
    title = cleanInline(header.pop()!.replace(/^#\s+/, ''));
    for (const line of header) {
      const asDate = parseDateLine(line);
      if (asDate !== null) date ??= asDate;
      else category ??= cleanInline(line);
    }
  } else if (title === null) {
    const firstDate = blocks[0] === undefined ? null : parseDateLine(blocks[0]);
    if (firstDate !== null) {
      date ??= firstDate;
      blocks.shift();
    }
    if (blocks.length >= 3 && looksLikeCategory(blocks[0]!)) category ??= cleanInline(blocks.shift()!);
    const titleBlock = blocks.shift();
    if (titleBlock !== undefined) title = cleanInline(titleBlock.replace(/^#+\s+/, ''));
  }

  const paragraphs = blocks
    .filter((block) => !/^#{1,6}\s/.test(block) && !/^([-*_])\1{2,}$/.test(block))
    .map(toParagraph)
    .filter((paragraph) => /[\p{L}\p{N}]/u.test(paragraph));

  if (!title) throw unusable(file, 'no title line');
  if (paragraphs.length === 0) throw unusable(file, 'no body paragraphs after the title');

  const contentHash = createHash('sha256')
    .update(JSON.stringify([PARSER_VERSION, title, date, category, front.url, paragraphs]))
    .digest('hex')
    .slice(0, 32);
  return { id, file, title, date, category, url: front.url, paragraphs, contentHash };
}

interface FrontMatter {
  title: string | null;
  date: string | null;
  category: string | null;
  url: string | null;
  rest: string;
}

function readFrontMatter(file: string, text: string): FrontMatter {
  const none: FrontMatter = { title: null, date: null, category: null, url: null, rest: text };
  const match = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!match) return none;
  let data: unknown;
  try {
    data = parseYaml(match[1]!);
  } catch (cause) {
    throw new QuelleError(ErrorCode.ArticleUnusable, `${file}: invalid YAML front matter; fix or remove the block between the --- lines`, { cause });
  }
  if (data === null || typeof data !== 'object') return { ...none, rest: text.slice(match[0].length) };
  const fields = data as Record<string, unknown>;
  const text_ = (value: unknown): string | null =>
    typeof value === 'string' && value.trim() !== '' ? cleanInline(value) : typeof value === 'number' ? String(value) : null;
  const rawDate = fields.date instanceof Date ? fields.date.toISOString().slice(0, 10) : text_(fields.date);
  return {
    title: text_(fields.title),
    date: rawDate === null ? null : (parseDateLine(rawDate) ?? null),
    category: text_(fields.category),
    url: text_(fields.url),
    rest: text.slice(match[0].length),
  };
}

/** Blocks of text separated by blank lines, each with trailing spaces removed. */
function splitBlocks(text: string): string[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((block) => block.split('\n').map((line) => line.trimEnd()).join('\n').trim())
    .filter((block) => block !== '');
}

function looksLikeCategory(block: string): boolean {
  if (block.includes('\n')) return false;
  const text = cleanInline(block);
  if (KNOWN_CATEGORIES.has(text.toLowerCase())) return true;
  return text.length <= 30 && text.split(/\s+/).length <= 3 && !/[.!?:;,"„“]$/.test(text) && !/\d{3,}/.test(text);
}

/** A body block as plain text: soft-wrapped lines joined, Markdown quote and inline markup removed. */
function toParagraph(block: string): string {
  const lines = block.split('\n').map((line) => line.replace(/^>\s?/, ''));
  const isList = lines.every((line) => /^\s*([-*+]|\d+[.)])\s+/.test(line));
  return cleanInline(lines.join(isList ? '\n' : ' '));
}

/** Removes inline Markdown (emphasis, code, links, images) and folds runs of spaces. */
function cleanInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?!\w)/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/[ \t\u00a0]+/g, ' ')
    .trim();
}

function hasControlCharacters(text: string): boolean {
  const sample = text.slice(0, 8192);
  // eslint-disable-next-line no-control-regex
  const controls = sample.match(/[\x00-\x08\x0e-\x1f\x7f]/g)?.length ?? 0;
  return controls > 0 && controls / sample.length > 0.01;
}

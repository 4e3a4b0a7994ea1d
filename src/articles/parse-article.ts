import { createHash } from 'node:crypto';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, QuelleError } from '../errors.ts';
import type { Article } from './article.ts';
import { looksLikeDateLine, parseDateLine } from './parse-date.ts';

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

/**
 * Decodes a file's bytes: UTF-8 (with or without a BOM), or UTF-16 (little or big endian, with a
 * BOM or recognised without one). Refuses binary files and invalid text, saying how to fix it.
 */
export function decodeArticleBytes(file: string, bytes: Uint8Array): string {
  if (bytes.length === 0) throw unusable(file, 'empty file');
  if (startsWith(bytes, [0xff, 0xfe, 0, 0]) || startsWith(bytes, [0, 0, 0xfe, 0xff])) throw unusable(file, 'UTF-32 text; save it as UTF-8');
  const utf16 = utf16Encoding(bytes);
  if (utf16 !== null) {
    try {
      // The decoder drops a BOM; an odd byte count or a lone surrogate is an error.
      return new TextDecoder(utf16, { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch (cause) {
      throw new QuelleError(ErrorCode.ArticleUnusable, `${file}: not valid UTF-16 text (${utf16 === 'utf-16le' ? 'little' : 'big'} endian); save it as UTF-8`, { cause });
    }
  }
  if (bytes.subarray(0, 8192).includes(0)) throw unusable(file, 'binary file (contains NUL bytes), not text');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new QuelleError(ErrorCode.ArticleUnusable, `${file}: not valid UTF-8 text; save it as UTF-8`, { cause });
  }
}

/** Code units looked at to recognise UTF-16 without a BOM. */
const UTF16_SAMPLE_UNITS = 4096;

/**
 * UTF-16 by its BOM, or without one by its zero bytes: text in a Latin script has a zero high byte
 * in most code units (every ASCII letter, and ä, ö, ü, ß), so zeros fall on that side of at least
 * half of the pairs, and hardly ever on the other side (only a few characters such as U+2000 have
 * a zero low byte). Binary files have their zeros on both sides. Null when it is not UTF-16.
 */
function utf16Encoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (startsWith(bytes, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(bytes, [0xfe, 0xff])) return 'utf-16be';
  if (bytes.length % 2 !== 0) return null;
  const units = Math.min(bytes.length / 2, UTF16_SAMPLE_UNITS);
  let zeroFirst = 0;
  let zeroSecond = 0;
  for (let unit = 0; unit < units; unit++) {
    if (bytes[2 * unit] === 0) zeroFirst++;
    if (bytes[2 * unit + 1] === 0) zeroSecond++;
  }
  const mostly = (zeros: number): boolean => zeros * 2 >= units;
  const rarely = (zeros: number): boolean => zeros * 50 <= units;
  if (mostly(zeroSecond) && rarely(zeroFirst)) return 'utf-16le';
  if (mostly(zeroFirst) && rarely(zeroSecond)) return 'utf-16be';
  return null;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
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

  // A Markdown `# Title` before the body names the title explicitly; only date and category
  // lines may precede it (a body paragraph before it means it is a section heading instead).
  const headingIndex = blocks.findIndex((block) => /^#\s+\S/.test(block));
  const isTitleHeading = headingIndex !== -1 && headingIndex <= 2 && !blocks.slice(0, headingIndex).some(looksLikeBodyText);
  if (title === null && isTitleHeading) {
    const header = blocks.splice(0, headingIndex + 1);
    title = cleanInline(header.pop()!.replace(/^#\s+/, ''));
    for (const line of header) {
      if (looksLikeDateLine(line)) date ??= parseDateLine(line);
      else category ??= cleanInline(line);
    }
  } else if (title === null) {
    // A date line is consumed even when the day does not exist (31. Februar): no date, not a title.
    if (blocks[0] !== undefined && looksLikeDateLine(blocks[0])) {
      date ??= parseDateLine(blocks[0]);
      blocks.shift();
    }
    if (hasCategoryLine(blocks)) {
      const line = blocks.shift()!;
      category ??= cleanInline(line);
    }
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
  // A timestamp (`2025-09-05T10:00:00+02:00`) dates the article by its day as written.
  const dayOf = (value: string): string => value.replace(/^(\d{4}-\d{2}-\d{2})[Tt ]\d{1,2}:\d{2}.*$/, '$1');
  return {
    title: text_(fields.title),
    date: rawDate === null ? null : (parseDateLine(dayOf(rawDate)) ?? null),
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

/**
 * Whether the first block is a category line: a known category followed by at least a title, or
 * another short line followed by a title and a body. A short line followed by body text is the
 * title itself (`Merz in Paris` then `Friedrich Merz ist ….`).
 */
function hasCategoryLine(blocks: readonly string[]): boolean {
  const [first, next] = blocks;
  if (first === undefined || next === undefined || first.includes('\n')) return false;
  if (KNOWN_CATEGORIES.has(cleanInline(first).toLowerCase())) return true;
  return blocks.length >= 3 && looksLikeCategory(first) && !looksLikeBodyText(next);
}

/** Body text, not a title: several lines, or a sentence ending in a full stop (not an ellipsis). */
function looksLikeBodyText(block: string): boolean {
  return block.includes('\n') || /(?<!\.)\.[)"'»«“”‘’]*$/.test(block);
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

/**
 * Removes inline Markdown (emphasis, code, links, images) and folds runs of spaces. No pattern
 * may scan past the next opening delimiter: a scan to the end of the text from every opener
 * (`![![![…`, `__a __a …`, `[a]([a](…`) is quadratic, and one 5 MiB file stalled a build for hours.
 */
function cleanInline(text: string): string {
  return text
    .replace(/!\[([^[\]]*)\]\([^()]*\)/g, '$1')
    .replace(/\[([^[\]]+)\]\([^()]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)((?:(?!\1)[\s\S])*?\S)\1/g, '$2')
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

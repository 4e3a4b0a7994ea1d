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

/** What is wrong with an article file, for callers that explain it in their own words (the bot, in German too). */
export type ArticleProblem =
  | 'empty'
  | 'utf32'
  | 'utf16'
  | 'binary'
  | 'encoding'
  | 'frontMatter'
  | 'unsafeUrl'
  | 'noTitle'
  | 'noBody';

/**
 * ARTICLE_UNUSABLE with the problem and, where one is at fault, the 1-based line: the message
 * (`file: reason`) stays a short phrase for warnings and the build summary.
 */
export class ArticleUnusableError extends QuelleError {
  constructor(
    file: string,
    reason: string,
    readonly problem: ArticleProblem,
    readonly line: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.ArticleUnusable, `${file}: ${reason}`, options);
    this.name = 'ArticleUnusableError';
  }
}

/** Why a file cannot be used, as a short phrase for warnings and the build summary. */
function unusable(file: string, reason: string, problem: ArticleProblem, line: number | null = null, cause?: unknown): ArticleUnusableError {
  return new ArticleUnusableError(file, reason, problem, line, cause === undefined ? undefined : { cause });
}

/** The 1-based line of `offset` in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/** The 1-based line of byte `offset` in UTF-8 bytes. */
function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let at = 0; at < offset && at < bytes.length; at++) if (bytes[at] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that does not begin or continue a valid UTF-8 sequence (only called on invalid text). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let at = 0; at < bytes.length; ) {
    const byte = bytes[at]!;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0) return at;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + length));
    } catch {
      return at;
    }
    at += length;
  }
  return bytes.length;
}

/**
 * Decodes a file's bytes: UTF-8 (with or without a BOM), or UTF-16 (little or big endian, with a
 * BOM or recognised without one). Refuses binary files and invalid text, saying how to fix it.
 */
export function decodeArticleBytes(file: string, bytes: Uint8Array): string {
  if (bytes.length === 0) throw unusable(file, 'empty file', 'empty');
  if (startsWith(bytes, [0xff, 0xfe, 0, 0]) || startsWith(bytes, [0, 0, 0xfe, 0xff])) throw unusable(file, 'UTF-32 text; save it as UTF-8', 'utf32');
  const utf16 = utf16Encoding(bytes);
  if (utf16 !== null) {
    try {
      // The decoder drops a BOM; an odd byte count or a lone surrogate is an error.
      return new TextDecoder(utf16, { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch (cause) {
      throw unusable(file, `not valid UTF-16 text (${utf16 === 'utf-16le' ? 'little' : 'big'} endian); save it as UTF-8`, 'utf16', null, cause);
    }
  }
  const nul = bytes.subarray(0, 8192).indexOf(0);
  if (nul !== -1) throw unusable(file, 'binary file (contains NUL bytes), not text', 'binary', lineAtByte(bytes, nul));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw unusable(file, 'not valid UTF-8 text; save it as UTF-8', 'encoding', lineAtByte(bytes, firstInvalidUtf8(bytes)), cause);
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
  if (body.trim() === '') throw unusable(file, 'empty file (only blank lines)', 'empty');
  const control = firstControlCharacter(body);
  if (control !== null) throw unusable(file, 'binary file (control characters), not text', 'binary', lineAt(body, control));

  const front = readFrontMatter(file, body);
  const whole = body;
  body = front.rest;
  const bodyStartLine = lineAt(whole, whole.length - body.length);
  /** The file's line where a block (as split) begins, searched from the end of the block before it. */
  let searchFrom = 0;
  const lineOfBlock = (block: string): number => {
    const at = body.indexOf(block.split('\n')[0]!, searchFrom);
    if (at === -1) return bodyStartLine;
    searchFrom = at + 1;
    return bodyStartLine + lineAt(body, at) - 1;
  };
  const blocks = splitBlocks(body);

  let title = front.title;
  let titleLine = front.titleLine;
  let date = front.date;
  let category = front.category;

  // A Markdown `# Title` before the body names the title explicitly; only date and category
  // lines may precede it (a body paragraph before it means it is a section heading instead).
  const headingIndex = blocks.findIndex((block) => /^#\s+\S/.test(block));
  const isTitleHeading = headingIndex !== -1 && headingIndex <= 2 && !blocks.slice(0, headingIndex).some(looksLikeBodyText);
  if (title === null && isTitleHeading) {
    const header = blocks.splice(0, headingIndex + 1);
    const heading = header.pop()!;
    titleLine = lineOfBlock(heading);
    title = cleanInline(heading.replace(/^#\s+/, ''));
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
    if (titleBlock !== undefined) {
      titleLine = lineOfBlock(titleBlock);
      title = cleanInline(titleBlock.replace(/^#+\s+/, ''));
    }
  }

  const paragraphs = blocks
    .filter((block) => !/^#{1,6}\s/.test(block) && !/^([-*_])\1{2,}$/.test(block))
    .map(toParagraph)
    .filter((paragraph) => /[\p{L}\p{N}]/u.test(paragraph));

  if (!title) throw unusable(file, 'no title line', 'noTitle', bodyStartLine);
  if (paragraphs.length === 0) throw unusable(file, 'no body paragraphs after the title', 'noBody', titleLine);

  const contentHash = createHash('sha256')
    .update(JSON.stringify([PARSER_VERSION, title, date, category, front.url, paragraphs]))
    .digest('hex')
    .slice(0, 32);
  return { id, file, title, date, category, url: front.url, paragraphs, contentHash };
}

interface FrontMatter {
  title: string | null;
  /** The line of the `title:` key, when the front matter has one. */
  titleLine: number | null;
  date: string | null;
  category: string | null;
  url: string | null;
  rest: string;
}

/** Where a link may point: the web, nothing else (`javascript:`, `data:`, `file:` are refused). */
const LINK_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * The article's source URL in its normal form, or null when it is not an absolute http(s) URL
 * without credentials: the bot turns it into a link, so only the web is allowed.
 */
export function normaliseSourceUrl(text: string): string | null {
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  if (!LINK_PROTOCOLS.has(url.protocol) || url.username !== '' || url.password !== '' || url.hostname === '') return null;
  return url.href;
}

function readFrontMatter(file: string, text: string): FrontMatter {
  const none: FrontMatter = { title: null, titleLine: null, date: null, category: null, url: null, rest: text };
  const match = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!match) return none;
  /** The file's line of a front matter key (the block starts on line 2, after `---`). */
  const keyLine = (key: string): number | null => {
    const at = new RegExp(`^${key}[ \\t]*:`, 'm').exec(match[1]!)?.index;
    return at === undefined ? null : lineAt(match[1]!, at) + 1;
  };
  let data: unknown;
  try {
    data = parseYaml(match[1]!);
  } catch (cause) {
    const line = (cause as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw unusable(file, 'invalid YAML front matter; fix or remove the block between the --- lines', 'frontMatter', line === undefined ? 2 : line + 1, cause);
  }
  if (data === null || typeof data !== 'object') return { ...none, rest: text.slice(match[0].length) };
  const fields = data as Record<string, unknown>;
  const text_ = (value: unknown): string | null =>
    typeof value === 'string' && value.trim() !== '' ? cleanInline(value) : typeof value === 'number' ? String(value) : null;
  const rawDate = fields.date instanceof Date ? fields.date.toISOString().slice(0, 10) : text_(fields.date);
  // A timestamp (`2025-09-05T10:00:00+02:00`) dates the article by its day as written.
  const dayOf = (value: string): string => value.replace(/^(\d{4}-\d{2}-\d{2})[Tt ]\d{1,2}:\d{2}.*$/, '$1');
  const rawUrl = text_(fields.url);
  const url = rawUrl === null ? null : normaliseSourceUrl(rawUrl);
  if (rawUrl !== null && url === null) {
    throw unusable(file, 'the url in the front matter is not an http(s) address (such as https://example.com/article); fix or remove it', 'unsafeUrl', keyLine('url'));
  }
  return {
    title: text_(fields.title),
    titleLine: keyLine('title'),
    date: rawDate === null ? null : (parseDateLine(dayOf(rawDate)) ?? null),
    category: text_(fields.category),
    url,
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

/** Offset of the first control character when there are too many for text (binary data), or null. */
function firstControlCharacter(text: string): number | null {
  const sample = text.slice(0, 8192);
  // eslint-disable-next-line no-control-regex
  const controls = /[\x00-\x08\x0e-\x1f\x7f]/g;
  const count = sample.match(controls)?.length ?? 0;
  if (count === 0 || count / sample.length <= 0.01) return null;
  controls.lastIndex = 0;
  return controls.exec(sample)!.index;
}

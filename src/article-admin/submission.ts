import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { Article } from '../articles/article.ts';
import { ArticleUnusableError, decodeArticleBytes, normaliseSourceUrl, parseArticle, type ArticleProblem } from '../articles/parse-article.ts';
import { parseDateLine } from '../articles/parse-date.ts';
import { DEFAULT_MAX_ARTICLE_BYTES } from '../articles/read-articles.ts';
import { ErrorCode, UserError } from '../errors.ts';

/** Why a submitted article was refused: the parser's problems, and those of the submission itself. */
export type RefusalProblem =
  | ArticleProblem
  /** Larger than the indexer reads. */
  | 'tooLarge'
  /** A file name that is a path, hidden, or holds control characters. */
  | 'fileName'
  /** Not a `.txt` or `.md` file. */
  | 'fileType'
  /** The file could not be downloaded. */
  | 'download'
  /** A form field: a date that is not one. */
  | 'badDate'
  /** No article has that id. */
  | 'notFound'
  /** Removing it would leave the index without articles. */
  | 'lastArticle';

/**
 * An article (or a change) refused before anything was written: the problem, the line at fault
 * (or the form field), and an English explanation with the fix. Callers say it in their own
 * words (the bot in German too) from `problem` and `line`.
 */
export class ArticleRefusedError extends UserError {
  constructor(
    message: string,
    readonly problem: RefusalProblem,
    readonly line: number | null = null,
    /** The form field at fault, for articles submitted as a form. */
    readonly field: SubmissionField | null = null,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.InvalidInput, message, options);
    this.name = 'ArticleRefusedError';
  }
}

/** The largest article accepted: what the indexer reads. */
export const MAX_SUBMISSION_BYTES = DEFAULT_MAX_ARTICLE_BYTES;

const ARTICLE_EXTENSIONS = new Set(['.txt', '.md']);

/**
 * Refuses a file name that is not a plain `.txt` or `.md` name. The name is never used to store
 * the article (Quelle makes the id), but a path-like name (`../../.env.md`, `a/b.md`, `C:\x.md`)
 * is a sign of a crafted upload and is refused outright, nothing written.
 */
export function checkSubmittedFileName(name: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (name === '' || /[/\\\x00-\x1f\x7f]/.test(name) || name.startsWith('.') || /^[A-Za-z]:/.test(name) || name.length > 255) {
    throw new ArticleRefusedError(
      `The file name "${name.slice(0, 80)}" is not a plain file name (it holds a path, starts with a dot or has control characters). Rename the file, e.g. article.md, and send it again.`,
      'fileName',
    );
  }
  if (!ARTICLE_EXTENSIONS.has(path.extname(name).toLowerCase())) {
    throw new ArticleRefusedError(`"${name.slice(0, 80)}" is not a .txt or .md file. Save the article as text (.txt) or Markdown (.md) and send it again.`, 'fileType');
  }
}

/** Refuses a size above {@link MAX_SUBMISSION_BYTES}. */
export function checkSubmittedSize(bytes: number): void {
  if (bytes > MAX_SUBMISSION_BYTES) {
    throw new ArticleRefusedError(
      `The file is ${(bytes / 1048576).toFixed(1)} MiB; articles may be at most ${MAX_SUBMISSION_BYTES / 1048576} MiB. Split it into several articles.`,
      'tooLarge',
    );
  }
}

/**
 * Decodes and parses a submitted article with the indexer's own parser, so that what is
 * accepted here is what gets indexed. Returns the text to store (UTF-8) and the parsed article.
 */
export function parseSubmission(bytes: Uint8Array, name: string): { text: string; article: Article } {
  checkSubmittedSize(bytes.length);
  try {
    const text = decodeArticleBytes(name, bytes).replace(/^\uFEFF/, '');
    return { text, article: parseArticle(name, text) };
  } catch (error) {
    if (error instanceof ArticleUnusableError) {
      const at = error.line === null ? '' : ` (line ${error.line})`;
      throw new ArticleRefusedError(`${error.message}${at}.`, error.problem, error.line, null, { cause: error });
    }
    throw error;
  }
}

/** The fields of the "add an article" form. */
export interface ArticleFields {
  readonly title: string;
  readonly date: string;
  readonly category: string;
  readonly url: string;
  readonly text: string;
}

export type SubmissionField = keyof ArticleFields;

/**
 * The article a form describes, in the seed layout (front matter, then the paragraphs), checked
 * field by field first so that a refusal names the field. A line break in the text starts a new
 * paragraph: a form has no blank lines to separate them by.
 */
export function articleFromFields(fields: ArticleFields): { text: string; article: Article } {
  const refuse = (field: SubmissionField, problem: RefusalProblem, message: string): never => {
    throw new ArticleRefusedError(message, problem, null, field);
  };
  const title = fields.title.replace(/\s+/g, ' ').trim();
  if (title === '') refuse('title', 'noTitle', 'The title is empty. Give the article a title.');
  const date = fields.date.trim() === '' ? null : parseDateLine(fields.date);
  if (date === null && fields.date.trim() !== '') refuse('date', 'badDate', `"${fields.date.slice(0, 40)}" is not a date. Write it as 2025-09-05 or 5. September 2025, or leave it empty.`);
  const url = fields.url.trim() === '' ? null : normaliseSourceUrl(fields.url.trim());
  if (url === null && fields.url.trim() !== '') refuse('url', 'unsafeUrl', 'The source URL is not an http(s) address. Use one such as https://example.com/article, or leave it empty.');
  const paragraphs = fields.text
    .replace(/\r\n?/g, '\n')
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (paragraphs.length === 0) refuse('text', 'noBody', 'The text is empty. Paste the article text, one paragraph per line.');
  const front: Record<string, string> = { title };
  if (date) front.date = date;
  if (fields.category.trim() !== '') front.category = fields.category.replace(/\s+/g, ' ').trim();
  if (url) front.url = url;
  const text = `---\n${toYaml(front).trimEnd()}\n---\n\n${paragraphs.join('\n\n')}\n`;
  try {
    return { text, article: parseArticle('form.md', text) };
  } catch (error) {
    if (error instanceof ArticleUnusableError) throw new ArticleRefusedError(`${error.message}.`, error.problem, null, error.problem === 'binary' ? 'text' : null, { cause: error });
    throw error;
  }
}

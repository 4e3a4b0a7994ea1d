import type { ArticleChange } from '../article-admin/article-change.ts';
import type { ArticleRefusedError } from '../article-admin/submission.ts';
import type { Passage } from '../articles/article.ts';
import { formatDate } from './answer-embed.ts';
import type { Language, Messages } from './messages.ts';
import { safeLine, safeText, truncate } from './safe-text.ts';

/** Discord's limit for a message's content, with room to spare. */
const CONTENT_MAX = 1900;

/** A refused article change in the user's language: the problem, with the line or the form field at fault. */
export function refusalText(error: ArticleRefusedError, messages: Messages): string {
  const t = messages.article;
  const where = error.field ? t.atField(t.fields[error.field]) : error.line !== null ? t.atLine(error.line) : '';
  return t.refused(`${t.problems[error.problem]}${where}`);
}

/**
 * What a moderator is told after a change: what was done (id, paragraphs), and for an added or
 * replaced article how it is cited now, or why it is not indexed yet.
 */
export function changeText(change: ArticleChange, messages: Messages, language: Language): string {
  const t = messages.article;
  const done =
    change.action === 'add' ? t.added(change.id, change.paragraphs) : change.action === 'replace' ? t.replaced(change.id, change.paragraphs) : t.removed(change.id);
  if (!change.index.ok) return truncate(`${done}\n${t.notIndexed(safeText(change.index.reason))}`, CONTENT_MAX);
  const sample = change.index.sample;
  return sample ? truncate(`${done}\n${t.sample}\n${citationQuote(sample, language)}`, CONTENT_MAX) : done;
}

/** A passage quoted as an answer cites it: title, date · category · ¶, and the start of its text. */
export function citationQuote(passage: Passage, language: Language): string {
  const meta = [formatDate(passage.date, language), passage.category ? safeLine(passage.category) : null, `¶ ${passage.paragraph}`].filter(Boolean).join(' · ');
  return `> **${truncate(safeLine(passage.title), 250)}**\n> *${meta}*\n> ${truncate(safeLine(passage.text), 400)}`;
}

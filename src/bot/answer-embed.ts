import type { APIEmbed } from 'discord.js';
import type { Excerpt } from '../retrieval/excerpt.ts';
import type { SearchHit, SearchResponse } from '../retrieval/retriever.ts';
import { EMBED_LIMITS } from './embed-limits.ts';
import type { Language, Messages } from './messages.ts';
import { safeText, truncate } from './safe-text.ts';

/** Quelle's accent colour. */
export const EMBED_COLOR = 0x2f6f8f;

const FOOTER_MAX = 200;

/**
 * The answer to a question as one embed: the question as title, one field per cited passage
 * (title; date · category · paragraph; the excerpt with the best sentence in bold) and the
 * search mode and time in the footer. Every part is cut to Discord's limits here, by
 * construction, so that no answer is ever rejected for its length.
 */
export function buildAnswerEmbed(question: string, response: SearchResponse, language: Language, messages: Messages): APIEmbed {
  const title = truncate(messages.answerTitle(safeText(question)), EMBED_LIMITS.title);
  const footer = truncate(
    `${messages.footer(response.mode, Math.round(response.tookMs))}${response.notice ? ` · ${messages.lexicalNotice}` : ''}`,
    FOOTER_MAX,
  );
  if (response.hits.length === 0) {
    return { title, description: messages.nothingRelevant, color: EMBED_COLOR, footer: { text: footer } };
  }
  const names = response.hits.map((hit) => truncate(`${hit.rank}. ${safeText(hit.passage.title)}`, EMBED_LIMITS.fieldName));
  const used = title.length + footer.length + names.reduce((sum, name) => sum + name.length, 0);
  // What is left of the 6000 characters is shared evenly by the field values.
  const perField = Math.min(EMBED_LIMITS.fieldValue, Math.floor((EMBED_LIMITS.total - used - 10) / response.hits.length));
  const fields = response.hits.map((hit, i) => ({ name: names[i]!, value: fieldValue(hit, language, perField) }));
  return { title, color: EMBED_COLOR, fields, footer: { text: footer } };
}

function fieldValue(hit: SearchHit, language: Language, max: number): string {
  const { passage } = hit;
  const meta = [formatDate(passage.date, language), passage.category ? safeText(passage.category) : null, `¶ ${passage.paragraph}`]
    .filter(Boolean)
    .join(' · ');
  const header = truncate(`*${meta}*`, Math.floor(max / 3));
  return `${header}\n${fitExcerpt(hit.excerpt, max - header.length - 1)}`;
}

/**
 * The excerpt in at most `max` characters with its match in bold: context is cut first
 * (the text before the match from its start, the text after from its end), the match last.
 */
export function fitExcerpt(excerpt: Excerpt, max: number): string {
  const match = safeText(excerpt.match);
  let before = safeText(excerpt.before);
  let after = safeText(excerpt.after);
  const bold = (text: string): string => `**${text}**`;
  const spaceBefore = excerpt.before.endsWith(' ') ? ' ' : '';
  const spaceAfter = excerpt.after.startsWith(' ') ? ' ' : '';
  const length = (): number => before.length + spaceBefore.length + bold(match).length + spaceAfter.length + after.length;
  if (length() <= max) return `${before}${spaceBefore}${bold(match)}${spaceAfter}${after}`;
  const afterRoom = Math.max(0, max - (before.length + spaceBefore.length + bold(match).length + spaceAfter.length));
  after = afterRoom > 20 ? truncate(after, afterRoom) : '';
  if (length() <= max) return `${before}${spaceBefore}${bold(match)}${spaceAfter}${after}`;
  const beforeRoom = Math.max(0, max - (bold(match).length + spaceBefore.length + spaceAfter.length + after.length));
  before = beforeRoom > 20 ? `…${before.slice(before.length - beforeRoom + 1)}` : '';
  if (length() <= max) return `${before}${before ? spaceBefore : ''}${bold(match)}${after ? spaceAfter : ''}${after}`;
  return bold(truncate(match, max - 4));
}

export function formatDate(date: string | null, language: Language): string | null {
  if (date === null) return null;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return parsed.toLocaleDateString(language === 'de' ? 'de-DE' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

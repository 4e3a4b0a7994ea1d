import type { APIEmbed } from 'discord.js';
import type { Excerpt } from '../retrieval/excerpt.ts';
import type { SearchResponse } from '../retrieval/retriever.ts';
import { EMBED_LIMITS } from './embed-limits.ts';
import type { Language, Messages } from './messages.ts';
import { safeText, truncate } from './safe-text.ts';
import { sourceLink, type SourceLink } from './source-link.ts';

/** Quelle's accent colour. */
export const EMBED_COLOR = 0x2f6f8f;

const FOOTER_MAX = 200;
/** A long category is cut first, so that the citation keeps its date and paragraph. */
const CATEGORY_MAX = 100;
/**
 * A link is never cut (a cut one would not be a link): one longer than this (a very long title
 * or URL) is left out, and the citation shows its title as unlinked ones do. Five fields of at
 * least ~1000 characters leave room for it and the excerpt.
 */
const LINK_MAX = 400;

function usableLink(link: SourceLink | null): SourceLink | null {
  return link && link.markdown.length <= LINK_MAX ? link : null;
}

/** What one citation shows: its article and paragraph, the excerpt, and a note about it (bot text). */
export interface CitationView {
  readonly title: string;
  readonly url: string | null;
  readonly date: string | null;
  readonly category: string | null;
  readonly paragraph: number;
  /** Null when the paragraph is gone: the note says so. */
  readonly excerpt: Excerpt | null;
  readonly note?: string | undefined;
}

/** A citation as an answer or a page of further excerpts lists it: its number in the answer, and what it shows. */
export interface NumberedCitation {
  readonly number: number;
  readonly view: CitationView;
}

/**
 * The answer to a question as one embed: the question as title, one field per cited passage
 * (title; date · category · paragraph; the excerpt with the best sentence in bold) and the
 * search mode and time in the footer. Every part is cut to Discord's limits here, by
 * construction, so that no answer is ever rejected for its length.
 */
export function buildAnswerEmbed(question: string, response: SearchResponse, language: Language, messages: Messages): APIEmbed {
  const title = messages.answerTitle(safeText(question));
  const footer = `${messages.footer(messages.modeNames[response.mode], Math.round(response.tookMs))}${response.notice ? ` · ${response.vectorsDamaged ? messages.damagedVectorsNotice : messages.lexicalNotice}` : ''}`;
  // Passages nobody vouches for are noise: with none left, say so instead.
  const hits = response.hits.filter((hit) => hit.relevant);
  if (hits.length === 0) {
    return { title: truncate(title, EMBED_LIMITS.title), description: messages.nothingRelevant, color: EMBED_COLOR, footer: { text: truncate(footer, FOOTER_MAX) } };
  }
  return buildCitationsEmbed({ title, footer, citations: hits.map((hit, i) => ({ number: i + 1, view: { ...hit.passage, excerpt: hit.excerpt } })), language });
}

/**
 * Numbered citations in one embed within Discord's limits: an answer, or a page of the further
 * excerpts "More" shows. `title` and `footer` are bot text (anything quoted in them made safe).
 */
export function buildCitationsEmbed(input: { readonly title: string; readonly footer: string; readonly citations: readonly NumberedCitation[]; readonly language: Language }): APIEmbed {
  const title = truncate(input.title, EMBED_LIMITS.title);
  const footer = truncate(input.footer, FOOTER_MAX);
  // Field names show no Markdown, so a linked citation's title moves into the value, where it
  // is the link; the name keeps the rank and shows the domain the link leads to.
  const links = input.citations.map(({ view }) => usableLink(sourceLink(view.title, view.url)));
  const names = input.citations.map(({ number, view }, i) => truncate(`${number}. ${links[i] ? links[i].domain : safeText(view.title)}`, EMBED_LIMITS.fieldName));
  const used = title.length + footer.length + names.reduce((sum, name) => sum + name.length, 0);
  // What is left of the 6000 characters is shared evenly by the field values.
  const perField = Math.min(EMBED_LIMITS.fieldValue, Math.floor((EMBED_LIMITS.total - used - 10) / Math.max(1, input.citations.length)));
  const fields = input.citations.map(({ view }, i) => ({ name: names[i]!, value: fieldValue(view, links[i]!, input.language, perField) }));
  return { title, color: EMBED_COLOR, fields, footer: { text: footer } };
}

/**
 * One citation's whole paragraph ("Full paragraph"): in the description, which holds four times
 * what a field does, so that a long paragraph is shown whole. `footer` is bot text.
 */
export function buildParagraphEmbed(input: { readonly citation: NumberedCitation; readonly footer: string; readonly language: Language }): APIEmbed {
  const { number, view } = input.citation;
  const footer = truncate(input.footer, FOOTER_MAX);
  const title = truncate(`${number}. ${safeText(view.title)}`, EMBED_LIMITS.title);
  const room = Math.min(EMBED_LIMITS.description, EMBED_LIMITS.total - title.length - footer.length - 10);
  const description = fieldValue(view, usableLink(sourceLink(view.title, view.url)), input.language, room);
  return { title, description, color: EMBED_COLOR, ...(footer ? { footer: { text: footer } } : {}) };
}

function fieldValue(view: CitationView, link: SourceLink | null, language: Language, max: number): string {
  const meta = [formatDate(view.date, language), view.category ? truncate(safeText(view.category), CATEGORY_MAX) : null, `¶ ${view.paragraph}`].filter(Boolean).join(' · ');
  // Cut inside the asterisks, so that the italic span stays closed.
  const header = `*${truncate(meta, Math.floor(max / 3) - 2)}*`;
  const linkLine = link ? `${link.markdown}\n` : '';
  const note = view.note ? `\n${truncate(view.note, Math.floor(max / 3))}` : '';
  const room = max - linkLine.length - header.length - note.length - 1;
  return `${linkLine}${header}${note}${view.excerpt ? `\n${fitExcerpt(view.excerpt, room)}` : ''}`;
}

/**
 * The excerpt in at most `max` characters with its match in bold: context is cut first
 * (the text before the match from its start, the text after from its end), the match last.
 */
export function fitExcerpt(excerpt: Excerpt, max: number): string {
  const match = safeText(excerpt.match);
  let before = safeText(excerpt.before);
  let after = safeText(excerpt.after);
  // An excerpt without a match (no question to match) is plain text.
  const bold = (text: string): string => (text === '' ? '' : `**${text}**`);
  const spaceBefore = excerpt.before.endsWith(' ') ? ' ' : '';
  const spaceAfter = excerpt.after.startsWith(' ') ? ' ' : '';
  const length = (): number => before.length + spaceBefore.length + bold(match).length + spaceAfter.length + after.length;
  if (length() <= max) return `${before}${spaceBefore}${bold(match)}${spaceAfter}${after}`;
  const afterRoom = Math.max(0, max - (before.length + spaceBefore.length + bold(match).length + spaceAfter.length));
  after = afterRoom > 20 ? truncate(after, afterRoom) : '';
  if (length() <= max) return `${before}${spaceBefore}${bold(match)}${spaceAfter}${after}`;
  const beforeRoom = Math.max(0, max - (bold(match).length + spaceBefore.length + spaceAfter.length + after.length));
  before = beforeRoom > 20 ? `…${tail(before, beforeRoom - 1)}` : '';
  if (length() <= max) return `${before}${before ? spaceBefore : ''}${bold(match)}${after ? spaceAfter : ''}${after}`;
  return bold(truncate(match, max - 4));
}

/** The end of escaped text in at most `max` characters, never starting inside an escape or a surrogate pair. */
function tail(text: string, max: number): string {
  let start = Math.max(0, text.length - max);
  // An odd run of backslashes before the cut escapes the character after it: leave that out too.
  if (/\\*$/.exec(text.slice(0, start))![0].length % 2 === 1) start++;
  if (/[\udc00-\udfff]/.test(text[start] ?? '')) start++;
  return text.slice(start);
}

export function formatDate(date: string | null, language: Language): string | null {
  if (date === null) return null;
  const parsed = new Date(`${date}T00:00:00Z`);
  // Dates are ISO by the parser, but the index is a file: anything else is shown as text.
  if (Number.isNaN(parsed.getTime())) return safeText(date);
  return parsed.toLocaleDateString(language === 'de' ? 'de-DE' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

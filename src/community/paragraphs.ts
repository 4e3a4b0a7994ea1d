import { createHash } from 'node:crypto';
import type { SearchIndex } from '../index/search-index.ts';

/** A paragraph of an article as the serving index has it now. */
export interface ParagraphView {
  readonly articleId: string;
  readonly paragraph: number;
  readonly title: string;
  readonly date: string | null;
  readonly category: string | null;
  readonly url: string | null;
  /** The whole paragraph (a long one is indexed in parts; they are joined here). */
  readonly text: string;
}

/** Looks a paragraph up by article id and 1-based number; null when the article or paragraph is gone. */
export type ParagraphSource = (articleId: string, paragraph: number) => ParagraphView | null;

/**
 * The paragraphs of a loaded index. Built once per index generation (the bot builds a new one
 * when a reindex swaps the index in): one pass over the passages.
 */
export function indexParagraphs(index: SearchIndex): ParagraphSource {
  const parts = new Map<string, { view: Omit<ParagraphView, 'text'>; texts: string[] }>();
  for (const passage of index.passages) {
    const key = `${passage.articleId}#${passage.paragraph}`;
    let entry = parts.get(key);
    if (!entry) {
      const { articleId, paragraph, title, date, category, url } = passage;
      entry = { view: { articleId, paragraph, title, date, category, url }, texts: [] };
      parts.set(key, entry);
    }
    entry.texts[passage.part - 1] = passage.text;
  }
  return (articleId, paragraph) => {
    const entry = parts.get(`${articleId}#${paragraph}`);
    // Parts are split at sentence boundaries, so a space joins them back.
    return entry ? { ...entry.view, text: entry.texts.filter((text) => text !== undefined).join(' ') } : null;
  };
}

/** A short hash of a paragraph's text: a different hash later means the article was changed. */
export function paragraphHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

import { normaliseSourceUrl } from '../articles/parse-article.ts';
import { safeLine } from './safe-text.ts';

/** An article's source as a Markdown link: the title as the link's text, and the domain it leads to. */
export interface SourceLink {
  /** `[Title](https://…)`: the only link the bot ever renders on purpose. */
  readonly markdown: string;
  /** The host name, without `www.` (IDNs in their ASCII form, so that look-alike letters show as such). */
  readonly domain: string;
}

/**
 * The one place the bot builds a link. The bot never renders links from text it quotes (see
 * ./safe-text.ts); a source link is metadata it builds itself from the article's URL, which is
 * checked again here (the index is a file): http or https, no credentials, else no link. The
 * title is made safe as any quoted text, and its brackets are escaped too, so that it can
 * neither end the link's text early nor hold a link of its own; the target has its
 * parentheses and angle brackets percent-encoded, so that it cannot end early either.
 */
export function sourceLink(title: string, url: string | null): SourceLink | null {
  const href = url === null ? null : normaliseSourceUrl(url);
  if (href === null) return null;
  const target = href.replace(/[()<>]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  const text = escapeBrackets(safeLine(title)) || '↗';
  return { markdown: `[${text}](${target})`, domain: new URL(href).hostname.replace(/^www\./, '') };
}

/** Escapes `[` and `]` that are not escaped yet (escapes are kept as units). */
function escapeBrackets(text: string): string {
  return text.replace(/\\[\s\S]|[[\]]/g, (token) => (token.length === 1 ? `\\${token}` : token));
}

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
 * title is made safe as any quoted text. Discord's link grammar (simple-markdown's) has no
 * escapes inside a link's text, and an unbalanced bracket there breaks the link (the URL then
 * shows bare), so the title's square brackets are shown as full-width ones (［ ］). The target
 * has its parentheses and angle brackets percent-encoded, so that it cannot end early.
 */
export function sourceLink(title: string, url: string | null): SourceLink | null {
  const href = url === null ? null : normaliseSourceUrl(url);
  if (href === null) return null;
  const target = href.replace(/[()<>]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  const text = safeLine(title.replace(/\[/g, '［').replace(/\]/g, '］')) || '↗';
  return { markdown: `[${text}](${target})`, domain: new URL(href).hostname.replace(/^www\./, '') };
}

import { escapeMarkdown } from 'discord.js';

/**
 * Text from users and articles is shown inside the bot's messages. It must not break the
 * embed (Markdown, invisible or control characters) nor ping anyone; `allowedMentions` with
 * no parse is the guarantee against pings, and this is a second line of defence.
 */
// Zero-width, bidi-control and other invisible format characters, plus C0/C1 controls but newline
// and the white space folded below (tab, vertical tab, form feed; a carriage return goes).
// eslint-disable-next-line no-control-regex, no-misleading-character-class -- invisible characters are the point
const INVISIBLE = /[\u0000-\u0008\u000d-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]/g;

/** Removes invisible and control characters and folds runs of white space. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '').replace(/[ \t\r\f\v]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}

/** Breaks mass mentions so that they can never ping, even if mentions were allowed by mistake. */
export function defuseMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, '@\u2024$1').replace(/<@([!&]?\d+)>/g, '<@\u2024$1>');
}

/**
 * User- or article-supplied text made safe to place in an embed: no Markdown, no pings, no links.
 * It reads as typed; only what Discord would have formatted, pinged or linked is escaped.
 */
export function safeText(text: string): string {
  return defuseMentions(neutraliseLinks(escapeLeftovers(escapeMarkdown(stripInvisible(text)))));
}

/**
 * Text made safe and kept on one line, for names (file names, article ids) and list entries: a
 * line break in it is shown as ↵, so it can neither start a line of its own nor pass for another entry.
 */
export function safeLine(name: string): string {
  return safeText(name.replace(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/g, ' ↵ '));
}

/**
 * Text for the parts of an embed that Discord shows without Markdown (footers, author names):
 * escaping would show its backslashes there, so only invisible characters and line breaks go.
 */
export function plainText(text: string): string {
  return stripInvisible(text.replace(/[\n\u2028\u2029]+/g, ' '));
}

/*
 * escapeMarkdown leaves some `*`, `_` and backticks unescaped: in runs of seven stars or
 * underscores or five backticks, and every `_` after "https://" (or after "<:") up to the next
 * white space, which it takes for a link. Quoted links are never links here (see below), so
 * Discord would format those: escape each one it left.
 */
const LEFTOVER = /\\[\s\S]|[*_`]/g;
const escapeOne = (token: string): string => (token.length === 1 ? `\\${token}` : token);

function escapeLeftovers(text: string): string {
  return text.replace(LEFTOVER, escapeOne);
}

/*
 * The bot never renders a link because of text it quotes. Discord's client (simple-markdown with
 * its own rules) makes links of exactly these, and each is broken with a backslash escape, which
 * Discord shows as the character alone, so the text still reads as typed:
 * - masked links `[text](target)`, in every form (nested brackets, `<…>` targets, titles): the
 *   rule needs "](" and does not look further without one. `](` becomes `]\(`. (Escaping the `[`,
 *   as escapeMarkdown's `maskedLink` option does, misses `[[x]](…)` and leaves the URL live.)
 * - angle-bracket forms: `<scheme:/…>`, `<name@host.tld>`, `<tel:…>`, `<+49…>`, and with them
 *   channel, command and route links, timestamps and custom emoji. Every `<` becomes `\<`.
 * - bare URLs `http(s)://…`, `steam://…` (and Discord's message, channel and attachment links,
 *   which are URLs too): the rule needs the scheme, a colon and a slash together. A `:` before
 *   a `/` becomes `\:`. (A backslash before the URL would not do: letters cannot be escaped.)
 * Existing escapes are skipped as units, so a backslash is never doubled into a literal one.
 */
const LINK_MAKER = /\\[\s\S]|\](?=\()|<|:(?=\/)/g;

function neutraliseLinks(text: string): string {
  return text.replace(LINK_MAKER, (token) => (token === ']' ? ']\\' : escapeOne(token)));
}

/** Cuts text to `max` characters (code points are not split), ending with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  let cut = text.slice(0, Math.max(0, max - 1));
  // Do not leave half a surrogate pair or a dangling escape backslash at the cut.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(/\\+$/, (slashes) => (slashes.length % 2 === 1 ? slashes.slice(0, -1) : slashes));
  return `${cut}…`;
}

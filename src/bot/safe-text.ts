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

/** User- or article-supplied text made safe to place in an embed: no Markdown, no pings. */
export function safeText(text: string): string {
  return defuseMentions(escapeLeftovers(escapeMarkdown(stripInvisible(text))));
}

/*
 * escapeMarkdown leaves some `*`, `_` and backticks unescaped: in runs of seven stars or
 * underscores or five backticks, and every `_` after "https://" up to the next white space,
 * even past the end of the link, where Discord formats again: `<https://x.y>__u__` and
 * `[x](https://x.y)__u__` underline "u". Escape each one it left, except underscores inside a
 * link, which Discord shows as they are and a backslash would break.
 */
// Where a link ends, as Discord parses it: `<https://…>` at its `>`; a bare URL at white space,
// a `<`, or a `)` that closes no `(` of its own (the end of a masked link `[x](https://…)` or of
// a parenthesis around the URL; "…/wiki/Wien_(Stadt)" keeps its pair).
const LINK = /<https?:\/\/[^\s>]+>|https?:\/\/(?:\([^\s<()]*\)|[^\s<)])+/;
const LEFTOVER = new RegExp(String.raw`\\[\s\S]|(${LINK.source})|[*_\`]`, 'g');
const escapeOne = (token: string): string => (token.length === 1 ? `\\${token}` : token);

function escapeLeftovers(text: string): string {
  return text.replace(LEFTOVER, (token, link: string | undefined) => (link ? link.replace(/\\[\s\S]|[*`]/g, escapeOne) : escapeOne(token)));
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

/**
 * Seeded generators for property-style tests: every run sees the same cases, and a failing case
 * can be replayed from its seed. No dependencies: mulberry32 is enough for test data.
 */
import { uniform } from '../helpers/prng.ts';

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function prng(seed: number): Random {
  const next = uniform(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return { next, int, pick: (items) => items[int(0, items.length - 1)]!, chance: (p) => next() < p };
}

/** Pieces that break naive embeds: Markdown, escapes, links, astral characters, invisibles, mentions. */
const HOSTILE_PIECES = [
  '*', '**', '***', '****', '_', '__', '___', '~', '~~', '|', '||', '>', '> ', '>>> ', '`', '``', '```',
  '\\', '\\\\', '\\*', '\\_', '#', '# ', '- ', '1. ', '[x](https://example.com)', 'https://example.com/*a*_b_',
  '<https://x.y>', '<a@b.cd>', '](', ']', '(', ')', 'https:', '//', '[[x]](https://e.x/a_(b) "t (x)")',
  '😀', '👍🏽', '🇩🇪', '👨‍👩‍👧', '𝔘𝔫𝔦', '𠜎',
  '\u200b', '\u200d', '\u202e', '\u00ad', '\u0007', '\u001b', '\u0085', '\ufeff', '\t',
  '@everyone', '@here', '<@123456789012345678>', '<@!123>', '<@&42>',
  ' ', ' ', ' ', 'a', 'Wort', 'Koalition', 'ä', 'ß', '…', '.', ',',
];

/** Texts made of one piece repeated: every cut point lands on a pair or an escape. */
const MONOTONE_PIECES = ['😀', '\\', '*', '_', '\\*', '`', '~~', '||', '𝔘'];

/** Random hostile text of about `length` UTF-16 units (before cleaning), never longer than `length`. */
export function hostileText(random: Random, length: number, options: { newlines?: boolean } = {}): string {
  const pieces = options.newlines === false ? HOSTILE_PIECES : [...HOSTILE_PIECES, '\n', '\n\n'];
  if (random.chance(0.15)) {
    // At most 2000: escapeMarkdown takes quadratic time on long text without white space.
    const piece = random.pick(MONOTONE_PIECES);
    return piece.repeat(Math.floor(Math.min(length, 2000) / piece.length));
  }
  let text = '';
  while (text.length < length) {
    const piece = random.pick(pieces);
    if (text.length + piece.length > length) break;
    text += piece;
  }
  return text;
}

/** A length between 0 and `max`, spread over orders of magnitude so short and huge both occur. */
export function someLength(random: Random, max: number): number {
  return Math.min(max, Math.floor(Math.exp(random.next() * Math.log(max + 1))));
}

/** Matches a high surrogate without its low half, or a low one without its high half. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How many `**` remain once every escaped character (`\x`) is taken out. */
export function unescapedBoldMarkers(text: string): number {
  return (text.replace(/\\[\s\S]/g, '').match(/\*\*/g) ?? []).length;
}

/**
 * Backslash runs of odd length that escape nothing Markdown cares about: a backslash left
 * dangling by a cut (before an ellipsis, a space, a bold marker's end or the end of the text).
 * escapeMarkdown doubles every backslash, so an odd run may only precede an escaped character:
 * a Markdown marker, or a `<`, a `:` before a `/` or a `(` after a `]` (broken so as not to link).
 */
export function danglingBackslashes(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\\+/g)) {
    if (match[0].length % 2 === 0) continue;
    const next = text[match.index + match[0].length];
    if (next === undefined || !'*_~|`<:('.includes(next)) found.push(text.slice(Math.max(0, match.index - 5), match.index + match[0].length + 2));
  }
  return found;
}

/**
 * Whether `index` is a boundary between characters of escaped text: not inside a surrogate
 * pair and not between an escaping backslash and the character it escapes.
 */
export function isTokenBoundary(text: string, index: number): boolean {
  let i = 0;
  while (i < index) {
    const code = text.charCodeAt(i);
    if (text[i] === '\\' && i + 1 < text.length) i += 2;
    else if (code >= 0xd800 && code <= 0xdbff && /[\udc00-\udfff]/.test(text[i + 1] ?? '')) i += 2;
    else i += 1;
  }
  return i === index;
}

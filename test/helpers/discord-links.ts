/**
 * Which parts of a text Discord would render as links: a checker for the tests that no quoted text
 * becomes clickable. It runs the text through simple-markdown (the parser Discord's client is built
 * on, as bundled by discord-markdown-parser) with the link-making rules of Discord's client:
 *
 * - `link`: masked links `[text](target "title")`, simple-markdown's own grammar (nested brackets,
 *   `<…>` targets, balanced parentheses, backslash escapes and quoted titles in the target);
 * - `autolink`: `<scheme:/…>`; `mailto`: `<name@host.tld>`; `tel`: `<tel:+…>`, `<sms:…>`, `<+…>`;
 * - `url`: bare `http(s)://…` and `steam://…`, trailing `)` trimmed unless balanced.
 *
 * It is deliberately more willing than Discord: any target scheme counts (Discord checks masked and
 * angle-bracket targets against http, https, discord, tel, sms and mailto), and bare URLs match
 * in any letter case (Discord's rule wants lower case), so that a pass here is a pass there.
 */
import { rulesExtended, SimpleMarkdown } from 'discord-markdown-parser';

type Rule = (typeof rulesExtended)[string];
type Node = { type: string; target?: unknown; content?: unknown; [key: string]: unknown };

const LINK_TYPES = new Set(['link', 'url', 'autolink', 'mailto', 'tel']);

/** Discord's bare-URL rule, case-insensitive here. */
const URL_RE = /^((?:https?|steam):\/\/[^\s<]+[^<.,:;"'\]\s])/i;

function linkNode(type: string, target: string): Node {
  return { type, target, content: [{ type: 'text', content: target }] };
}

const rules: Record<string, Rule> = {
  ...rulesExtended,
  url: {
    ...rulesExtended.url!,
    match(source, state) {
      if (!state.inline) return null;
      const found = URL_RE.exec(source);
      if (!found) return null;
      // A trailing ")" stays only when it closes a "(" inside the URL (Discord's rule).
      let url = found[0];
      let from = 0;
      for (let i = url.length - 1; i >= 0 && url[i] === ')'; i--) {
        const open = url.indexOf('(', from);
        if (open === -1) {
          url = url.slice(0, -1);
          break;
        }
        from = open + 1;
      }
      found[0] = found[1] = url;
      return found;
    },
    parse: (capture) => linkNode('url', capture[1]!),
  },
  autolink: { ...rulesExtended.autolink!, parse: (capture) => linkNode('autolink', capture[1]!) },
  mailto: {
    order: rulesExtended.autolink!.order,
    match: SimpleMarkdown.inlineRegex(/^<([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>/),
    parse: (capture) => linkNode('mailto', capture[1]!),
  },
  tel: {
    order: rulesExtended.autolink!.order,
    match: SimpleMarkdown.inlineRegex(/^<((?:(?:tel|sms):\+?|\+)(?:[0-9]|\([0-9]+\))(?:[- ./]?(?:[0-9]|\([0-9]+\)))+)>/i),
    parse: (capture) => linkNode('tel', capture[1]!),
  },
};

const parse = SimpleMarkdown.parserFor(rules as Parameters<typeof SimpleMarkdown.parserFor>[0]);

/** The link targets Discord would render in `text` (empty when nothing is clickable). */
export function renderedLinks(text: string): string[] {
  const found: string[] = [];
  const walk = (nodes: unknown): void => {
    if (!Array.isArray(nodes)) return;
    for (const node of nodes as Node[]) {
      if (LINK_TYPES.has(node.type)) found.push(String(node.target));
      walk(node.content);
      for (const value of Object.values(node)) if (Array.isArray(value) && value !== node.content) walk(value);
    }
  };
  walk(parse(text, { inline: true }));
  return found;
}

/** The links Discord would render in `text`, each with the text it shows (escapes resolved). */
export function renderedLinkParts(text: string): { target: string; text: string }[] {
  const found: { target: string; text: string }[] = [];
  const shown = (nodes: unknown): string =>
    Array.isArray(nodes) ? (nodes as Node[]).map((node) => (typeof node.content === 'string' ? node.content : shown(node.content))).join('') : typeof nodes === 'string' ? nodes : '';
  const walk = (nodes: unknown): void => {
    if (!Array.isArray(nodes)) return;
    for (const node of nodes as Node[]) {
      if (LINK_TYPES.has(node.type)) found.push({ target: String(node.target), text: shown(node.content) });
      walk(node.content);
      for (const value of Object.values(node)) if (Array.isArray(value) && value !== node.content) walk(value);
    }
  };
  walk(parse(text, { inline: true }));
  return found;
}

/** What Discord shows of escaped text: each backslash escape (`\x`, x not a letter, digit or space) as its character. */
export function unescaped(text: string): string {
  return text.replace(/\\([^0-9A-Za-z\s])/g, '$1');
}

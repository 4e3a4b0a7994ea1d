/**
 * Source links (issue #13): the one link the bot renders on purpose. Its text is the article's
 * title (square brackets shown full-width: Discord cannot escape them in a link's text), however hostile (brackets, masked links, angle-bracket links, bare URLs, Markdown), and
 * it points exactly at the article's validated http(s) URL; anything else gets no link at all.
 */
import { describe, expect, it } from 'vitest';
import { sourceLink } from '../../src/bot/source-link.ts';
import { renderedLinkParts, renderedLinks } from '../helpers/discord-links.ts';

const HOSTILE_TITLES = [
  'Hafenfest [text](https://evil.example/a_(b)) und [[text]](https://evil.example/x)',
  'Titel mit ] und [ und ](https://evil.example/t "title (x)") sowie <https://evil.example/auto>',
  '**fett** __u__ `code` ||spoiler|| @everyone https://evil.example/bare',
  'Schluss mit Backslash \\',
];

describe('sourceLink', () => {
  it.each(HOSTILE_TITLES)('links %j: its title is the only text, the article URL the only target', (title) => {
    const url = 'https://www.example-zeitung.de/a_(b)/artikel?id=1&x=<y>';
    const link = sourceLink(title, url)!;
    const parts = renderedLinkParts(link.markdown);
    expect(parts).toHaveLength(1);
    expect(decodeURI(parts[0]!.target)).toBe(new URL(url).href.replace(/%3C/g, '<').replace(/%3E/g, '>'));
    expect(new URL(parts[0]!.target).href).toBe(new URL(parts[0]!.target).href);
    // As typed, but for the defused mention's one-dot leader and brackets shown full-width.
    expect(parts[0]!.text.replace(/\u2024/g, '')).toBe(title.replace(/\[/g, '［').replace(/\]/g, '］'));
    expect(link.domain).toBe('example-zeitung.de');
  });

  it('points at the normalised URL exactly when nothing needs encoding', () => {
    const link = sourceLink('Titel', 'https://news.example.at/seilbahn?x=1#teil')!;
    expect(renderedLinks(link.markdown)).toEqual(['https://news.example.at/seilbahn?x=1#teil']);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'ftp://example.org/x', 'https://user:secret@example.org/', 'example.org/no-scheme', '', null])('makes no link of %j', (url) => {
    expect(sourceLink('Titel', url)).toBeNull();
  });

  it('shows international domains in their ASCII form, so look-alike letters show as such', () => {
    expect(sourceLink('Titel', 'https://www.pаypal.com/')!.domain).toBe('xn--pypal-4ve.com');
  });
});

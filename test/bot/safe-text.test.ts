import { describe, expect, it } from 'vitest';
import { defuseMentions, safeText, stripInvisible, truncate } from '../../src/bot/safe-text.ts';
import { renderedLinks, unescaped } from '../helpers/discord-links.ts';
import { danglingBackslashes, hostileText, isTokenBoundary, LONE_SURROGATE, prng, unescapedBoldMarkers } from './generate.ts';

describe('stripInvisible', () => {
  it('removes zero-width characters, bidi controls and the soft hyphen', () => {
    expect(stripInvisible('Ko\u200ba\u200cli\u200dti\u2060on\ufeff')).toBe('Koalition');
    expect(stripInvisible('abc\u202edef\u202a\u2066x\u2069\u200e\u200f\u061c')).toBe('abcdefx');
    expect(stripInvisible('Sicher\u00adheits\u00adgarantie')).toBe('Sicherheitsgarantie');
  });

  it('removes C0 and C1 control characters but keeps line breaks', () => {
    expect(stripInvisible('a\u0000b\u0007c\u0008d\u001be\u007ff\u0080g\u0085h\u009fi')).toBe('abcdefghi');
    expect(stripInvisible('Zeile eins\nZeile zwei')).toBe('Zeile eins\nZeile zwei');
    expect(stripInvisible('Windows\r\nZeilen')).toBe('Windows\nZeilen');
  });

  it('folds white space, tabs included, and trims', () => {
    expect(stripInvisible('  Wo   traf\tsich \u000b die\u000cKoalition?  ')).toBe('Wo traf sich die Koalition?');
    expect(stripInvisible('a\n\n\n\n\nb')).toBe('a\n\nb');
    expect(stripInvisible('\u200b \u200b')).toBe('');
  });

  it('leaves ordinary text, umlauts and emoji alone', () => {
    const text = 'Grüße aus Köln 😀 – „Koalition der Willigen“ 🇩🇪';
    expect(stripInvisible(text)).toBe(text);
  });
});

describe('defuseMentions', () => {
  it('breaks @everyone, @here and user, nickname and role mentions', () => {
    const defused = defuseMentions('@everyone @HERE <@123> <@!123> <@&123>');
    expect(defused).toBe('@\u2024everyone @\u2024HERE <@\u2024123> <@\u2024!123> <@\u2024&123>');
    expect(defused).not.toMatch(/@(everyone|here)/i);
    expect(defused).not.toMatch(/<@[!&]?\d+>/);
  });

  it('leaves e-mail addresses and channel links alone', () => {
    expect(defuseMentions('redaktion@example.de <#123>')).toBe('redaktion@example.de <#123>');
  });
});

describe('safeText', () => {
  it('escapes Markdown so that it shows as typed', () => {
    expect(safeText('**fett** _kursiv_ ~~weg~~ ||geheim|| `code`')).toBe('\\*\\*fett\\*\\* \\_kursiv\\_ \\~\\~weg\\~\\~ \\|\\|geheim\\|\\| \\`code\\`');
    expect(safeText('C:\\Pfad')).toBe('C:\\\\Pfad');
  });

  it('strips invisible characters before escaping and defusing, so they cannot hide a mention', () => {
    expect(safeText('@\u200beveryone')).toBe('@\u2024everyone');
    expect(safeText('<@\u200b123>')).toBe('\\<@\u2024123>');
  });

  it('leaves no unescaped Markdown marker, even in long runs escapeMarkdown misses', () => {
    for (const char of ['*', '_', '`']) {
      for (let n = 1; n <= 40; n++) {
        const escaped = safeText(`a${char.repeat(n)}b`);
        expect(escaped.replace(/\\[\s\S]/g, ''), `${n} × ${char}`).toBe('ab');
      }
    }
  });

  it('escapes underscores and markers in and after quoted URLs, which are plain text once defused', () => {
    expect(safeText('siehe https://example.com/a_b_c')).toBe('siehe https\\://example.com/a\\_b\\_c');
    expect(safeText('siehe https://example.com/a__b__c')).toBe('siehe https\\://example.com/a\\_\\_b\\_\\_c');
    expect(safeText('https://de.wikipedia.org/wiki/Wien_(Stadt)_Bezirke')).toBe('https\\://de.wikipedia.org/wiki/Wien\\_(Stadt)\\_Bezirke');
    expect(safeText('<https://example.com>__unterstrichen__ Koalition')).toBe('\\<https\\://example.com>\\_\\_unterstrichen\\_\\_ Koalition');
    expect(safeText('[x](https://example.com)__u__')).toBe('[x]\\(https\\://example.com)\\_\\_u\\_\\_');
    // escapeMarkdown exempts every underscore after "<:" or "<a:" anywhere before it.
    expect(safeText('<:x:1> a_b_ c__d__')).toBe('\\<:x:1> a\\_b\\_ c\\_\\_d\\_\\_');
  });

  it('leaves no unescaped Markdown marker, in generated text full of links and brackets', () => {
    const pieces = ['<https://x.y>', '<https://x.y/a_b>', 'https://x.y/a_b', '[x](https://x.y)', '<', '>', '(', ')', '[', ']', '__', '_', '**', '*', '`', '\\', ' ', 'a', ':', '/'];
    const random = prng(5);
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: random.int(1, 30) }, () => random.pick(pieces)).join('');
      const escaped = safeText(text);
      const unescaped = [...escaped.matchAll(/\\[\s\S]|[*_`]/g)].filter((found) => found[0].length === 1);
      expect(unescaped, `${JSON.stringify(text)} → ${JSON.stringify(escaped)}`).toEqual([]);
      expect(renderedLinks(escaped), `${JSON.stringify(text)} → ${JSON.stringify(escaped)}`).toEqual([]);
    }
  });

  it('gives text without unescaped bold markers, dangling escapes or broken characters', () => {
    const random = prng(42);
    for (let n = 0; n < 2000; n++) {
      const escaped = safeText(hostileText(random, random.int(0, 200)));
      expect(unescapedBoldMarkers(escaped), JSON.stringify(escaped)).toBe(0);
      expect(danglingBackslashes(escaped), JSON.stringify(escaped)).toEqual([]);
      expect(LONE_SURROGATE.test(escaped)).toBe(false);
      expect(escaped).not.toMatch(/@(everyone|here)|<@[!&]?\d+>/i);
    }
  });
});

describe('truncate', () => {
  it('returns text that fits unchanged and cuts longer text with an ellipsis', () => {
    expect(truncate('Koalition', 9)).toBe('Koalition');
    expect(truncate('Koalition', 5)).toBe('Koal…');
    expect(truncate('Koalition', 1)).toBe('…');
  });

  it('never exceeds max, not even for max 0', () => {
    expect(truncate('Koalition', 0)).toBe('');
    expect(truncate('', 0)).toBe('');
    const random = prng(3);
    for (let n = 0; n < 300; n++) {
      const text = hostileText(random, random.int(0, 120));
      for (let max = 0; max <= text.length + 1; max++) expect(truncate(text, max).length).toBeLessThanOrEqual(max);
    }
  });

  it('never splits a surrogate pair', () => {
    expect(truncate('😀😀😀', 4)).toBe('😀…');
    expect(truncate('ab😀c', 4)).toBe('ab…');
    const emoji = '😀👍🏽𝔘🇩🇪𠜎'.repeat(20);
    for (let max = 1; max < emoji.length; max++) {
      const cut = truncate(emoji, max);
      expect(LONE_SURROGATE.test(cut), `max ${max}`).toBe(false);
      expect(emoji.startsWith(cut.slice(0, -1))).toBe(true);
    }
  });

  it('never leaves a dangling escape backslash at the cut of escaped text', () => {
    expect(truncate('ab\\*cd', 4)).toBe('ab…');
    expect(truncate('ab\\\\cd', 5)).toBe('ab\\\\…');
    const random = prng(11);
    for (let n = 0; n < 300; n++) {
      const escaped = safeText(hostileText(random, random.int(0, 150)));
      for (let max = 1; max < escaped.length; max++) {
        const cut = truncate(escaped, max);
        const kept = cut.slice(0, -1);
        expect(escaped.startsWith(kept)).toBe(true);
        expect(isTokenBoundary(escaped, kept.length), `${JSON.stringify(escaped)} at ${max}`).toBe(true);
        expect(danglingBackslashes(cut)).toEqual([]);
      }
    }
  });
});

describe('safeText renders no link, in any form Discord links', () => {
  // Each form is a link by Discord's rules as the checker applies them (asserted first, so the
  // checker cannot pass by seeing nothing); after safeText none is, and the text reads as typed.
  it.each([
    ['audit: parentheses in the target', '[text](https://evil.example/a_(b))'],
    ['audit: brackets around the text', '[[text]](https://evil.example/x)'],
    ['audit: a title with parentheses', '[text](https://evil.example/t "title (x)")'],
    ['plain masked link', '[text](https://evil.example/x)'],
    ['angle-bracketed target', '[x](<https://evil.example/a>)'],
    ['angle-bracketed target with a space', '[x](<https://evil.example/a b>)'],
    ['nested brackets in the text', '[a [b] c](https://evil.example/x)'],
    ['escaped bracket in the text', '[x\\]](https://evil.example/x)'],
    ['escaped parenthesis in the target', '[x](https://evil.example/\\))'],
    ['white space around the target', '[x]( https://evil.example/x )'],
    ['line breaks around the target', '[x](\nhttps://evil.example/x\n)'],
    ['upper-case scheme', '[x](HTTPS://EVIL.EXAMPLE/x)'],
    ['title in double quotes', '[x](https://evil.example/x "Titel")'],
    ['title in single quotes', "[x](https://evil.example/x 'Titel')"],
    ['Markdown in the text', '[**fett** _x_](https://evil.example/x)'],
    ['image syntax', '![x](https://evil.example/i.png)'],
    ['opening bracket escaped (escapeMarkdown maskedLink)', '\\[x](https://evil.example/x)'],
    ['discord: scheme', '[x](discord://-/channels/1/2)'],
    ['tel: target', '[Hotline](tel:+4930123456)'],
    ['sms: target', '[x](sms:+4930123456)'],
    ['mailto: target', '[x](mailto:a@evil.example)'],
    ['autolink', '<https://evil.example/x>'],
    ['autolink, other scheme', '<discord://-/channels/1/2>'],
    ['e-mail autolink', '<redaktion@evil.example>'],
    ['phone autolink', '<+49 30 123456>'],
    ['tel autolink', '<tel:+4930123456>'],
    ['bare URL', 'siehe https://evil.example/x jetzt'],
    ['bare http URL', 'http://evil.example'],
    ['bare URL glued to a word', 'xhttps://evil.example/x'],
    ['bare URL in parentheses', '(https://evil.example/wiki/A_(b))'],
    ['bare upper-case URL', 'HTTPS://EVIL.EXAMPLE/x'],
    ['steam: URL', 'steam://run/123'],
    ['Discord message link', 'https://discord.com/channels/1/2/3'],
    ['link after a mention', '@everyone [x](https://evil.example/x)'],
  ])('%s: %s', (_label, text) => {
    expect(renderedLinks(text), 'the form is a link before safeText').not.toEqual([]);
    const escaped = safeText(text);
    expect(renderedLinks(escaped), escaped).toEqual([]);
    if (!text.includes('@')) expect(unescaped(escaped)).toBe(text);
  });

  it('keeps text without links, brackets or angle brackets as it is', () => {
    expect(safeText('Wo traf sich die Koalition der Willigen (in Paris)? Um 10:30 Uhr, 5/9.')).toBe(
      'Wo traf sich die Koalition der Willigen (in Paris)? Um 10:30 Uhr, 5/9.',
    );
  });

  it('renders no link in 2000 generated texts made of link pieces, and they read as typed', () => {
    const pieces = ['[', ']', '(', ')', '<', '>', '\\', ' ', '\n', '"', "'", '!', ':', '/', '//', 'https', 'HTTP', 'steam', 'tel:', 'mailto:', '+49', '@', '.de', 'a', '_', '*'];
    const random = prng(17);
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: random.int(1, 40) }, () => random.pick(pieces)).join('');
      const escaped = safeText(text);
      expect(renderedLinks(escaped), `${JSON.stringify(text)} → ${JSON.stringify(escaped)}`).toEqual([]);
      expect(unescaped(escaped)).toBe(stripInvisible(text));
    }
  });
});

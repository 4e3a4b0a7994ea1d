import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeArticleBytes, parseArticle } from '../../src/articles/parse-article.ts';
import { ErrorCode, isQuelleError, type QuelleError } from '../../src/errors.ts';

const SEED_FILE = '000_844079290e2bd696.txt';
const SEED_PATH = fileURLToPath(new URL(`../../seeds/${SEED_FILE}`, import.meta.url));
const SEED_TITLE = 'Putin bekräftigt Widerstand gegen Präsenz ausländischer Streitkräfte in der Ukraine';

/** The ARTICLE_UNUSABLE error that parsing `text` raises; fails the test when it parses. */
function unusable(file: string, text: string): QuelleError {
  try {
    parseArticle(file, text);
  } catch (error) {
    if (isQuelleError(error, ErrorCode.ArticleUnusable)) return error;
    throw error;
  }
  throw new Error(`expected ${file} to be unusable, but it parsed`);
}

const BODY = 'Der erste Absatz erzählt, was geschah.\n\nDer zweite Absatz erklärt, warum.';

describe('parseArticle: the seed file', () => {
  it('reads date, category, title and the four paragraphs of the real seed', async () => {
    const article = parseArticle(SEED_FILE, await readFile(SEED_PATH, 'utf8'));
    expect(article.id).toBe('000_844079290e2bd696');
    expect(article.file).toBe(SEED_FILE);
    expect(article.date).toBe('2025-09-05');
    expect(article.category).toBe('Politik');
    expect(article.title).toBe(SEED_TITLE);
    expect(article.url).toBeNull();
    expect(article.paragraphs).toHaveLength(4);
    expect(article.paragraphs[0]).toMatch(/^Im Rahmen des Wirtschaftsforums in Wladiwostok/);
    expect(article.paragraphs[1]).toContain('Koalition der Willigen');
    expect(article.paragraphs[0]).not.toContain('Koalition der Willigen');
    expect(article.paragraphs[3]).toMatch(/in Betracht gezogen werden sollten\.$/);
    expect(article.contentHash).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('parseArticle: date line formats', () => {
  it.each([
    ['05. September, 2025', '2025-09-05'],
    ['5. März 2025', '2025-03-05'],
    ['September 5, 2025', '2025-09-05'],
    ['2025-09-05', '2025-09-05'],
    ['05.09.2025', '2025-09-05'],
    ['5. Sept. 2025', '2025-09-05'],
    ['Okt. 12, 2024', '2024-10-12'],
    ['12. Dez 2024', '2024-12-12'],
  ])('takes %j as the date line (%s) and still finds category and title', (line, iso) => {
    const article = parseArticle('a.txt', `${line}\n\nPolitik\n\nDer Titel\n\n${BODY}`);
    expect(article.date).toBe(iso);
    expect(article.category).toBe('Politik');
    expect(article.title).toBe('Der Titel');
    expect(article.paragraphs).toHaveLength(2);
  });

  it.each(['31. Februar 2025', '2025-02-30', '31.04.2025'])(
    'does not take the impossible date %j as a date, nor as the title or a paragraph',
    (line) => {
      const article = parseArticle('a.txt', `${line}\n\nPolitik\n\nDer Titel\n\n${BODY}`);
      expect(article.date).toBeNull();
      expect(article.category).toBe('Politik');
      expect(article.title).toBe('Der Titel');
      expect(article.paragraphs).toEqual(['Der erste Absatz erzählt, was geschah.', 'Der zweite Absatz erklärt, warum.']);
    },
  );
});

describe('parseArticle: optional header lines', () => {
  it('reads an article without a date line', () => {
    const article = parseArticle('a.txt', `Wirtschaft\n\nDer Titel\n\n${BODY}`);
    expect(article.date).toBeNull();
    expect(article.category).toBe('Wirtschaft');
    expect(article.title).toBe('Der Titel');
    expect(article.paragraphs).toHaveLength(2);
  });

  it('takes an unknown short line before the title as the category', () => {
    const article = parseArticle('a.txt', `2025-09-05\n\nKlimapolitik\n\nRegierung beschließt neues Gesetz\n\n${BODY}`);
    expect(article.category).toBe('Klimapolitik');
    expect(article.title).toBe('Regierung beschließt neues Gesetz');
    expect(article.paragraphs).toHaveLength(2);
  });

  it('reads a date, then the title directly followed by the body (no category)', () => {
    const article = parseArticle('a.txt', `05.09.2025\n\n${SEED_TITLE}\n\n${BODY}`);
    expect(article.date).toBe('2025-09-05');
    expect(article.category).toBeNull();
    expect(article.title).toBe(SEED_TITLE);
    expect(article.paragraphs).toEqual(['Der erste Absatz erzählt, was geschah.', 'Der zweite Absatz erklärt, warum.']);
  });

  it('does not mistake a short title for a category when the body follows it', () => {
    const article = parseArticle('a.txt', `05.09.2025\n\nMerz in Paris\n\n${BODY}`);
    expect(article.category).toBeNull();
    expect(article.title).toBe('Merz in Paris');
    expect(article.paragraphs).toEqual(['Der erste Absatz erzählt, was geschah.', 'Der zweite Absatz erklärt, warum.']);
  });

  it('reads a title and body without date and category', () => {
    const article = parseArticle('a.txt', `${SEED_TITLE}\n\n${BODY}`);
    expect(article.date).toBeNull();
    expect(article.category).toBeNull();
    expect(article.title).toBe(SEED_TITLE);
    expect(article.paragraphs).toHaveLength(2);
  });

  it('reads a short title and a single paragraph without date and category', () => {
    const article = parseArticle('a.txt', 'Kurzer Titel\n\nNur ein Absatz.');
    expect(article.category).toBeNull();
    expect(article.title).toBe('Kurzer Titel');
    expect(article.paragraphs).toEqual(['Nur ein Absatz.']);
  });
});

describe('parseArticle: line endings and whitespace', () => {
  const lf = `05. September, 2025\n\nPolitik\n\nDer Titel\n\nErste Zeile\nzweite Zeile.\n\nZweiter Absatz.\n`;

  it('reads CRLF files like LF files', () => {
    const crlf = parseArticle('a.txt', lf.replace(/\n/g, '\r\n'));
    const plain = parseArticle('a.txt', lf);
    expect(crlf.title).toBe('Der Titel');
    expect(crlf.paragraphs).toEqual(['Erste Zeile zweite Zeile.', 'Zweiter Absatz.']);
    expect(crlf).toEqual(plain);
  });

  it('strips a byte order mark so that the date line is still recognised', () => {
    const article = parseArticle('a.txt', `\uFEFF${lf}`);
    expect(article.date).toBe('2025-09-05');
    expect(article.title).toBe('Der Titel');
    expect(article.contentHash).toBe(parseArticle('a.txt', lf).contentHash);
  });

  it('strips a byte order mark before YAML front matter', () => {
    const article = parseArticle('a.md', '\uFEFF---\ntitle: Der Titel\ndate: 2025-09-05\n---\nEins.');
    expect(article.title).toBe('Der Titel');
    expect(article.date).toBe('2025-09-05');
    expect(article.paragraphs).toEqual(['Eins.']);
  });

  it('keeps the items of a list paragraph on separate lines, without their trailing blanks', () => {
    const article = parseArticle('a.md', '# Der Titel\n\nVorher.\n\n- Erstens  \n- Zweitens\t\n1. Drittens \n\nNachher.');
    expect(article.paragraphs).toEqual(['Vorher.', '- Erstens\n- Zweitens\n1. Drittens', 'Nachher.']);
  });

  it('ignores trailing spaces and tabs, including on the blank separator lines', () => {
    const messy = '05.09.2025 \t\n \t\nPolitik  \n\t\nDer Titel\t \n   \nErste Zeile  \nzweite Zeile.\t\n\nZweiter Absatz. \n';
    const article = parseArticle('a.txt', messy);
    expect(article.date).toBe('2025-09-05');
    expect(article.category).toBe('Politik');
    expect(article.title).toBe('Der Titel');
    expect(article.paragraphs).toEqual(['Erste Zeile zweite Zeile.', 'Zweiter Absatz.']);
  });

  it('joins the lines of a multi-line paragraph with single spaces', () => {
    const article = parseArticle('a.txt', 'Politik\n\nDer Titel\n\nDiese Zeile\nwird mit\n   dieser verbunden.\n\nZweiter Absatz.');
    expect(article.paragraphs[0]).toBe('Diese Zeile wird mit dieser verbunden.');
    expect(article.paragraphs).toHaveLength(2);
  });

  it('numbers paragraphs in file order, the first body block being paragraph 1', () => {
    const article = parseArticle('a.txt', 'Politik\n\nDer Titel\n\nEins.\n\nZwei.\n\nDrei.');
    expect(article.paragraphs).toEqual(['Eins.', 'Zwei.', 'Drei.']);
  });
});

describe('parseArticle: Markdown', () => {
  it('takes a `# Title` as the title and strips the marker', () => {
    const article = parseArticle('a.md', `# Der Titel\n\n${BODY}`);
    expect(article.title).toBe('Der Titel');
    expect(article.date).toBeNull();
    expect(article.category).toBeNull();
    expect(article.paragraphs).toHaveLength(2);
  });

  it('reads date and category lines before a `# Title`', () => {
    const article = parseArticle('a.md', `2025-09-05\n\nPolitik\n\n# Der Titel\n\n${BODY}`);
    expect(article.date).toBe('2025-09-05');
    expect(article.category).toBe('Politik');
    expect(article.title).toBe('Der Titel');
    expect(article.paragraphs).toHaveLength(2);
  });

  it('reads a date line alone before a `# Title`', () => {
    const article = parseArticle('a.md', `5. März 2025\n\n# Der Titel\n\n${BODY}`);
    expect(article.date).toBe('2025-03-05');
    expect(article.category).toBeNull();
    expect(article.title).toBe('Der Titel');
  });

  it('does not count `##` sub-headings as paragraphs', () => {
    const article = parseArticle('a.md', '# Der Titel\n\nEins.\n\n## Hintergrund\n\nZwei.\n\n### Details\n\nDrei.');
    expect(article.paragraphs).toEqual(['Eins.', 'Zwei.', 'Drei.']);
  });

  it('strips bold, italics, links, images and inline code from title and paragraphs', () => {
    const article = parseArticle(
      'a.md',
      '# Der **neue** Titel\n\nEin **fetter** und *kursiver* Text mit [Link](https://example.org/x) und `code` sowie ![Bild](b.png).',
    );
    expect(article.title).toBe('Der neue Titel');
    expect(article.paragraphs).toEqual(['Ein fetter und kursiver Text mit Link und code sowie Bild.']);
  });

  it('does not take a section heading after a body paragraph as the title', () => {
    const article = parseArticle('a.txt', 'Titel des Artikels\n\nErster Absatz hier.\n\n# Abschnitt\n\nMehr Text.');
    expect(article.title).toBe('Titel des Artikels');
    expect(article.category).toBeNull();
    expect(article.paragraphs).toEqual(['Erster Absatz hier.', 'Mehr Text.']);
  });
});

describe('parseArticle: YAML front matter', () => {
  it('reads title, date, category and url from front matter', () => {
    const article = parseArticle(
      'a.md',
      '---\ntitle: "Der Titel"\ndate: "05.09.2025"\ncategory: Politik\nurl: https://example.org/artikel/1\n---\n\nEins.\n\nZwei.',
    );
    expect(article.title).toBe('Der Titel');
    expect(article.date).toBe('2025-09-05');
    expect(article.category).toBe('Politik');
    expect(article.url).toBe('https://example.org/artikel/1');
    expect(article.paragraphs).toEqual(['Eins.', 'Zwei.']);
  });

  it('reads an unquoted YAML date value', () => {
    const article = parseArticle('a.md', '---\ntitle: Der Titel\ndate: 2025-09-05\n---\nEins.');
    expect(article.date).toBe('2025-09-05');
  });

  it('reads a German date written in front matter', () => {
    const article = parseArticle('a.md', '---\ntitle: Der Titel\ndate: 5. März 2025\n---\nEins.');
    expect(article.date).toBe('2025-03-05');
  });

  it('dates a YAML timestamp by its day as written, without shifting it to UTC', () => {
    const article = parseArticle('a.md', '---\ntitle: Der Titel\ndate: 2025-09-05T23:30:00+02:00\n---\nEins.');
    expect(article.date).toBe('2025-09-05');
  });

  it('leaves the date empty when the front matter date is not a date', () => {
    const article = parseArticle('a.md', '---\ntitle: Der Titel\ndate: gestern\n---\nEins.');
    expect(article.date).toBeNull();
    expect(article.title).toBe('Der Titel');
  });

  it('takes the title from the body when front matter has none', () => {
    const article = parseArticle('a.md', '---\nurl: https://example.org/a\n---\n# Der Titel\n\nEins.');
    expect(article.title).toBe('Der Titel');
    expect(article.url).toBe('https://example.org/a');
    expect(article.paragraphs).toEqual(['Eins.']);
  });

  it('does not turn a category line repeated under front matter into the title', () => {
    const article = parseArticle('a.md', '---\ncategory: Politik\n---\nPolitik\n\nDer Titel\n\nEins.');
    expect(article.category).toBe('Politik');
    expect(article.title).toBe('Der Titel');
    expect(article.paragraphs).toEqual(['Eins.']);
  });

  it.each([
    ['an unclosed flow sequence', '---\ntitle: [kaputt\n---\nEins.'],
    ['a mapping value in a plain scalar', '---\ntitle: a: b: c\n---\nEins.'],
  ])('rejects front matter with invalid YAML (%s) as ARTICLE_UNUSABLE', (_label, text) => {
    const error = unusable('kaputt.md', text);
    expect(error.code).toBe('ARTICLE_UNUSABLE');
    expect(error.message).toMatch(/^kaputt\.md: invalid YAML front matter/);
  });
});

describe('parseArticle: identity and hashing', () => {
  it('uses the file name without extension as the id', () => {
    expect(parseArticle('artikel-42.md', `# T\n\n${BODY}`).id).toBe('artikel-42');
    expect(parseArticle('bericht.v2.txt', `# T\n\n${BODY}`).id).toBe('bericht.v2');
  });

  it('changes the content hash when a paragraph changes', () => {
    const before = parseArticle('a.txt', `Der Titel\n\n${BODY}`);
    const after = parseArticle('a.txt', `Der Titel\n\n${BODY.replace('warum', 'wieso')}`);
    expect(after.contentHash).not.toBe(before.contentHash);
  });

  it('changes the content hash when the title, date or category changes', () => {
    const base = parseArticle('a.txt', `2025-09-05\n\nPolitik\n\nDer Titel\n\n${BODY}`).contentHash;
    expect(parseArticle('a.txt', `2025-09-06\n\nPolitik\n\nDer Titel\n\n${BODY}`).contentHash).not.toBe(base);
    expect(parseArticle('a.txt', `2025-09-05\n\nSport\n\nDer Titel\n\n${BODY}`).contentHash).not.toBe(base);
    expect(parseArticle('a.txt', `2025-09-05\n\nPolitik\n\nDer neue Titel\n\n${BODY}`).contentHash).not.toBe(base);
  });

  it('keeps the content hash for CRLF, BOM and trailing-space variants of the same text', async () => {
    const text = await readFile(SEED_PATH, 'utf8');
    const hash = parseArticle(SEED_FILE, text).contentHash;
    expect(parseArticle(SEED_FILE, text.replace(/\n/g, '\r\n')).contentHash).toBe(hash);
    expect(parseArticle(SEED_FILE, `\uFEFF${text}`).contentHash).toBe(hash);
    expect(parseArticle(SEED_FILE, text.replace(/\n/g, '  \n')).contentHash).toBe(hash);
  });
});

describe('parseArticle: unusable text', () => {
  it('rejects a text of only blank lines', () => {
    expect(unusable('leer.txt', '\n  \n\t\n\r\n').message).toBe('leer.txt: empty file (only blank lines)');
  });

  it.each([
    ['date, category and title', '05.09.2025\n\nPolitik\n\nDer Titel\n'],
    ['category and title', 'Politik\n\nDer Titel'],
    ['a title only', 'Der Titel'],
    ['a Markdown title only', '2025-09-05\n\n# Der Titel\n\n## Abschnitt'],
  ])('rejects a header without body (%s)', (_label, text) => {
    expect(unusable('kopf.txt', text).message).toBe('kopf.txt: no body paragraphs after the title');
  });

  it('rejects text full of control characters as binary', () => {
    expect(unusable('bin.txt', 'Titel\n\n' + '\x01\x02\x03abc'.repeat(50)).message).toMatch(/^bin\.txt: binary file/);
  });
});

describe('decodeArticleBytes: encodings', () => {
  const TEXT = `05. September, 2025\n\nPolitik\n\n${SEED_TITLE}\n\nDer Präsident äußerte sich „deutlich“ – 5 € für Straßen. 😀\n`;
  const utf16le = (text: string): Buffer => Buffer.from(text, 'utf16le');
  const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
  const BOM_LE = [0xff, 0xfe];
  const BOM_BE = [0xfe, 0xff];

  /** The ARTICLE_UNUSABLE message that decoding raises; fails the test when it decodes. */
  function decodeError(file: string, bytes: Uint8Array): string {
    try {
      decodeArticleBytes(file, bytes);
    } catch (error) {
      if (isQuelleError(error, ErrorCode.ArticleUnusable)) return error.message;
      throw error;
    }
    throw new Error(`expected ${file} to be refused, but it decoded`);
  }

  it.each([
    ['UTF-8', Buffer.from(TEXT)],
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)])],
    ['UTF-16 LE with a BOM', Buffer.concat([Buffer.from(BOM_LE), utf16le(TEXT)])],
    ['UTF-16 BE with a BOM', Buffer.concat([Buffer.from(BOM_BE), utf16be(TEXT)])],
    ['UTF-16 LE without a BOM', utf16le(TEXT)],
    ['UTF-16 BE without a BOM', utf16be(TEXT)],
  ])('decodes %s to the same text, without the BOM', (_label, bytes) => {
    expect(decodeArticleBytes('a.txt', bytes)).toBe(TEXT);
    expect(parseArticle('a.txt', decodeArticleBytes('a.txt', bytes)).paragraphs).toEqual(['Der Präsident äußerte sich „deutlich“ – 5 € für Straßen. 😀']);
  });

  it.each([
    ['a PNG header', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52])],
    ['little-endian integers with zeros on both sides', Uint8Array.from({ length: 4096 }, (_, i) => (i % 4 === 1 || i % 4 === 2 ? 0 : 0x41 + (i % 26)))],
    ['random bytes with zeros', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 7 === 0 ? 0 : (i * 40503) & 0xff)],
  ])('still refuses a binary file: %s', (_label, bytes) => {
    expect(decodeError('bin.txt', bytes)).toMatch(/^bin\.txt: binary file/);
  });

  it('refuses broken UTF-16 (an odd byte count, a lone surrogate) and UTF-32, saying to save it as UTF-8', () => {
    expect(decodeError('odd.txt', Buffer.concat([Buffer.from(BOM_LE), utf16le('Titel\n\nText.'), Buffer.from([0x41])]))).toBe(
      'odd.txt: not valid UTF-16 text (little endian); save it as UTF-8',
    );
    expect(decodeError('lone.txt', Buffer.concat([Buffer.from(BOM_BE), utf16be('Titel\n\nText.'), Buffer.from([0xd8, 0x00, 0x00, 0x41])]))).toBe(
      'lone.txt: not valid UTF-16 text (big endian); save it as UTF-8',
    );
    expect(decodeError('u32.txt', Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]))).toBe('u32.txt: UTF-32 text; save it as UTF-8');
  });
});

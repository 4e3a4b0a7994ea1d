import { describe, expect, it } from 'vitest';
import type { Passage } from '../../src/articles/article.ts';
import { buildAnswerEmbed, EMBED_COLOR, fitExcerpt, formatDate } from '../../src/bot/answer-embed.ts';
import { EMBED_LIMITS, embedLength } from '../../src/bot/embed-limits.ts';
import { messagesFor, type Language } from '../../src/bot/messages.ts';
import { safeText } from '../../src/bot/safe-text.ts';
import type { Excerpt } from '../../src/retrieval/excerpt.ts';
import { renderedLinks } from '../helpers/discord-links.ts';
import type { SearchHit, SearchMode, SearchResponse } from '../../src/retrieval/retriever.ts';
import {
  danglingBackslashes,
  hostileText,
  isTokenBoundary,
  LONE_SURROGATE,
  prng,
  someLength,
  type Random,
  unescapedBoldMarkers,
} from './generate.ts';

function passage(overrides: Partial<Passage> = {}): Passage {
  return {
    id: 'a#2',
    articleId: 'a',
    title: 'Putin bekräftigt Widerstand',
    date: '2025-09-05',
    category: 'Politik',
    url: null,
    paragraph: 2,
    part: 1,
    parts: 1,
    text: 'unused',
    hash: 'h',
    ...overrides,
  };
}
function hit(rank: number, overrides: Partial<Passage> = {}, excerpt?: Excerpt): SearchHit {
  return {
    rank,
    score: 1 / rank,
    passage: passage(overrides),
    excerpt: excerpt ?? { before: 'Vorher kam dies. ', match: 'Die Koalition der Willigen traf sich in Paris.', after: ' Danach gab es Kaffee.' },
    lexicalScore: 2,
    denseScore: null,
    denseZ: null,
    relevant: true,
    missingSpecifics: [],
    alsoParagraphs: [],
  };
}

function response(hits: SearchHit[], overrides: Partial<SearchResponse> = {}): SearchResponse {
  return { hits, declined: !hits.some((h) => h.relevant), mode: 'hybrid', notice: null, tookMs: 41.6, ...overrides };
}

describe('embedLength', () => {
  it('counts title, description, footer, author and every field name and value', () => {
    expect(embedLength({})).toBe(0);
    expect(
      embedLength({
        title: 'ab',
        description: 'cde',
        footer: { text: 'f' },
        author: { name: 'gh' },
        fields: [
          { name: 'i', value: 'jk' },
          { name: 'l', value: 'm' },
        ],
        color: 123456,
      }),
    ).toBe(13);
  });
});

describe('formatDate', () => {
  it('writes the date the way each language does', () => {
    expect(formatDate('2025-09-05', 'de')).toBe('5. September 2025');
    expect(formatDate('2025-09-05', 'en')).toBe('5 September 2025');
    expect(formatDate('2025-03-01', 'de')).toBe('1. März 2025');
    // UTC throughout: the last day of a year stays in that year whatever the machine's zone.
    expect(formatDate('2024-12-31', 'en')).toBe('31 December 2024');
  });

  it('gives null for no date and the text itself for one it cannot read', () => {
    expect(formatDate(null, 'de')).toBeNull();
    expect(formatDate('irgendwann', 'en')).toBe('irgendwann');
  });
});

describe('buildAnswerEmbed: the normal case', () => {
  const question = 'Wo traf sich die Koalition der Willigen?';

  it('cites title, German date, category and paragraph, with the match in bold', () => {
    const embed = buildAnswerEmbed(question, response([hit(1)]), 'de', messagesFor('de'));
    expect(embed.title).toBe(`Frage: ${question}`);
    expect(embed.color).toBe(EMBED_COLOR);
    expect(embed.description).toBeUndefined();
    expect(embed.fields).toEqual([
      {
        name: '1. Putin bekräftigt Widerstand',
        value: '*5. September 2025 · Politik · ¶ 2*\nVorher kam dies. **Die Koalition der Willigen traf sich in Paris.** Danach gab es Kaffee.',
      },
    ]);
  });

  it('writes the date in English for English users and leaves out what a passage lacks', () => {
    const embed = buildAnswerEmbed(question, response([hit(1), hit(2, { date: null, category: null, paragraph: 7 })]), 'en', messagesFor('en'));
    expect(embed.title).toBe(`Question: ${question}`);
    expect(embed.fields![0]!.value).toMatch(/^\*5 September 2025 · Politik · ¶ 2\*\n/);
    expect(embed.fields![1]!.value).toMatch(/^\*¶ 7\*\n/);
    expect(embed.fields!.map((field) => field.name)).toEqual(['1. Putin bekräftigt Widerstand', '2. Putin bekräftigt Widerstand']);
  });

  it('escapes Markdown and defuses mentions in question, title, category and excerpt', () => {
    const embed = buildAnswerEmbed(
      '**laut** @everyone?',
      response([hit(1, { title: '__Titel__ <@123456789012345678>', category: '*Pol*' }, { before: '', match: '~~weg~~ @here', after: '' })]),
      'de',
      messagesFor('de'),
    );
    expect(embed.title).toBe('Frage: \\*\\*laut\\*\\* @\u2024everyone?');
    expect(embed.fields![0]!.name).toBe('1. \\_\\_Titel\\_\\_ \\<@\u2024123456789012345678>');
    expect(embed.fields![0]!.value).toBe('*5. September 2025 · \\*Pol\\* · ¶ 2*\n**\\~\\~weg\\~\\~ @\u2024here**');
  });

  it('says that nothing relevant was found, in the user’s language, when there are no hits', () => {
    const de = buildAnswerEmbed(question, response([]), 'de', messagesFor('de'));
    expect(de.description).toBe(messagesFor('de').nothingRelevant);
    expect(de.description).toContain('nichts Passendes');
    expect(de.fields).toBeUndefined();
    const en = buildAnswerEmbed(question, response([]), 'en', messagesFor('en'));
    expect(en.description).toBe(messagesFor('en').nothingRelevant);
    expect(en.description).toContain('nothing relevant');
    expect(en.title).toBe(`Question: ${question}`);
  });

  it('leaves out passages judged not relevant, and says nothing relevant when none is', () => {
    const noise = { ...hit(1, { title: 'Rauschen' }), relevant: false };
    const mixed = buildAnswerEmbed(question, response([noise, hit(2, { title: 'Treffer' })]), 'de', messagesFor('de'));
    expect(mixed.fields!.map((field) => field.name)).toEqual(['1. Treffer']);
    const declined = buildAnswerEmbed(question, response([noise]), 'de', messagesFor('de'));
    expect(declined.fields).toBeUndefined();
    expect(declined.description).toBe(messagesFor('de').nothingRelevant);
  });

  it('shows the search mode and the rounded time in the footer, and the lexical notice when there is one', () => {
    expect(buildAnswerEmbed(question, response([hit(1)]), 'de', messagesFor('de')).footer).toEqual({ text: 'Suche: hybrid · 42 ms' });
    expect(buildAnswerEmbed(question, response([]), 'en', messagesFor('en')).footer).toEqual({ text: 'Search: hybrid · 42 ms' });
    const lexical = response([hit(1)], { mode: 'lexical', tookMs: 7.2, notice: 'Answering in lexical mode: no embedding model is loaded.' });
    expect(buildAnswerEmbed(question, lexical, 'de', messagesFor('de')).footer!.text).toBe(
      'Suche: Wortsuche · 7 ms · Nur Wortsuche (kein Sprachmodell geladen).',
    );
    expect(buildAnswerEmbed(question, { ...lexical, hits: [] }, 'en', messagesFor('en')).footer!.text).toBe(
      'Search: lexical · 7 ms · Word search only (no language model loaded).',
    );
  });
});

/** Checks shared by every piece of text the embed shows. */
function expectCleanText(text: string, where: string): void {
  expect(LONE_SURROGATE.test(text), `${where} has a lone surrogate: ${JSON.stringify(text.slice(0, 80))}`).toBe(false);
  expect(danglingBackslashes(text), `${where} has a dangling backslash`).toEqual([]);
  // Cutting and joining the escaped parts (title, match in bold, context) must not make a link either.
  expect(renderedLinks(text), `${where} renders a link`).toEqual([]);
}

function hostileExcerpt(random: Random, max: number): Excerpt {
  const before = hostileText(random, someLength(random, max));
  const after = hostileText(random, someLength(random, max));
  return {
    before: random.chance(0.5) ? `${before} ` : before,
    match: hostileText(random, someLength(random, max)),
    after: random.chance(0.5) ? ` ${after}` : after,
  };
}

function hostileResponse(random: Random): SearchResponse {
  const hits = Array.from({ length: random.int(1, 5) }, (_, i) =>
    hit(
      i + 1,
      {
        title: hostileText(random, someLength(random, 10_000)),
        category: random.chance(0.2) ? null : hostileText(random, someLength(random, 3000), { newlines: false }),
        date: random.pick([null, '2025-09-05', '1999-12-31']),
        paragraph: random.int(1, 10_000),
      },
      hostileExcerpt(random, 8000),
    ),
  );
  return response(hits, {
    mode: random.pick<SearchMode>(['hybrid', 'dense', 'lexical']),
    notice: random.chance(0.5) ? 'Answering in lexical mode: no model.' : null,
    tookMs: random.next() * 1e9,
  });
}

describe('buildAnswerEmbed: Discord’s limits hold by construction', () => {
  const CASES = 250;

  it(`keeps every limit, balanced bold, whole characters and escapes in ${CASES} hostile answers`, () => {
    const random = prng(20250905);
    for (let n = 0; n < CASES; n++) {
      const language = random.pick<Language>(['de', 'en']);
      const question = random.chance(0.5) ? hostileText(random, 300) : '*'.repeat(300);
      const res = hostileResponse(random);
      const embed = buildAnswerEmbed(question, res, language, messagesFor(language));
      const context = `case ${n}`;

      expect(embed.title!.length, context).toBeLessThanOrEqual(EMBED_LIMITS.title);
      expect(embed.footer!.text.length, context).toBeLessThanOrEqual(EMBED_LIMITS.footer);
      expect(embedLength(embed), context).toBeLessThanOrEqual(EMBED_LIMITS.total);
      expect(embed.fields!.length, context).toBe(res.hits.length);
      expect(embed.fields!.length, context).toBeLessThanOrEqual(EMBED_LIMITS.fields);
      expectCleanText(embed.title!, `${context} title`);
      expect(embed.footer!.text, context).toMatch(/ · \d+ ms/);

      for (const [i, field] of embed.fields!.entries()) {
        const where = `${context} field ${i}`;
        expect(field.name.length, where).toBeLessThanOrEqual(EMBED_LIMITS.fieldName);
        expect(field.value.length, where).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
        expect(field.name, where).toMatch(new RegExp(`^${i + 1}\\. `));
        expectCleanText(field.name, `${where} name`);
        expectCleanText(field.value, `${where} value`);
        expect(unescapedBoldMarkers(field.value) % 2, `${where}: bold markers unbalanced`).toBe(0);
        // The citation line is one italic span, closed even when it had to be cut.
        const header = field.value.slice(0, field.value.indexOf('\n'));
        expect(header, where).toMatch(/^\*[\s\S]*\*$/);
        // However long the category, the citation keeps its date and paragraph.
        expect(header.endsWith(`¶ ${res.hits[i]!.passage.paragraph}*`), where).toBe(true);
        const date = formatDate(res.hits[i]!.passage.date, language);
        if (date) expect(header.startsWith(`*${date} · `), where).toBe(true);
      }
    }
  });

  it('still fits five hits whose every part is at its maximum', () => {
    // 3000 characters without a space: escapeMarkdown is quadratic on such text, so not more.
    const huge = (piece: string): string => piece.repeat(Math.ceil(3000 / piece.length)).slice(0, 3000);
    const hits = Array.from({ length: 5 }, (_, i) =>
      hit(i + 1, { title: huge('*_😀'), category: huge('\\~'), paragraph: 99_999 }, { before: huge('😀\\'), match: huge('**'), after: huge('`|') }),
    );
    const embed = buildAnswerEmbed(huge('*'), response(hits, { tookMs: 1e12, notice: 'x' }), 'de', messagesFor('de'));
    expect(embedLength(embed)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    for (const field of embed.fields!) {
      expect(field.name.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldName);
      expect(field.value.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
      expect(unescapedBoldMarkers(field.value) % 2).toBe(0);
      expectCleanText(field.value, 'value');
    }
  });
});

describe('fitExcerpt', () => {
  const excerpt: Excerpt = { before: 'Erst regnete es lange. ', match: 'Dann traf sich die Koalition in Paris.', after: ' Danach gab es Kaffee und Kuchen.' };

  it('keeps the whole excerpt, match in bold, when it fits', () => {
    expect(fitExcerpt(excerpt, 1000)).toBe('Erst regnete es lange. **Dann traf sich die Koalition in Paris.** Danach gab es Kaffee und Kuchen.');
  });

  it('cuts the text after the match first, then the text before it from its start, the match last', () => {
    const full = fitExcerpt(excerpt, 1000).length;
    const noAfterEnd = fitExcerpt(excerpt, full - 5);
    expect(noAfterEnd).toMatch(/^Erst regnete es lange\. \*\*Dann traf sich die Koalition in Paris\.\*\* Danach gab es .*…$/);
    const before = 'Am Morgen war es noch trocken, dann regnete es lange.';
    const bold = `**${excerpt.match}**`;
    // Room for 30 characters before the match: an ellipsis and the last 29.
    const startCut = fitExcerpt({ ...excerpt, before: `${before} `, after: '' }, bold.length + 1 + 30);
    expect(startCut).toBe(`…${before.slice(-29)} ${bold}`);
    // Less than 21 characters of room: the text before the match goes whole.
    expect(fitExcerpt({ ...excerpt, before: `${before} `, after: '' }, bold.length + 20)).toBe(bold);
    // The match itself is cut last: 30 characters hold the bold markers and 26 of it.
    expect(fitExcerpt(excerpt, 30)).toBe('**Dann traf sich die Koalit…**');
  });

  it('never exceeds max, never splits a character or an escape, for every max from 5 up', () => {
    const random = prng(7);
    for (let n = 0; n < 40; n++) {
      const source = hostileExcerpt(random, 300);
      const before = safeText(source.before);
      const after = safeText(source.after);
      const full = fitExcerpt(source, 100_000).length;
      for (let max = 5; max <= full + 1; max++) {
        const out = fitExcerpt(source, max);
        const where = `case ${n}, max ${max}: ${JSON.stringify(out)}`;
        expect(out.length, where).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(out), where).toBe(false);
        expect(danglingBackslashes(out), where).toEqual([]);
        expect(unescapedBoldMarkers(out) % 2, where).toBe(0);
        // Where the text before the match was cut from its start, the cut is at a boundary.
        if (out.startsWith('…') && !out.startsWith(before)) {
          for (let k = 1; k <= before.length; k++) {
            const kept = before.slice(k);
            if (out.startsWith(`…${kept}`) && /^ ?\*\*/.test(out.slice(1 + kept.length))) {
              expect(isTokenBoundary(before, k), `${where}: before cut inside a character or escape at ${k}`).toBe(true);
              break;
            }
          }
        }
        // Where the text after the match was cut from its end, the cut is at a boundary.
        if (after && out.endsWith('…') && !out.endsWith(after)) {
          for (let j = after.length - 1; j >= 0; j--) {
            if (out.endsWith(`**${after.slice(0, j)}…`) || out.endsWith(`** ${after.slice(0, j)}…`)) {
              expect(isTokenBoundary(after, j), `${where}: after cut inside a character or escape at ${j}`).toBe(true);
              break;
            }
          }
        }
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { embedLength, EMBED_LIMITS } from '../../src/bot/embed-limits.ts';
import { buildInsightsEmbed } from '../../src/bot/insights-embed.ts';
import { messagesFor } from '../../src/bot/messages.ts';
import type { Insights, InsightsWindow } from '../../src/community/insights.ts';
import { renderedLinks } from '../helpers/discord-links.ts';

const NOW = Date.UTC(2026, 10, 30, 12);
const HOSTILE = '@everyone <@&123456789012345678> [klick](https://evil.example) **fett** https://evil.example/x';

function window(days: number, size: number): InsightsWindow {
  const question = (i: number) => `${HOSTILE} Frage ${i} ${'lang '.repeat(55)}`;
  return {
    days,
    since: NOW - days * 86_400_000,
    questions: 10_000,
    declined: 1234,
    declinedRate: 0.1234,
    votes: 300,
    helpful: 210,
    helpfulRate: 0.7,
    coverageGaps: Array.from({ length: size }, (_, i) => ({ label: question(i), count: size - i, examples: [question(i), `${question(i)} anders`, 'dritte'], lastAskedAt: NOW, terms: [] })),
    declinedGrouped: 1234,
    mostCited: Array.from({ length: size }, (_, i) => ({ articleId: `artikel_${i}`, title: `${HOSTILE} Titel ${i}`, answers: 100 - i })),
    recentUnhelpful: Array.from({ length: size }, (_, i) => ({
      answerId: `a${i}`,
      createdAt: NOW,
      question: i % 2 === 0 ? question(i) : null,
      declined: i % 3 === 0,
      down: 2,
      up: 1,
      lastVotedAt: NOW,
      cited: [1, 2, 3].map((paragraph) => ({ rank: paragraph, articleId: 'x', paragraph, title: HOSTILE, score: 1, paragraphHash: null })),
    })),
  };
}

const insights = (size: number, textKeptDays = 30): Insights => ({ generatedAt: NOW, guildId: '1', textKeptDays, windows: [window(7, size), window(30, size)] });

describe('/insights embed', () => {
  it('stays within Discord’s limits with 10,000 questions and long, many entries', () => {
    const embed = buildInsightsEmbed(insights(50), messagesFor('de'));
    expect(embedLength(embed)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(embed.fields!.length).toBe(8);
    for (const field of embed.fields!) {
      expect(field.value.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
      expect(field.value.length).toBeGreaterThan(0);
    }
    expect(embed.fields![0]!.value).toBe('**10000** Fragen, 1234 ohne Antwort (12,3 %)\nHilfreich: **70,0 %** (210 von 300 Stimmen)');
  });

  it('shows quoted questions and titles as text: no pings, no links, no Markdown', () => {
    const embed = buildInsightsEmbed(insights(3), messagesFor('en'));
    const text = embed.fields!.map((field) => field.value).join('\n');
    expect(renderedLinks(text)).toEqual([]);
    expect(text).not.toMatch(/@everyone|<@&\d/);
    expect(text).toContain('\\*\\*fett\\*\\*');
    // The gaps keep their counts, largest first, with other wordings as examples.
    const gaps = embed.fields!.find((field) => field.name.startsWith('Coverage gaps'))!.value.split('\n');
    expect(gaps[0]).toMatch(/^\*\*3×\*\* “/);
    expect(gaps[0]).toContain(' — also: “');
    expect(embed.fields!.find((field) => field.name === 'Recent 👎, 7 d')!.value).toContain('(question not kept)');
  });

  it('says when question text covers only part of a window, and when no text is kept', () => {
    const embed = buildInsightsEmbed(insights(0, 7), messagesFor('en'));
    expect(embed.fields!.map((field) => field.name)).toContain('Coverage gaps (declined, by wording), 30 d (text of the last 7 d only)');
    expect(embed.fields!.find((field) => field.name === 'Most cited, 7 d')!.value).toBe('none');
    expect(buildInsightsEmbed(insights(0, 0), messagesFor('en')).description).toBe('No question text is kept (QUELLE_LOG_DAYS=0), only counts.');
  });
});

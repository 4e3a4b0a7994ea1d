/**
 * /stats in each language: every label and the search mode's name are in the user's language
 * (the newcomer audit found "Suchmodus lexical" and "Median Antwortzeit" in German), and the
 * model id, which comes from the index's manifest file, is shown as text.
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import { describe, expect, it, vi } from 'vitest';
import type { CommandContext } from '../../src/bot/command.ts';
import { statsCommand } from '../../src/bot/commands/stats.ts';
import { messagesFor, type Language } from '../../src/bot/messages.ts';
import type { FeedStatus } from '../../src/ingest/feeds/feed-status.ts';
import type { DenseRelevanceReport } from '../../src/retrieval/retriever.ts';
import { renderedLinks, unescaped } from '../helpers/discord-links.ts';

const CALIBRATED: DenseRelevanceReport = { vouches: true, source: 'calibration', threshold: 0.8354, englishThreshold: 0.8011, unit: 0.021 };

async function stats(
  language: Language,
  options: { configMode: 'hybrid' | 'dense' | 'lexical'; denseProblem: string | null; modelId: string | null; denseRelevance?: DenseRelevanceReport; feeds?: FeedStatus[] },
) {
  // /stats against a service whose index was built with `modelId`, answering in `mode`.
  const reply = vi.fn((_payload: unknown) => Promise.resolve({}));
  const manifest = { counts: { articles: 3, passages: 12 }, model: options.modelId ? { id: options.modelId } : null, createdAt: '2025-09-05T10:00:00Z' };
  const service = {
    current: { index: { manifest }, denseUnavailableReason: () => options.denseProblem, denseRelevance: () => options.denseRelevance ?? CALIBRATED },
    lastReindexRecord: null,
    startedAt: new Date(Date.now() - 90 * 60_000),
    unavailableReason: null,
  };
  const feeds = options.feeds ? { status: () => options.feeds! } : null;
  const counts = { questions: 7, declined: 1, helpful: 3, unhelpful: 1, latencyMsTotal: 300, helpfulRate: 0.75 };
  const community = { log: { stats: () => Promise.resolve({ all: { ...counts, questions: 9 }, server: counts, medianMs: 41.6, lastReindex: null }) } };
  const context = { service, config: { mode: options.configMode }, language, messages: messagesFor(language), feeds, community } as unknown as CommandContext;
  await statsCommand.execute({ reply, guildId: '100000000000000001' } as unknown as ChatInputCommandInteraction, context);
  const payload = reply.mock.calls[0]![0] as { embeds: { title: string; fields: { name: string; value: string }[] }[] };
  return Object.fromEntries(payload.embeds[0]!.fields.map((field) => [field.name, field.value]));
}

describe('/stats', () => {
  it('names the mode and the median answer time in German for German users', async () => {
    const fields = await stats('de', { configMode: 'hybrid', denseProblem: 'kein Modell', modelId: null });
    expect(fields.Suchmodus).toBe('Wortsuche');
    expect(fields['Antwortzeit (Median)']).toBe('42 ms');
    expect(fields['Beantwortete Fragen']).toBe('7 (alle Server: 9)');
    expect(fields.Hilfreich).toBe('75,0 % von 4 Stimmen');
    expect(fields.Modell).toBe('keins (Wortsuche)');
    expect(Object.keys(fields)).not.toContain('Median Antwortzeit');
  });

  it('keeps the configured mode names in English', async () => {
    expect((await stats('en', { configMode: 'hybrid', denseProblem: null, modelId: 'Xenova/multilingual-e5-small' }))['Search mode']).toBe('hybrid');
    expect((await stats('en', { configMode: 'hybrid', denseProblem: 'no model', modelId: null }))['Search mode']).toBe('lexical');
    expect((await stats('de', { configMode: 'dense', denseProblem: null, modelId: 'm' })).Suchmodus).toBe('Bedeutungssuche');
  });

  it('shows a model id from the manifest as text: no Markdown, no link', async () => {
    const modelId = '**x** [klick](https://evil.example/a_(b)) https://evil.example';
    const fields = await stats('en', { configMode: 'hybrid', denseProblem: null, modelId });
    expect(renderedLinks(fields.Model!)).toEqual([]);
    expect(unescaped(fields.Model!)).toBe(modelId);
  });

  it('reports the news feeds: how many, articles saved, and what failed, as text', async () => {
    const feed = (url: string, failures: number, lastError: string | null, saved: number): FeedStatus => ({ url, failures, lastError, saved, lastPollAt: null, lastSuccessAt: null, nextPollAt: null });
    const fields = await stats('en', {
      configMode: 'lexical',
      denseProblem: null,
      modelId: null,
      feeds: [feed('https://a.example/feed', 0, null, 20), feed('https://b.example/feed', 2, 'https://b.example/feed answered HTTP 500', 0)],
    });
    expect(fields['News feeds']).toBe('2 feed(s), 20 articles saved since the start, 1 failing\n• https\\://b.example/feed answered HTTP 500 (2×)');
    expect(renderedLinks(fields['News feeds']!)).toEqual([]);
    expect(Object.keys(await stats('en', { configMode: 'lexical', denseProblem: null, modelId: null }))).not.toContain('News feeds');
  });

  it("says how the dense side takes part in \"nothing relevant\": its calibrated thresholds, or why word search decides alone", async () => {
    expect((await stats('de', { configMode: 'hybrid', denseProblem: null, modelId: 'm' }))['Relevanz nach Bedeutung']).toBe(
      'kalibriert beim Indexaufbau: Ähnlichkeit ab 0.835 (englische Fragen ab 0.801), zusammen mit der Wortsuche',
    );
    const failed: DenseRelevanceReport = { vouches: false, cause: 'failed-calibration', reason: 'the model matches only 44% …' };
    expect((await stats('en', { configMode: 'hybrid', denseProblem: null, modelId: 'm', denseRelevance: failed }))['Relevance by meaning']).toMatch(/^off: the language model does not reliably tell/);
    const old: DenseRelevanceReport = { vouches: false, cause: 'not-calibrated', reason: 'no calibration' };
    expect((await stats('de', { configMode: 'hybrid', denseProblem: null, modelId: 'm', denseRelevance: old }))['Relevanz nach Bedeutung']).toContain('/reindex');
    const set: DenseRelevanceReport = { vouches: true, source: 'QUELLE_MIN_DENSE_SCORE', threshold: 0.85, englishThreshold: 0.81, unit: null };
    expect((await stats('en', { configMode: 'dense', denseProblem: null, modelId: 'm', denseRelevance: set }))['Relevance by meaning']).toBe('set (QUELLE_MIN_DENSE_SCORE): similarity from 0.850');
  });
});

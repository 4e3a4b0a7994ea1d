import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { EMBED_COLOR } from '../answer-embed.ts';
import { NO_MENTIONS, type Command } from '../command.ts';
import type { FeedStatus } from '../../ingest/feeds/feed-status.ts';
import type { Messages } from '../messages.ts';
import { safeLine, safeText, truncate } from '../safe-text.ts';
import type { DenseRelevanceReport } from '../../retrieval/retriever.ts';

export const statsCommand = {
  data: new SlashCommandBuilder()
    .setName('stats')
    .setNameLocalizations({ de: 'statistik' })
    .setDescription('Index size, model, uptime and answer times')
    .setDescriptionLocalizations({ de: 'Indexgröße, Modell, Laufzeit und Antwortzeiten' })
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, { service, config, messages, feeds, community }) {
    const t = messages.stats;
    const retriever = service.current;
    const manifest = retriever?.index.manifest;
    const mode = retriever ? messages.modeNames[retriever.denseUnavailableReason() && config.mode !== 'lexical' ? 'lexical' : config.mode] : '–';
    const last = service.lastReindexRecord?.finishedAt ?? (manifest ? new Date(manifest.createdAt) : null);
    // Counted in the database, so they survive restarts: this server's, and every server's.
    const answered = await community.log.stats(interaction.guildId);
    const here = answered.server ?? answered.all;
    const median = answered.medianMs;
    const fields = [
      { name: t.articles, value: String(manifest?.counts.articles ?? 0), inline: true },
      { name: t.passages, value: String(manifest?.counts.passages ?? 0), inline: true },
      { name: t.mode, value: mode, inline: true },
      // The model id comes from the index's manifest, a file: shown as text, never as Markdown.
      { name: t.model, value: manifest?.model ? truncate(safeText(manifest.model.id), 1024) : t.none, inline: true },
      { name: t.denseRelevance, value: retriever ? denseRelevanceText(retriever.denseRelevance(config.mode), messages) : '–', inline: false },
      { name: t.lastReindex, value: last ? `<t:${Math.floor(last.getTime() / 1000)}:R>` : t.never, inline: true },
      { name: t.uptime, value: formatUptime(Date.now() - service.startedAt.getTime()), inline: true },
      { name: t.answered, value: t.answeredHere(here.questions, answered.all.questions), inline: true },
      { name: t.helpful, value: t.helpfulRate(messages.percent(here.helpfulRate), here.helpful + here.unhelpful), inline: true },
      { name: t.medianTime, value: median === null ? '–' : `${Math.round(median)} ms`, inline: true },
    ];
    if (feeds) fields.push({ name: t.feeds, value: feedSummary(feeds.status(), messages), inline: false });
    const problem = service.unavailableReason ? messages.indexUnavailable : service.vectorsProblem ? messages.vectorsDamaged : null;
    await interaction.reply({
      embeds: [{ title: messages.statsTitle, color: EMBED_COLOR, fields, ...(problem ? { description: problem } : {}) }],
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
  },
} satisfies Command;

/** The feeds at a glance, and what failed last (feed URLs and errors are shown as text). */
function feedSummary(feeds: readonly FeedStatus[], messages: Messages): string {
  const failing = feeds.filter((feed) => feed.failures > 0);
  const saved = feeds.reduce((sum, feed) => sum + feed.saved, 0);
  const lines = [messages.stats.feedCounts(feeds.length, saved, failing.length)];
  for (const feed of failing.slice(0, 3)) lines.push(`• ${truncate(safeLine(feed.lastError ?? feed.url), 250)} (${feed.failures}×)`);
  return truncate(lines.join('\n'), 1024);
}

/** How the dense side takes part in "nothing relevant", in the user's language. */
function denseRelevanceText(report: DenseRelevanceReport, messages: Messages): string {
  const t = messages.denseRelevance;
  const number = (value: number): string => value.toFixed(3);
  if (!report.vouches) {
    const byCause = { 'lexical-mode': t.lexicalMode, 'no-dense-search': t.noDenseSearch, 'not-calibrated': t.notCalibrated, 'failed-calibration': t.failedCalibration };
    return byCause[report.cause];
  }
  if (report.source === 'QUELLE_MIN_DENSE_Z') return t.configured(report.source, `z ${report.minZ}`);
  if (report.source === 'QUELLE_MIN_DENSE_SCORE') return t.configured(report.source, number(report.threshold));
  return t.calibrated(number(report.threshold), number(report.englishThreshold));
}

function formatUptime(ms: number): string {
  const minutes = Math.floor(ms / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

import type { APIEmbed } from 'discord.js';
import type { IndexSummary } from '../indexer/run-indexer.ts';
import { EMBED_COLOR } from './answer-embed.ts';
import { EMBED_LIMITS } from './embed-limits.ts';
import type { Messages } from './messages.ts';
import { plainText, safeLine, truncate } from './safe-text.ts';

/** A list field's budget: Discord's 1024, with room to spare. */
const LIST_MAX = 1000;

/**
 * The /reindex summary: counts, then the added, changed, removed and skipped articles. Article
 * ids and file names come from the seeds folder, which anyone with a git repository of articles
 * can fill: each is shown as text on one line, never as Markdown, a link or a mention.
 */
export function buildReindexSummaryEmbed(summary: IndexSummary, messages: Messages): APIEmbed {
  const t = messages.summary;
  const list = (ids: readonly string[]): string => (ids.length === 0 ? t.none : truncate(ids.map(safeLine).join(', '), LIST_MAX));
  const skipped =
    summary.skipped.length === 0
      ? t.none
      : truncate(summary.skipped.map((file) => `${safeLine(file.file)}: ${safeLine(file.reason)}`).join('\n'), LIST_MAX);
  return {
    title: messages.reindexDone,
    color: EMBED_COLOR,
    fields: [
      { name: t.articles, value: String(summary.articles), inline: true },
      { name: t.passages, value: String(summary.passages), inline: true },
      { name: t.time, value: `${summary.seconds.toFixed(1)} s`, inline: true },
      { name: `${t.added} (${summary.added.length})`, value: list(summary.added) },
      { name: `${t.changed} (${summary.changed.length})`, value: list(summary.changed) },
      { name: `${t.removed} (${summary.removed.length})`, value: list(summary.removed) },
      { name: `${t.skipped} (${summary.skipped.length})`, value: skipped },
    ],
    footer: { text: truncate(plainText(`${messages.modeNames[summary.mode]}${summary.model ? ` · ${summary.model}` : ''}`), EMBED_LIMITS.footer) },
  };
}

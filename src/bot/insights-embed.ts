import type { APIEmbed, APIEmbedField } from 'discord.js';
import { citationsByArticle, type Insights, type InsightsWindow } from '../community/insights.ts';
import type { CitationRecord } from '../storage/community-store.ts';
import { EMBED_COLOR } from './answer-embed.ts';
import { EMBED_LIMITS } from './embed-limits.ts';
import type { Messages } from './messages.ts';
import { safeLine, truncate } from './safe-text.ts';

/** A quoted question or title: one line, made safe (no Markdown, pings or links), and short. */
const QUOTE_MAX = 120;
const quoted = (text: string): string => `“${truncate(safeLine(text), QUOTE_MAX)}”`;
/** A date Discord shows in each reader's own format and time zone. */
const day = (ms: number): string => `<t:${Math.floor(ms / 1000)}:d>`;

/**
 * /insights as one embed, the same sections as `npm run insights` per window (questions and
 * declined share, helpful rate, coverage gaps with counts and examples, most-cited articles,
 * recent 👎 with what they cited). Every text from the database is quoted safely; lists are cut
 * by whole lines so that the embed stays within Discord's limits whatever members asked.
 */
export function buildInsightsEmbed(insights: Insights, messages: Messages): APIEmbed {
  const t = messages.insights;
  const title = t.title;
  const description = t.textKept(insights.textKeptDays);
  const sections = insights.windows.flatMap((window) => windowSections(window, insights.textKeptDays, messages));
  const names = sections.map((section) => truncate(section.name, EMBED_LIMITS.fieldName));
  const used = title.length + description.length + names.reduce((sum, name) => sum + name.length, 0);
  // What is left of the 6000 characters is shared evenly by the sections.
  const perField = Math.min(EMBED_LIMITS.fieldValue, Math.floor((EMBED_LIMITS.total - used - 20) / Math.max(1, sections.length)));
  const fields: APIEmbedField[] = sections.map((section, i) => ({ name: names[i]!, value: fitLines(section.lines, perField, t.none) }));
  return { title, description, color: EMBED_COLOR, fields };
}

function windowSections(window: InsightsWindow, textKeptDays: number, messages: Messages): { name: string; lines: string[] }[] {
  const t = messages.insights;
  const gapsName = textKeptDays < window.days ? `${t.gaps(window.days)} (${t.partialText(textKeptDays)})` : t.gaps(window.days);
  return [
    {
      name: t.window(window.days),
      lines: [t.questions(window.questions, window.declined, messages.percent(window.declinedRate)), t.helpful(messages.percent(window.helpfulRate), window.helpful, window.votes)],
    },
    {
      name: gapsName,
      lines: window.coverageGaps.map((gap) => {
        const others = gap.examples.filter((example) => example !== gap.label).slice(0, 2);
        return `**${gap.count}×** ${quoted(gap.label)}${others.length > 0 ? ` — ${t.also}: ${others.map(quoted).join(', ')}` : ''}`;
      }),
    },
    { name: t.cited(window.days), lines: window.mostCited.map((article) => `**${article.answers}** · ${truncate(safeLine(article.title), QUOTE_MAX)} (${truncate(safeLine(article.articleId), 60)})`) },
    {
      name: t.unhelpful(window.days),
      lines: window.recentUnhelpful.map((answer) => {
        const question = answer.question === null ? t.questionNotKept : quoted(answer.question);
        const cited = answer.declined ? t.declined : citedArticles(answer.cited) || t.none;
        return `${day(answer.createdAt)} ${question} — ${answer.down} 👎, ${answer.up} 👍 → ${cited}`;
      }),
    },
  ];
}

/** Citations by article, in the answer's order: "Title ¶1, ¶3; Other ¶2". */
function citedArticles(citations: readonly CitationRecord[]): string {
  return citationsByArticle(citations)
    .map(({ title, paragraphs }) => `${truncate(safeLine(title), 80)} ${paragraphs.map((p) => `¶${p}`).join(', ')}`)
    .join('; ');
}

/** As many whole lines as fit in `max` characters (a single overlong line is cut), or `none`. */
function fitLines(lines: readonly string[], max: number, none: string): string {
  if (lines.length === 0) return none;
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    const added = (kept.length > 0 ? 1 : 0) + line.length;
    if (length + added > max) break;
    kept.push(line);
    length += added;
  }
  return kept.length > 0 ? kept.join('\n') : truncate(lines[0]!, max);
}

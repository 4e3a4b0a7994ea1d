import { citationsByArticle, computeInsights, DEFAULT_WINDOWS, insightsJson, type Insights, type InsightsWindow } from '../community/insights.ts';
import { parseCliArgs, printable, runCli, UsageError } from '../command-line.ts';
import type { CitationRecord } from '../storage/community-store.ts';
import { loadCliConfig, parsePositiveInt } from './cli-support.ts';
import { openCommunityForCli } from './open-community.ts';

const USAGE = `Usage: npm run insights -- [--days N] [--guild ID] [--data DIR] [--json]

What members asked the bot, from its database (QUELLE_DATA_DIR/quelle.db): for the last 7 and
30 days, questions asked, the helpful rate (👍 of all votes), declined questions grouped by
similar wording (coverage gaps: what the articles do not answer), the most-cited articles and the
latest answers marked 👎 with what they cited.
  --days N     one window of N days instead of 7 and 30
  --guild ID   one server's questions only (default: every server)
  --data DIR   the data folder (default QUELLE_DATA_DIR, or data); with DATABASE_URL set, the
               PostgreSQL database instead
  --json       print one JSON document`;

runCli(async (run) => {
  const { values, positionals } = parseCliArgs(
    { days: { type: 'string' }, guild: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
    USAGE,
  );
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${printable(positionals[0]!)}".\n\n${USAGE}`);
  const days = values.days === undefined ? DEFAULT_WINDOWS : [parsePositiveInt(values.days, 'days', 7)];
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) throw new UsageError(`--guild must be a Discord server id (17–20 digits), not "${printable(values.guild)}".`);
  const config = loadCliConfig();
  const { store, close } = await openCommunityForCli(config, values.data, run);
  try {
    const insights = await computeInsights(store, { days, guildId: values.guild, now: Date.now(), logDays: config.logDays });
    process.stdout.write(values.json ? `${JSON.stringify(insightsJson(insights))}\n` : formatInsights(insights));
  } finally {
    await close();
  }
});

const percent = (share: number | null): string => (share === null ? '–' : `${(share * 100).toFixed(1)}%`);
const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const quoted = (text: string): string => `"${printable(text)}"`;

/** The insights as the terminal shows them; every text from the database is printed with control characters escaped. */
function formatInsights(insights: Insights): string {
  const scope = insights.guildId ? `server ${insights.guildId}` : 'all servers';
  const kept = insights.textKeptDays === 0 ? 'no question text kept (QUELLE_LOG_DAYS=0)' : `question text kept ${insights.textKeptDays} days`;
  const lines = [`Insights for ${scope}, ${new Date(insights.generatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC (${kept})`];
  for (const window of insights.windows) lines.push('', ...formatWindow(window, insights.textKeptDays));
  return `${lines.join('\n')}\n`;
}

function formatWindow(window: InsightsWindow, textKeptDays: number): string[] {
  const lines = [
    `Last ${window.days} days (since ${date(window.since)})`,
    `  questions       ${window.questions} (${window.declined} declined, ${percent(window.declinedRate)})`,
    `  helpful         ${percent(window.helpfulRate)} (${window.helpful} of ${window.votes} votes)`,
  ];
  const partial = textKeptDays < window.days ? ` — text of the last ${textKeptDays} days only` : '';
  lines.push(`  coverage gaps (declined questions by similar wording; ${window.declinedGrouped} grouped${partial}):`);
  if (window.coverageGaps.length === 0) lines.push('    none');
  for (const gap of window.coverageGaps) {
    lines.push(`    ${`${gap.count}×`.padStart(5)}  ${quoted(gap.label)}`);
    const others = gap.examples.filter((example) => example !== gap.label);
    if (others.length > 0) lines.push(`           also: ${others.map(quoted).join(', ')}`);
  }
  lines.push('  most-cited articles (answers that showed them):');
  if (window.mostCited.length === 0) lines.push('    none');
  for (const article of window.mostCited) lines.push(`    ${String(article.answers).padStart(5)}  ${printable(article.title)} (${printable(article.articleId)})`);
  lines.push('  recent 👎:');
  if (window.recentUnhelpful.length === 0) lines.push('    none');
  for (const answer of window.recentUnhelpful) {
    const question = answer.question === null ? '(question not kept)' : quoted(answer.question);
    const cited = answer.declined ? 'declined' : citedArticles(answer.cited) || 'nothing';
    lines.push(`    ${date(answer.createdAt)}  ${question} — ${answer.down} 👎, ${answer.up} 👍 → ${cited}`);
  }
  return lines;
}

/** Citations by article, in the answer's order: "Title (id) ¶1, ¶3; Other (id2) ¶2". */
function citedArticles(citations: readonly CitationRecord[]): string {
  return citationsByArticle(citations)
    .map(({ articleId, title, paragraphs }) => `${printable(title)} (${printable(articleId)}) ${paragraphs.map((p) => `¶${p}`).join(', ')}`)
    .join('; ');
}

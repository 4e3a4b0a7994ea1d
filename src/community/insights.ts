import { DAY_MS, dayOf, type CitationRecord, type CitedArticle, type CommunityStore, type UnhelpfulAnswer } from '../storage/community-store.ts';
import { createSimpleTerms, groupSimilarQuestions, type QuestionGroup, type Tokenizer } from './similar-questions.ts';

/**
 * What moderators learn from the question log (/insights, `npm run insights`): for each window,
 * how many questions came, how often members found the answers helpful, what the articles could
 * not answer (declined questions grouped by similar wording: the coverage gaps), which articles
 * answered most, and the latest answers members marked 👎 with what they cited.
 *
 * A window of N days is today (UTC) and the N − 1 days before it. Counts come from the daily
 * counters, which outlive retention; the sections that need question text or citations cover only
 * what retention still keeps (`textKeptDays`).
 */
export interface InsightsWindow {
  readonly days: number;
  /** Start of the window (ms): midnight UTC of its first day. */
  readonly since: number;
  readonly questions: number;
  readonly declined: number;
  /** Share of the questions declined, or null without questions. */
  readonly declinedRate: number | null;
  readonly votes: number;
  readonly helpful: number;
  /** 👍 over all votes, or null without votes. */
  readonly helpfulRate: number | null;
  readonly coverageGaps: readonly QuestionGroup[];
  /** How many declined questions were grouped (at most {@link InsightsOptions.maxDeclined}, the latest). */
  readonly declinedGrouped: number;
  readonly mostCited: readonly CitedArticle[];
  readonly recentUnhelpful: readonly UnhelpfulAnswer[];
}

export interface Insights {
  readonly generatedAt: number;
  readonly guildId: string | null;
  /** QUELLE_LOG_DAYS: question text older than this is gone (0: never kept). */
  readonly textKeptDays: number;
  readonly windows: readonly InsightsWindow[];
}

export interface InsightsOptions {
  /** Window lengths in days (default 7 and 30). */
  readonly days?: readonly number[];
  /** One server's questions only (/insights in a server); undefined for all. */
  readonly guildId?: string | undefined;
  readonly now: number;
  readonly logDays: number;
  readonly tokenize?: Tokenizer;
  readonly similarity?: number;
  readonly gaps?: number;
  readonly articles?: number;
  readonly unhelpful?: number;
  /** The most declined questions grouped per window (the latest): bounds the time of a busy month. */
  readonly maxDeclined?: number;
}

export const DEFAULT_WINDOWS = [7, 30] as const;

/** Computes the insights of each window from the store. */
export async function computeInsights(store: CommunityStore, options: InsightsOptions): Promise<Insights> {
  const windows: InsightsWindow[] = [];
  // One tokenizer for every window: the longer window asks the shorter one's questions again.
  const tokenize = options.tokenize ?? createSimpleTerms();
  for (const days of options.days ?? DEFAULT_WINDOWS) {
    if (!Number.isInteger(days) || days < 1) throw new RangeError(`a window is a whole number of days ≥ 1, not ${days}`);
    const since = (dayOf(options.now) - days + 1) * DAY_MS;
    const query = { since, guildId: options.guildId };
    const counts = await store.activityCounts(query);
    const declinedQuestions = await store.declinedQuestions(query, options.maxDeclined ?? 20_000);
    const votes = counts.helpful + counts.unhelpful;
    windows.push({
      days,
      since,
      questions: counts.questions,
      declined: counts.declined,
      declinedRate: counts.questions === 0 ? null : counts.declined / counts.questions,
      votes,
      helpful: counts.helpful,
      helpfulRate: votes === 0 ? null : counts.helpful / votes,
      coverageGaps: groupSimilarQuestions(declinedQuestions, { tokenize, ...(options.similarity ? { threshold: options.similarity } : {}) }).slice(0, options.gaps ?? 10),
      declinedGrouped: declinedQuestions.length,
      mostCited: await store.mostCitedArticles(query, options.articles ?? 10),
      recentUnhelpful: await store.recentUnhelpful(query, options.unhelpful ?? 5),
    });
  }
  return { generatedAt: options.now, guildId: options.guildId ?? null, textKeptDays: options.logDays, windows };
}

/** The insights as a JSON document (snake_case keys, ISO times), as `npm run insights -- --json` prints them. */
export function insightsJson(insights: Insights): object {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    generated_at: iso(insights.generatedAt),
    guild_id: insights.guildId,
    question_text_kept_days: insights.textKeptDays,
    windows: insights.windows.map((window) => ({
      days: window.days,
      since: iso(window.since),
      questions: window.questions,
      declined: window.declined,
      declined_rate: window.declinedRate,
      votes: window.votes,
      helpful: window.helpful,
      helpful_rate: window.helpfulRate,
      coverage_gaps: window.coverageGaps.map((group) => ({ count: group.count, label: group.label, examples: group.examples, last_asked_at: iso(group.lastAskedAt) })),
      declined_grouped: window.declinedGrouped,
      most_cited: window.mostCited.map((article) => ({ article: article.articleId, title: article.title, answers: article.answers })),
      recent_unhelpful: window.recentUnhelpful.map((answer) => ({
        answer: answer.answerId,
        asked_at: iso(answer.createdAt),
        question: answer.question,
        declined: answer.declined,
        down: answer.down,
        up: answer.up,
        cited: answer.cited.map((citation) => ({ article: citation.articleId, title: citation.title, paragraph: citation.paragraph })),
      })),
    })),
  };
}

/** An answer's citations grouped by article, in the answer's order (what a 👎 entry shows). */
export function citationsByArticle(citations: readonly CitationRecord[]): { readonly articleId: string; readonly title: string; readonly paragraphs: readonly number[] }[] {
  const articles = new Map<string, { articleId: string; title: string; paragraphs: number[] }>();
  for (const citation of citations) {
    const article = articles.get(citation.articleId) ?? { articleId: citation.articleId, title: citation.title, paragraphs: [] };
    article.paragraphs.push(citation.paragraph);
    articles.set(citation.articleId, article);
  }
  return [...articles.values()];
}

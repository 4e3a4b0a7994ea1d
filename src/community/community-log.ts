import { randomBytes } from 'node:crypto';
import type { IndexSummary } from '../indexer/run-indexer.ts';
import { percentile } from '../retrieval/evaluate.ts';
import type {
  ActivityCounts,
  AnswerLanguage,
  AnswerMode,
  ArticleChangeRecord,
  CitationRecord,
  CommunityStore,
  PurgeResult,
  ReindexOutcome,
  ReindexRun,
  StoredAnswer,
  Surface,
} from '../storage/community-store.ts';
import { timedIdTime, newTimedId } from './timed-id.ts';
import { paragraphHash, type ParagraphSource, type ParagraphView } from './paragraphs.ts';
import { Retention } from './retention.ts';

/** What the bot knows of one ranked hit (a retrieval SearchHit satisfies it). */
export interface AnswerHit {
  readonly passage: { readonly articleId: string; readonly paragraph: number; readonly title: string };
  readonly relevant: boolean;
  readonly score: number;
}

/** One answer as the bot sent it. */
export interface AnsweredQuestion {
  readonly question: string;
  readonly language: AnswerLanguage;
  readonly surface: Surface;
  readonly guildId: string | null;
  readonly channelId: string | null;
  /** The retriever's response (a SearchResponse satisfies it): the mode used, whether it declined, the ranked hits. */
  readonly response: { readonly hits: readonly AnswerHit[]; readonly declined: boolean; readonly mode: AnswerMode };
  /** How many relevant hits the answer shows; the others are what "More" pages through. */
  readonly shown: number;
  readonly latencyMs: number;
}

/** Why an answer's buttons cannot be served: retention removed it, or there is no such answer here. */
export type AnswerGone = { readonly status: 'expired' } | { readonly status: 'unknown' };

export type Vote = 'up' | 'down';

export type VoteResult =
  | {
      readonly status: 'recorded';
      readonly vote: Vote;
      /** The member's vote before this press, or null for a first vote. */
      readonly previous: Vote | null;
      /** False when the member pressed the same button again. */
      readonly changed: boolean;
      readonly up: number;
      readonly down: number;
    }
  | AnswerGone;

/** A cited paragraph with what the index holds for it now. */
export interface CitedParagraph {
  readonly citation: CitationRecord;
  /** The paragraph as the serving index has it; null when the article or paragraph is gone (or no index is loaded). */
  readonly current: ParagraphView | null;
  /** True when the paragraph's text differs from when the answer was given (the article was changed). */
  readonly changed: boolean;
}

export interface AnswerContext {
  /** The question, for highlighting the best sentence; null when question text is not kept. */
  readonly question: string | null;
  readonly language: AnswerLanguage;
}

export type MoreResults =
  | (AnswerContext & {
      readonly status: 'found';
      readonly page: number;
      /** Pages of further excerpts in all; 0 when the answer had none beyond what it showed. */
      readonly pages: number;
      readonly results: readonly CitedParagraph[];
    })
  | AnswerGone;

export type FullParagraph = (AnswerContext & { readonly status: 'found'; readonly cited: CitedParagraph }) | { readonly status: 'no-such-citation' } | AnswerGone;

export interface ActivitySummary extends ActivityCounts {
  /** 👍 over all votes, or null before the first vote. */
  readonly helpfulRate: number | null;
}

export interface CommunityStats {
  /** Since the database was created. */
  readonly all: ActivitySummary;
  /** This server's, when /stats is asked in one. */
  readonly server: ActivitySummary | null;
  /** Median answer time of the latest 1,000 answers still kept, or null. */
  readonly medianMs: number | null;
  readonly lastReindex: ReindexRun | null;
}

export interface ReindexToRecord {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: ReindexOutcome;
  readonly trigger: string;
  readonly actorId?: string | null;
  /** The indexer's summary, when the run finished. */
  readonly summary?: Pick<IndexSummary, 'mode' | 'model' | 'articles' | 'passages' | 'added' | 'changed' | 'removed' | 'skipped'> | null;
  readonly error?: string | null;
}

/**
 * One change to the articles, as an article-management feature reports it: `action` and
 * `articleId`, optionally who and when; every other field is kept as the change's detail.
 */
export interface ArticleChange {
  readonly action: string;
  readonly articleId: string;
  readonly actorId?: string | null;
  readonly actorName?: string | null;
  readonly at?: Date | number;
  readonly [detail: string]: unknown;
}

/** The most citations kept per answer: enough for "More" to page through a few times. */
export const MAX_CITATIONS_KEPT = 15;
const LATENCY_WINDOW = 1000;

export interface CommunityLogOptions {
  readonly store: CommunityStore;
  /** QUELLE_LOG_DAYS. */
  readonly logDays: number;
  /** The serving index's paragraphs (they change with each reindex); null while no index is loaded. */
  readonly paragraphs?: () => ParagraphSource | null;
  readonly now?: () => number;
  readonly random?: (bytes: number) => Buffer;
}

/**
 * The community loop's use cases, for the bot and the commands: record an answer and the votes on
 * it, serve its "More" and "Full paragraph" buttons from the database (so they work after a
 * restart), count for /stats, keep reindex history and the audit record of article changes, and
 * apply retention. Answers of another server are treated as unknown: a crafted button never reads
 * across servers.
 */
export class CommunityLog {
  readonly retention: Retention;
  private readonly store: CommunityStore;
  private readonly paragraphs: () => ParagraphSource | null;
  private readonly now: () => number;
  private readonly random: (bytes: number) => Buffer;

  constructor(options: CommunityLogOptions) {
    this.store = options.store;
    this.retention = new Retention(options.logDays);
    this.paragraphs = options.paragraphs ?? (() => null);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? randomBytes;
  }

  /** Stores the answer (its question only when question text is kept) and returns its id, for the buttons' custom ids. */
  async recordAnswer(answered: AnsweredQuestion): Promise<string> {
    const createdAt = this.now();
    const id = newTimedId(createdAt, this.random);
    const source = this.paragraphs();
    const relevant = answered.response.declined ? [] : answered.response.hits.filter((hit) => hit.relevant).slice(0, MAX_CITATIONS_KEPT);
    const citations = relevant.map((hit, index): CitationRecord => {
      const current = source?.(hit.passage.articleId, hit.passage.paragraph) ?? null;
      return {
        rank: index + 1,
        articleId: hit.passage.articleId,
        paragraph: hit.passage.paragraph,
        title: hit.passage.title,
        score: hit.score,
        paragraphHash: current ? paragraphHash(current.text) : null,
      };
    });
    await this.store.recordAnswer({
      id,
      createdAt,
      guildId: answered.guildId,
      channelId: answered.channelId,
      surface: answered.surface,
      language: answered.language,
      mode: answered.response.mode,
      declined: answered.response.declined,
      latencyMs: answered.latencyMs,
      question: this.retention.keepsQuestionText ? answered.question : null,
      shown: Math.max(0, Math.min(answered.shown, citations.length)),
      citations,
    });
    return id;
  }

  /** A member's 👍 or 👎 on an answer: one per member, changeable, the latest press wins. */
  async recordVote(input: { readonly answerId: string; readonly guildId: string | null; readonly memberId: string; readonly vote: Vote }): Promise<VoteResult> {
    const found = await this.answer(input.answerId, input.guildId);
    if ('status' in found) return found;
    const outcome = await this.store.setVote({ answerId: input.answerId, memberId: input.memberId, value: input.vote === 'up' ? 1 : -1, at: this.now() });
    // Removed between the two steps: retention ran.
    if (!outcome) return { status: 'expired' };
    const asVote = (value: 1 | -1): Vote => (value === 1 ? 'up' : 'down');
    const previous = outcome.previous === null ? null : asVote(outcome.previous);
    return { status: 'recorded', vote: asVote(outcome.current), previous, changed: previous !== asVote(outcome.current), up: outcome.up, down: outcome.down };
  }

  /**
   * The next excerpts of an answer, beyond what it showed: page 1 is the first `pageSize`
   * (default: as many as the answer showed, at least 1) after them.
   */
  async moreResults(input: { readonly answerId: string; readonly guildId: string | null; readonly page?: number; readonly pageSize?: number }): Promise<MoreResults> {
    const found = await this.answer(input.answerId, input.guildId);
    if ('status' in found) return found;
    const further = found.citations.slice(found.shown);
    const size = Math.max(1, Math.floor(input.pageSize ?? (found.shown || 1)));
    const pages = Math.ceil(further.length / size);
    const page = Math.max(1, Math.floor(input.page ?? 1));
    const source = this.paragraphs();
    const results = further.slice((page - 1) * size, page * size).map((citation) => this.cited(citation, source));
    return { status: 'found', question: found.question, language: found.language, page, pages, results };
  }

  /** The whole paragraph of one of an answer's citations (1-based rank), as the index has it now. */
  async fullParagraph(input: { readonly answerId: string; readonly guildId: string | null; readonly rank: number }): Promise<FullParagraph> {
    const found = await this.answer(input.answerId, input.guildId);
    if ('status' in found) return found;
    const citation = found.citations.find((candidate) => candidate.rank === input.rank);
    if (!citation) return { status: 'no-such-citation' };
    return { status: 'found', question: found.question, language: found.language, cited: this.cited(citation, this.paragraphs()) };
  }

  /** Counters for /stats, over the whole deployment and, in a server, that server's. */
  async stats(guildId?: string | null): Promise<CommunityStats> {
    const summary = (counts: ActivityCounts): ActivitySummary => {
      const votes = counts.helpful + counts.unhelpful;
      return { ...counts, helpfulRate: votes === 0 ? null : counts.helpful / votes };
    };
    const all = summary(await this.store.activityCounts({ since: 0 }));
    const server = guildId ? summary(await this.store.activityCounts({ since: 0, guildId })) : null;
    const latencies = await this.store.recentLatencies(LATENCY_WINDOW);
    return { all, server, medianMs: latencies.length === 0 ? null : percentile(latencies, 50), lastReindex: await this.store.lastReindex() };
  }

  async recordReindex(run: ReindexToRecord): Promise<string> {
    const id = newTimedId(run.finishedAt, this.random);
    const summary = run.summary ?? null;
    await this.store.recordReindex({
      id,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      outcome: run.outcome,
      trigger: run.trigger,
      actorId: run.actorId ?? null,
      mode: summary?.mode ?? null,
      model: summary?.model ?? null,
      articles: summary?.articles ?? null,
      passages: summary?.passages ?? null,
      added: summary?.added.length ?? null,
      changed: summary?.changed.length ?? null,
      removed: summary?.removed.length ?? null,
      skipped: summary?.skipped.length ?? null,
      error: run.error ?? null,
    });
    return id;
  }

  /** Records a change to the articles (who, when, what); fields beyond the known ones are kept as its detail. */
  async recordArticleChange(change: ArticleChange): Promise<void> {
    const { action, articleId, actorId = null, actorName = null, at, ...detail } = change;
    const when = at === undefined ? this.now() : typeof at === 'number' ? at : at.getTime();
    await this.store.recordArticleChange({
      id: newTimedId(when, this.random),
      at: when,
      action,
      articleId,
      actorId,
      actorName,
      detail: Object.keys(detail).length === 0 ? null : detail,
    });
  }

  async articleChanges(limit = 20, articleId?: string): Promise<ArticleChangeRecord[]> {
    return this.store.articleChanges(limit, articleId);
  }

  /** Removes what retention no longer allows; run at start and then periodically (the bot: hourly). */
  async purge(): Promise<PurgeResult> {
    return this.store.purge(this.retention.purgeRequest(this.now()));
  }

  /** The answer behind a button, or why there is none. */
  private async answer(answerId: string, guildId: string | null): Promise<StoredAnswer | AnswerGone> {
    const createdAt = timedIdTime(answerId);
    if (createdAt === null) return { status: 'unknown' };
    // Past its retention the answer is expired, whether or not the hourly purge has removed it yet.
    if (this.now() >= this.retention.expiresAt(createdAt)) return { status: 'expired' };
    const found = await this.store.findAnswer(answerId);
    // Answers of another server do not exist here.
    return found && found.guildId === guildId ? found : { status: 'unknown' };
  }

  private cited(citation: CitationRecord, source: ParagraphSource | null): CitedParagraph {
    const current = source?.(citation.articleId, citation.paragraph) ?? null;
    const changed = current !== null && citation.paragraphHash !== null && paragraphHash(current.text) !== citation.paragraphHash;
    return { citation, current, changed };
  }
}

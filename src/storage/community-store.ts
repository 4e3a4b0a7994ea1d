/**
 * What Quelle keeps about its community between restarts: the questions it answered and what it
 * cited, members' votes on those answers, daily counts, reindex history and the audit record of
 * article changes. This is the storage interface; `sqlite-store.ts` implements it on an embedded
 * SQLite file, and a PostgreSQL implementation (issue #15) implements it again with the same
 * migrations (`migrations.ts`). Every method returns a Promise, so that a networked database fits
 * behind it unchanged.
 *
 * The store keeps what it is given and decides nothing: ids, timestamps and retention come from
 * the caller (src/community/), so each implementation stays a thin translation to SQL. Times are
 * milliseconds since the Unix epoch; a "day" is a UTC day number (`Math.floor(ms / 86_400_000)`).
 */

/** Where a question was asked. */
export type Surface = 'slash' | 'mention' | 'channel' | 'button';
export const SURFACES: readonly Surface[] = ['slash', 'mention', 'channel', 'button'];

export type AnswerLanguage = 'de' | 'en';
export type AnswerMode = 'hybrid' | 'dense' | 'lexical';

/** One passage an answer offers, in the order the answer offers them. */
export interface CitationRecord {
  /** 1-based; the answer shows ranks 1…`shown`, "More" pages through the rest. */
  readonly rank: number;
  readonly articleId: string;
  readonly paragraph: number;
  /** The article's title when the answer was given (insights show it without loading the index). */
  readonly title: string;
  /** The retriever's score (see SearchHit.score). */
  readonly score: number;
  /** A hash of the paragraph's text when the answer was given, or null when it was not known; a different text later means the article changed. */
  readonly paragraphHash: string | null;
}

export interface AnswerRecord {
  /** Chosen by the caller; short enough for a Discord button's custom id. */
  readonly id: string;
  readonly createdAt: number;
  /** Null outside a server (the command line, a direct message). */
  readonly guildId: string | null;
  readonly channelId: string | null;
  readonly surface: Surface;
  readonly language: AnswerLanguage;
  /** The search mode actually used. */
  readonly mode: AnswerMode;
  /** True when the answer said "nothing relevant". */
  readonly declined: boolean;
  readonly latencyMs: number;
  /** The question as asked; null when question text is not kept (QUELLE_LOG_DAYS=0). */
  readonly question: string | null;
  /** How many of the citations the answer itself shows. */
  readonly shown: number;
  readonly citations: readonly CitationRecord[];
}

/** An answer as stored: the question may have been removed by retention since. */
export type StoredAnswer = AnswerRecord;

export type VoteValue = 1 | -1;

export interface VoteRecord {
  readonly answerId: string;
  readonly memberId: string;
  readonly value: VoteValue;
  readonly at: number;
}

export interface VoteOutcome {
  /** The member's vote before this one, or null for a first vote. */
  readonly previous: VoteValue | null;
  /** The member's vote now: this one, or a later one when this one arrived late (the latest wins). */
  readonly current: VoteValue;
  /** Votes on the answer now, over all members. */
  readonly up: number;
  readonly down: number;
}

/** Counts over a span of days, kept beyond retention (they hold no text). */
export interface ActivityCounts {
  readonly questions: number;
  readonly declined: number;
  /** 👍 and 👎 on the answers of those days, one per member and answer. */
  readonly helpful: number;
  readonly unhelpful: number;
  readonly latencyMsTotal: number;
}

/** A time window, optionally limited to one server. */
export interface WindowQuery {
  /** Inclusive, in ms. */
  readonly since: number;
  /** Only this server's answers; undefined for all of them. */
  readonly guildId?: string | undefined;
}

export interface DeclinedQuestion {
  readonly question: string;
  readonly createdAt: number;
}

export interface CitedArticle {
  readonly articleId: string;
  readonly title: string;
  /** Answers that showed one of its paragraphs. */
  readonly answers: number;
}

export interface UnhelpfulAnswer {
  readonly answerId: string;
  readonly createdAt: number;
  readonly question: string | null;
  readonly declined: boolean;
  readonly down: number;
  readonly up: number;
  readonly lastVotedAt: number;
  /** The citations the answer showed. */
  readonly cited: readonly CitationRecord[];
}

/** An answer members voted 👍 (more 👍 than 👎), for evaluation data. */
export interface HelpfulAnswer {
  readonly answerId: string;
  readonly question: string;
  readonly language: AnswerLanguage;
  readonly createdAt: number;
  readonly up: number;
  readonly down: number;
  /** The first citation the answer showed. */
  readonly first: CitationRecord;
}

export interface DeclinedUnvoted {
  readonly answerId: string;
  readonly question: string;
  readonly language: AnswerLanguage;
  readonly createdAt: number;
}

export type ReindexOutcome = 'done' | 'failed' | 'interrupted';

export interface ReindexRun {
  readonly id: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: ReindexOutcome;
  /** What started it: `command` (/reindex), `cli` (npm run index), `watch`, … */
  readonly trigger: string;
  /** The member who started it, if one did. */
  readonly actorId: string | null;
  readonly mode: string | null;
  readonly model: string | null;
  readonly articles: number | null;
  readonly passages: number | null;
  readonly added: number | null;
  readonly changed: number | null;
  readonly removed: number | null;
  readonly skipped: number | null;
  readonly error: string | null;
}

/** One change to the articles: who, when, what. */
export interface ArticleChangeRecord {
  readonly id: string;
  readonly at: number;
  /** `add`, `replace`, `remove`, … as the caller names them. */
  readonly action: string;
  readonly articleId: string;
  readonly actorId: string | null;
  readonly actorName: string | null;
  /** Anything else the caller records about the change (file name, size, title, reason), kept as JSON. */
  readonly detail: Readonly<Record<string, unknown>> | null;
}

export interface PurgeRequest {
  /** Question text of answers created before this is removed (the answers stay). */
  readonly questionTextBefore: number;
  /** Answers created before this are removed, with their citations and votes. Daily counts stay. */
  readonly answersBefore: number;
}

export interface PurgeResult {
  readonly questionTextsRemoved: number;
  readonly answersRemoved: number;
}

/** The storage interface of the community loop (see the module comment); SQLite today, PostgreSQL with issue #15. */
export interface CommunityStore {
  /** Where the data lives, for messages (a file path, or a database name). */
  readonly location: string;

  /** Stores an answer with its citations and counts it in its day. */
  recordAnswer(answer: AnswerRecord): Promise<void>;
  /** The answer with its citations in rank order, or null when there is none with that id. */
  findAnswer(id: string): Promise<StoredAnswer | null>;
  /**
   * Sets a member's vote on an answer (one per member and answer; a later vote replaces an
   * earlier one, and one that arrives after a later one is ignored) and adjusts the day's counts.
   * Null when the answer does not exist.
   */
  setVote(vote: VoteRecord): Promise<VoteOutcome | null>;

  /** Counts of the days from `since`'s day on. */
  activityCounts(query: WindowQuery): Promise<ActivityCounts>;
  /** Answer times of the latest answers still kept, newest first. */
  recentLatencies(limit: number, guildId?: string): Promise<number[]>;
  /** Declined questions whose text is kept, newest first. */
  declinedQuestions(query: WindowQuery, limit: number): Promise<DeclinedQuestion[]>;
  /** Articles by how many answers showed them, most first. */
  mostCitedArticles(query: WindowQuery, limit: number): Promise<CitedArticle[]>;
  /** Answers with at least one 👎, the latest 👎 first. */
  recentUnhelpful(query: WindowQuery, limit: number): Promise<UnhelpfulAnswer[]>;
  /** Answers with more 👍 than 👎 whose question is kept, oldest first. */
  helpfulAnswers(query: WindowQuery): Promise<HelpfulAnswer[]>;
  /** Declined answers without a 👍 whose question is kept, oldest first. */
  declinedWithoutHelpful(query: WindowQuery): Promise<DeclinedUnvoted[]>;

  recordReindex(run: ReindexRun): Promise<void>;
  /** The latest reindex by finish time, or null. */
  lastReindex(): Promise<ReindexRun | null>;

  recordArticleChange(change: ArticleChangeRecord): Promise<void>;
  /** The latest changes first, optionally of one article. */
  articleChanges(limit: number, articleId?: string): Promise<ArticleChangeRecord[]>;

  /** Applies retention, and makes sure what it removed is gone from the storage's files too. */
  purge(request: PurgeRequest): Promise<PurgeResult>;
  close(): Promise<void>;
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** The UTC day number of a time. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

import {
  dayOf,
  type AnswerRecord,
  type ArticleChangeRecord,
  type CitationRecord,
  type ReindexRun,
  type StoredAnswer,
  type UnhelpfulAnswer,
  type VoteRecord,
  type VoteValue,
  type WindowQuery,
} from './community-store.ts';

/**
 * The community store's statements, written once for both engines (see sql-dialect.ts for how
 * PostgreSQL gets them), with the rows they return and how a row becomes a record. Each store
 * only runs them: `sqlite-store.ts` through better-sqlite3, `postgres-store.ts` through pg.
 */

/** Rows of any server when `guild` is NULL, else of that server's. */
const GUILD_FILTER = '(CAST(@guild AS TEXT) IS NULL OR a.guild_id = @guild)';

export const COMMUNITY_SQL = {
  insertAnswer: `INSERT INTO answers (id, created_at, guild_id, channel_id, surface, language, mode, declined, latency_ms, shown, question)
     VALUES (@id, @createdAt, @guildId, @channelId, @surface, @language, @mode, @declined, @latencyMs, @shown, @question)`,
  insertCitation: `INSERT INTO citations (answer_id, rank, article_id, paragraph, title, score, paragraph_hash)
     VALUES (@answerId, @rank, @articleId, @paragraph, @title, @score, @paragraphHash)`,
  addCounts: `INSERT INTO daily_counts (day, guild_id, surface, questions, declined, helpful, unhelpful, latency_ms_total)
     VALUES (@day, @guild, @surface, @questions, @declined, @helpful, @unhelpful, @latency)
     ON CONFLICT (day, guild_id, surface) DO UPDATE SET
       questions = daily_counts.questions + excluded.questions,
       declined = daily_counts.declined + excluded.declined,
       helpful = daily_counts.helpful + excluded.helpful,
       unhelpful = daily_counts.unhelpful + excluded.unhelpful,
       latency_ms_total = daily_counts.latency_ms_total + excluded.latency_ms_total`,
  selectAnswer: 'SELECT * FROM answers WHERE id = @id',
  selectCitations: 'SELECT rank, article_id, paragraph, title, score, paragraph_hash FROM citations WHERE answer_id = @id ORDER BY rank',
  selectShownCitations: 'SELECT rank, article_id, paragraph, title, score, paragraph_hash FROM citations WHERE answer_id = @id AND rank <= @shown ORDER BY rank',
  selectVote: 'SELECT value, voted_at FROM votes WHERE answer_id = @answerId AND member_id = @memberId',
  upsertVote: `INSERT INTO votes (answer_id, member_id, value, voted_at) VALUES (@answerId, @memberId, @value, @at)
     ON CONFLICT (answer_id, member_id) DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at`,
  countVotes: `SELECT COALESCE(SUM(CASE WHEN value = 1 THEN 1 ELSE 0 END), 0) AS up, COALESCE(SUM(CASE WHEN value = -1 THEN 1 ELSE 0 END), 0) AS down
     FROM votes WHERE answer_id = @answerId`,
  activity: `SELECT COALESCE(SUM(questions), 0) AS questions, COALESCE(SUM(declined), 0) AS declined, COALESCE(SUM(helpful), 0) AS helpful,
            COALESCE(SUM(unhelpful), 0) AS unhelpful, COALESCE(SUM(latency_ms_total), 0) AS latency
     FROM daily_counts WHERE day >= @sinceDay AND (CAST(@guild AS TEXT) IS NULL OR guild_id = @guild)`,
  recentLatencies: `SELECT latency_ms FROM answers a WHERE ${GUILD_FILTER} ORDER BY created_at DESC LIMIT @limit`,
  declinedQuestions: `SELECT question, created_at FROM answers a
     WHERE created_at >= @since AND declined = 1 AND question IS NOT NULL AND ${GUILD_FILTER}
     ORDER BY created_at DESC LIMIT @limit`,
  mostCited: `SELECT c.article_id AS article_id, MAX(c.title) AS title, COUNT(DISTINCT c.answer_id) AS answers
     FROM answers a JOIN citations c ON c.answer_id = a.id
     WHERE a.created_at >= @since AND c.rank <= a.shown AND ${GUILD_FILTER}
     GROUP BY c.article_id ORDER BY answers DESC, article_id LIMIT @limit`,
  recentUnhelpful: `SELECT a.id AS id, a.created_at AS created_at, a.question AS question, a.declined AS declined, a.shown AS shown,
            SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END) AS down, SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END) AS up,
            MAX(CASE WHEN v.value = -1 THEN v.voted_at END) AS last_voted_at
     FROM answers a JOIN votes v ON v.answer_id = a.id
     WHERE a.created_at >= @since AND ${GUILD_FILTER}
     GROUP BY a.id, a.created_at, a.question, a.declined, a.shown
     HAVING SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END) > 0
     ORDER BY last_voted_at DESC, a.id LIMIT @limit`,
  helpfulAnswers: `SELECT a.id AS id, a.question AS question, a.language AS language, a.created_at AS created_at, t.up AS up, t.down AS down,
            c.rank AS rank, c.article_id AS article_id, c.paragraph AS paragraph, c.title AS title, c.score AS score, c.paragraph_hash AS paragraph_hash
     FROM answers a
     JOIN (SELECT answer_id, SUM(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN value = -1 THEN 1 ELSE 0 END) AS down
           FROM votes GROUP BY answer_id) t ON t.answer_id = a.id
     JOIN citations c ON c.answer_id = a.id AND c.rank = 1
     WHERE a.created_at >= @since AND a.declined = 0 AND a.question IS NOT NULL AND t.up > t.down AND ${GUILD_FILTER}
     ORDER BY a.created_at, a.id`,
  declinedWithoutHelpful: `SELECT a.id AS id, a.question AS question, a.language AS language, a.created_at AS created_at FROM answers a
     WHERE a.created_at >= @since AND a.declined = 1 AND a.question IS NOT NULL AND ${GUILD_FILTER}
       AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.answer_id = a.id AND v.value = 1)
     ORDER BY a.created_at, a.id`,
  insertReindex: `INSERT INTO reindex_runs (id, started_at, finished_at, outcome, trigger_name, actor_id, mode, model, articles, passages, added, changed, removed, skipped, error)
     VALUES (@id, @startedAt, @finishedAt, @outcome, @trigger, @actorId, @mode, @model, @articles, @passages, @added, @changed, @removed, @skipped, @error)`,
  lastReindex: 'SELECT * FROM reindex_runs ORDER BY finished_at DESC, id DESC LIMIT 1',
  insertArticleChange: `INSERT INTO article_changes (id, at, action, article_id, actor_id, actor_name, detail)
     VALUES (@id, @at, @action, @articleId, @actorId, @actorName, @detail)`,
  articleChanges: 'SELECT * FROM article_changes ORDER BY at DESC, id DESC LIMIT @limit',
  articleChangesOf: 'SELECT * FROM article_changes WHERE article_id = @articleId ORDER BY at DESC, id DESC LIMIT @limit',
  forgetQuestions: 'UPDATE answers SET question = NULL WHERE created_at < @before AND question IS NOT NULL',
  deleteAnswers: 'DELETE FROM answers WHERE created_at < @before',
  /**
   * Lets a member's question through when their last one is at least the cooldown old (or there
   * is none), recording it in the same statement: two processes taking the same member's
   * cooldown at once cannot both get through. No row back means it was not let through.
   */
  takeCooldown: `INSERT INTO cooldowns (member_id, asked_at) VALUES (@memberId, @now)
     ON CONFLICT (member_id) DO UPDATE SET asked_at = excluded.asked_at WHERE cooldowns.asked_at <= @readyBefore
     RETURNING asked_at`,
  cooldownOf: 'SELECT asked_at FROM cooldowns WHERE member_id = @memberId',
  forgetCooldowns: 'DELETE FROM cooldowns WHERE asked_at < @before',
} as const;

export type CommunityStatement = keyof typeof COMMUNITY_SQL;

export interface AnswerRow {
  id: string;
  created_at: number;
  guild_id: string | null;
  channel_id: string | null;
  surface: AnswerRecord['surface'];
  language: AnswerRecord['language'];
  mode: AnswerRecord['mode'];
  declined: number;
  latency_ms: number;
  shown: number;
  question: string | null;
}

export interface CitationRow {
  rank: number;
  article_id: string;
  paragraph: number;
  title: string;
  score: number;
  paragraph_hash: string | null;
}

export interface ReindexRow {
  id: string;
  started_at: number;
  finished_at: number;
  outcome: ReindexRun['outcome'];
  trigger_name: string;
  actor_id: string | null;
  mode: string | null;
  model: string | null;
  articles: number | null;
  passages: number | null;
  added: number | null;
  changed: number | null;
  removed: number | null;
  skipped: number | null;
  error: string | null;
}

export interface ArticleChangeRow {
  id: string;
  at: number;
  action: string;
  article_id: string;
  actor_id: string | null;
  actor_name: string | null;
  detail: string | null;
}

export interface ActivityRow {
  questions: number;
  declined: number;
  helpful: number;
  unhelpful: number;
  latency: number;
}

export interface UnhelpfulRow {
  id: string;
  created_at: number;
  question: string | null;
  declined: number;
  shown: number;
  down: number;
  up: number;
  last_voted_at: number;
}

export type HelpfulRow = CitationRow & { id: string; question: string; language: AnswerRecord['language']; created_at: number; up: number; down: number };

export const toCitation = (row: CitationRow): CitationRecord => ({
  rank: row.rank,
  articleId: row.article_id,
  paragraph: row.paragraph,
  title: row.title,
  score: row.score,
  paragraphHash: row.paragraph_hash,
});

export function toStoredAnswer(row: AnswerRow, citations: readonly CitationRow[]): StoredAnswer {
  return {
    id: row.id,
    createdAt: row.created_at,
    guildId: row.guild_id,
    channelId: row.channel_id,
    surface: row.surface,
    language: row.language,
    mode: row.mode,
    declined: row.declined === 1,
    latencyMs: row.latency_ms,
    question: row.question,
    shown: row.shown,
    citations: citations.map(toCitation),
  };
}

export function toUnhelpful(row: UnhelpfulRow, cited: readonly CitationRow[]): UnhelpfulAnswer {
  return {
    answerId: row.id,
    createdAt: row.created_at,
    question: row.question,
    declined: row.declined === 1,
    down: row.down,
    up: row.up,
    lastVotedAt: row.last_voted_at,
    cited: cited.map(toCitation),
  };
}

export function toReindexRun(row: ReindexRow): ReindexRun {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    trigger: row.trigger_name,
    actorId: row.actor_id,
    mode: row.mode,
    model: row.model,
    articles: row.articles,
    passages: row.passages,
    added: row.added,
    changed: row.changed,
    removed: row.removed,
    skipped: row.skipped,
    error: row.error,
  };
}

export function toArticleChange(row: ArticleChangeRow): ArticleChangeRecord {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    articleId: row.article_id,
    actorId: row.actor_id,
    actorName: row.actor_name,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}

/** The parameters of a window query: `guild` null means every server. */
export const windowParams = (query: WindowQuery): { since: number; guild: string | null } => ({ since: query.since, guild: query.guildId ?? null });

/** The parameters of `insertAnswer`. */
export const answerParams = (answer: AnswerRecord): Record<string, unknown> => ({ ...answer, declined: answer.declined ? 1 : 0, latencyMs: Math.round(answer.latencyMs) });

/** The parameters of `addCounts` for a new answer. */
export const answerCountParams = (answer: AnswerRecord): Record<string, unknown> => ({
  day: dayOf(answer.createdAt),
  guild: answer.guildId ?? '',
  surface: answer.surface,
  questions: 1,
  declined: answer.declined ? 1 : 0,
  helpful: 0,
  unhelpful: 0,
  latency: Math.round(answer.latencyMs),
});

/** The parameters of `addCounts` for a vote that replaced `before` (null: a first vote) on the answer `answer`. */
export function voteCountParams(answer: AnswerRow, before: VoteValue | null, vote: VoteRecord): Record<string, unknown> {
  const helpful = (vote.value === 1 ? 1 : 0) - (before === 1 ? 1 : 0);
  const unhelpful = (vote.value === -1 ? 1 : 0) - (before === -1 ? 1 : 0);
  return { day: dayOf(answer.created_at), guild: answer.guild_id ?? '', surface: answer.surface, questions: 0, declined: 0, helpful, unhelpful, latency: 0 };
}

/** The parameters of `insertArticleChange`. */
export const articleChangeParams = (change: ArticleChangeRecord): Record<string, unknown> => ({ ...change, detail: change.detail === null ? null : JSON.stringify(change.detail) });

/** Whole seconds until a member asked at `askedAt` may ask again, at least 1. */
export const cooldownWait = (askedAt: number, now: number, seconds: number): number => Math.max(1, Math.ceil((askedAt + seconds * 1000 - now) / 1000));

import Database from 'better-sqlite3';
import { ErrorCode, QuelleError } from '../errors.ts';
import {
  dayOf,
  type ActivityCounts,
  type AnswerRecord,
  type ArticleChangeRecord,
  type CitationRecord,
  type CitedArticle,
  type CommunityStore,
  type DeclinedQuestion,
  type DeclinedUnvoted,
  type HelpfulAnswer,
  type PurgeRequest,
  type PurgeResult,
  type ReindexRun,
  type StoredAnswer,
  type UnhelpfulAnswer,
  type VoteOutcome,
  type VoteRecord,
  type VoteValue,
  type WindowQuery,
} from './community-store.ts';
import { MIGRATIONS, pendingMigrations, type Migration } from './migrations.ts';

export interface SqliteStoreOptions {
  /** The database file, or `:memory:` (tests). */
  readonly file: string;
  /**
   * Overwrite deleted content with zeros (default true), so that text removed by retention is not
   * left in free pages. Tests turn it off only to show that the file check would notice.
   */
  readonly secureDelete?: boolean;
}

/** How long a write waits for another process's (the bot's, `npm run insights`') before it fails. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it if needed) the SQLite database, brings its schema up to date and refuses
 * one written by a newer Quelle. The connection runs in WAL mode, so that `npm run insights`
 * reads while the bot writes; `synchronous = NORMAL` makes every committed transaction survive the
 * process being killed (a power cut may lose the last ones, never the file's consistency).
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteCommunityStore {
  let db: Database.Database;
  try {
    db = new Database(options.file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw unusable(options.file, error);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`secure_delete = ${options.secureDelete === false ? 'OFF' : 'ON'}`);
    // Large sorts and temporary tables stay in memory: no question text in temporary files either.
    db.pragma('temp_store = MEMORY');
    applyMigrations(db, options.file, MIGRATIONS);
    return new SqliteCommunityStore(db, options.file);
  } catch (error) {
    db.close();
    if (error instanceof QuelleError) throw error;
    throw unusable(options.file, error);
  }
}

function unusable(file: string, error: unknown): QuelleError {
  const code = (error as { code?: unknown }).code;
  const detail = `${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
  const fix =
    code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
      ? 'It is not a Quelle database or it is damaged: move it away (Quelle then starts a new one; the history in it is lost) or restore a backup.'
      : code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
        ? `Another process kept it locked for more than ${BUSY_TIMEOUT_MS / 1000} s: try again, and check that no other program holds it open.`
        : 'Check that QUELLE_DATA_DIR is a folder on a writable disk that the user running Quelle can write to.';
  return new QuelleError(ErrorCode.DatabaseUnusable, `Cannot use the database ${file} (${detail}). ${fix}`, { cause: error });
}

/** Applies each pending migration in its own transaction; refuses a database from a newer Quelle. */
export function applyMigrations(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (version > latest) {
    throw new QuelleError(
      ErrorCode.DatabaseTooNew,
      `The database ${file} was written by a newer version of Quelle (schema ${version}; this version knows schema ${latest} at most). ` +
        'Run the newer version, or point QUELLE_DATA_DIR at another folder to start a new database.',
    );
  }
  for (const migration of pendingMigrations(version, migrations)) {
    try {
      db.transaction(() => {
        for (const statement of migration.statements) db.exec(statement);
        // user_version is part of the database header, written by this same transaction.
        db.pragma(`user_version = ${migration.version}`);
      })();
    } catch (error) {
      throw new QuelleError(
        ErrorCode.DatabaseUnusable,
        `Updating the database ${file} to schema ${migration.version} (${migration.description}) failed: ${error instanceof Error ? error.message : String(error)}. ` +
          `It is left at schema ${migration.version - 1}, unchanged; this is a bug, please report it with this message.`,
        { cause: error },
      );
    }
  }
}

interface AnswerRow {
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

interface CitationRow {
  rank: number;
  article_id: string;
  paragraph: number;
  title: string;
  score: number;
  paragraph_hash: string | null;
}

interface ReindexRow {
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

interface ArticleChangeRow {
  id: string;
  at: number;
  action: string;
  article_id: string;
  actor_id: string | null;
  actor_name: string | null;
  detail: string | null;
}

const toCitation = (row: CitationRow): CitationRecord => ({
  rank: row.rank,
  articleId: row.article_id,
  paragraph: row.paragraph,
  title: row.title,
  score: row.score,
  paragraphHash: row.paragraph_hash,
});

/** Rows of a window query: `guild` null means every server. */
const windowParams = (query: WindowQuery): { since: number; guild: string | null } => ({ since: query.since, guild: query.guildId ?? null });

/**
 * The community store on one SQLite file, through better-sqlite3 (synchronous; each method does
 * its work at once and returns a settled Promise). Statements are prepared once; a method that
 * writes several rows runs them in one transaction.
 */
export class SqliteCommunityStore implements CommunityStore {
  private readonly statements;
  private readonly recordAnswerTx;
  private readonly setVoteTx;
  private readonly purgeTx;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {
    const guildFilter = '(@guild IS NULL OR a.guild_id = @guild)';
    this.statements = {
      insertAnswer: db.prepare(
        `INSERT INTO answers (id, created_at, guild_id, channel_id, surface, language, mode, declined, latency_ms, shown, question)
         VALUES (@id, @createdAt, @guildId, @channelId, @surface, @language, @mode, @declined, @latencyMs, @shown, @question)`,
      ),
      insertCitation: db.prepare(
        `INSERT INTO citations (answer_id, rank, article_id, paragraph, title, score, paragraph_hash)
         VALUES (@answerId, @rank, @articleId, @paragraph, @title, @score, @paragraphHash)`,
      ),
      addCounts: db.prepare(
        `INSERT INTO daily_counts (day, guild_id, surface, questions, declined, helpful, unhelpful, latency_ms_total)
         VALUES (@day, @guild, @surface, @questions, @declined, @helpful, @unhelpful, @latency)
         ON CONFLICT (day, guild_id, surface) DO UPDATE SET
           questions = daily_counts.questions + excluded.questions,
           declined = daily_counts.declined + excluded.declined,
           helpful = daily_counts.helpful + excluded.helpful,
           unhelpful = daily_counts.unhelpful + excluded.unhelpful,
           latency_ms_total = daily_counts.latency_ms_total + excluded.latency_ms_total`,
      ),
      selectAnswer: db.prepare('SELECT * FROM answers WHERE id = @id'),
      selectCitations: db.prepare('SELECT rank, article_id, paragraph, title, score, paragraph_hash FROM citations WHERE answer_id = @id ORDER BY rank'),
      selectShownCitations: db.prepare(
        'SELECT rank, article_id, paragraph, title, score, paragraph_hash FROM citations WHERE answer_id = @id AND rank <= @shown ORDER BY rank',
      ),
      selectVote: db.prepare('SELECT value, voted_at FROM votes WHERE answer_id = @answerId AND member_id = @memberId'),
      upsertVote: db.prepare(
        `INSERT INTO votes (answer_id, member_id, value, voted_at) VALUES (@answerId, @memberId, @value, @at)
         ON CONFLICT (answer_id, member_id) DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at`,
      ),
      countVotes: db.prepare(
        `SELECT COALESCE(SUM(CASE WHEN value = 1 THEN 1 ELSE 0 END), 0) AS up, COALESCE(SUM(CASE WHEN value = -1 THEN 1 ELSE 0 END), 0) AS down
         FROM votes WHERE answer_id = @answerId`,
      ),
      activity: db.prepare(
        `SELECT COALESCE(SUM(questions), 0) AS questions, COALESCE(SUM(declined), 0) AS declined, COALESCE(SUM(helpful), 0) AS helpful,
                COALESCE(SUM(unhelpful), 0) AS unhelpful, COALESCE(SUM(latency_ms_total), 0) AS latency
         FROM daily_counts WHERE day >= @sinceDay AND (@guild IS NULL OR guild_id = @guild)`,
      ),
      recentLatencies: db.prepare(`SELECT latency_ms FROM answers a WHERE ${guildFilter} ORDER BY created_at DESC LIMIT @limit`),
      declinedQuestions: db.prepare(
        `SELECT question, created_at FROM answers a
         WHERE created_at >= @since AND declined = 1 AND question IS NOT NULL AND ${guildFilter}
         ORDER BY created_at DESC LIMIT @limit`,
      ),
      mostCited: db.prepare(
        `SELECT c.article_id AS article_id, MAX(c.title) AS title, COUNT(DISTINCT c.answer_id) AS answers
         FROM answers a JOIN citations c ON c.answer_id = a.id
         WHERE a.created_at >= @since AND c.rank <= a.shown AND ${guildFilter}
         GROUP BY c.article_id ORDER BY answers DESC, article_id LIMIT @limit`,
      ),
      recentUnhelpful: db.prepare(
        `SELECT a.id AS id, a.created_at AS created_at, a.question AS question, a.declined AS declined, a.shown AS shown,
                SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END) AS down, SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END) AS up,
                MAX(CASE WHEN v.value = -1 THEN v.voted_at END) AS last_voted_at
         FROM answers a JOIN votes v ON v.answer_id = a.id
         WHERE a.created_at >= @since AND ${guildFilter}
         GROUP BY a.id, a.created_at, a.question, a.declined, a.shown
         HAVING SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END) > 0
         ORDER BY last_voted_at DESC, a.id LIMIT @limit`,
      ),
      helpfulAnswers: db.prepare(
        `SELECT a.id AS id, a.question AS question, a.language AS language, a.created_at AS created_at, t.up AS up, t.down AS down,
                c.rank AS rank, c.article_id AS article_id, c.paragraph AS paragraph, c.title AS title, c.score AS score, c.paragraph_hash AS paragraph_hash
         FROM answers a
         JOIN (SELECT answer_id, SUM(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN value = -1 THEN 1 ELSE 0 END) AS down
               FROM votes GROUP BY answer_id) t ON t.answer_id = a.id
         JOIN citations c ON c.answer_id = a.id AND c.rank = 1
         WHERE a.created_at >= @since AND a.declined = 0 AND a.question IS NOT NULL AND t.up > t.down AND ${guildFilter}
         ORDER BY a.created_at, a.id`,
      ),
      declinedWithoutHelpful: db.prepare(
        `SELECT a.id AS id, a.question AS question, a.language AS language, a.created_at AS created_at FROM answers a
         WHERE a.created_at >= @since AND a.declined = 1 AND a.question IS NOT NULL AND ${guildFilter}
           AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.answer_id = a.id AND v.value = 1)
         ORDER BY a.created_at, a.id`,
      ),
      insertReindex: db.prepare(
        `INSERT INTO reindex_runs (id, started_at, finished_at, outcome, trigger_name, actor_id, mode, model, articles, passages, added, changed, removed, skipped, error)
         VALUES (@id, @startedAt, @finishedAt, @outcome, @trigger, @actorId, @mode, @model, @articles, @passages, @added, @changed, @removed, @skipped, @error)`,
      ),
      lastReindex: db.prepare('SELECT * FROM reindex_runs ORDER BY finished_at DESC, id DESC LIMIT 1'),
      insertArticleChange: db.prepare(
        `INSERT INTO article_changes (id, at, action, article_id, actor_id, actor_name, detail)
         VALUES (@id, @at, @action, @articleId, @actorId, @actorName, @detail)`,
      ),
      articleChanges: db.prepare('SELECT * FROM article_changes ORDER BY at DESC, id DESC LIMIT @limit'),
      articleChangesOf: db.prepare('SELECT * FROM article_changes WHERE article_id = @articleId ORDER BY at DESC, id DESC LIMIT @limit'),
      forgetQuestions: db.prepare('UPDATE answers SET question = NULL WHERE created_at < @before AND question IS NOT NULL'),
      deleteAnswers: db.prepare('DELETE FROM answers WHERE created_at < @before'),
    };
    const s = this.statements;

    this.recordAnswerTx = db.transaction((answer: AnswerRecord) => {
      s.insertAnswer.run({ ...answer, declined: answer.declined ? 1 : 0, latencyMs: Math.round(answer.latencyMs) });
      for (const citation of answer.citations) s.insertCitation.run({ answerId: answer.id, ...citation });
      s.addCounts.run({
        day: dayOf(answer.createdAt),
        guild: answer.guildId ?? '',
        surface: answer.surface,
        questions: 1,
        declined: answer.declined ? 1 : 0,
        helpful: 0,
        unhelpful: 0,
        latency: Math.round(answer.latencyMs),
      });
    });

    this.setVoteTx = db.transaction((vote: VoteRecord): VoteOutcome | null => {
      const answer = s.selectAnswer.get({ id: vote.answerId }) as AnswerRow | undefined;
      if (!answer) return null;
      const before = s.selectVote.get(vote) as { value: VoteValue; voted_at: number } | undefined;
      const counts = (): { up: number; down: number } => s.countVotes.get(vote) as { up: number; down: number };
      // A vote that arrives after a later one of the same member (two presses racing) changes nothing.
      if (before && before.voted_at > vote.at) return { previous: before.value, current: before.value, ...counts() };
      s.upsertVote.run(vote);
      if (before?.value !== vote.value) {
        const up = (vote.value === 1 ? 1 : 0) - (before?.value === 1 ? 1 : 0);
        const down = (vote.value === -1 ? 1 : 0) - (before?.value === -1 ? 1 : 0);
        s.addCounts.run({ day: dayOf(answer.created_at), guild: answer.guild_id ?? '', surface: answer.surface, questions: 0, declined: 0, helpful: up, unhelpful: down, latency: 0 });
      }
      return { previous: before?.value ?? null, current: vote.value, ...counts() };
    });

    this.purgeTx = db.transaction((request: PurgeRequest) => ({
      questionTextsRemoved: s.forgetQuestions.run({ before: request.questionTextBefore }).changes,
      answersRemoved: s.deleteAnswers.run({ before: request.answersBefore }).changes,
    }));
  }

  recordAnswer(answer: AnswerRecord): Promise<void> {
    return this.guard(() => this.recordAnswerTx(answer));
  }

  findAnswer(id: string): Promise<StoredAnswer | null> {
    return this.guard(() => {
      const row = this.statements.selectAnswer.get({ id }) as AnswerRow | undefined;
      if (!row) return null;
      const citations = (this.statements.selectCitations.all({ id }) as CitationRow[]).map(toCitation);
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
        citations,
      };
    });
  }

  setVote(vote: VoteRecord): Promise<VoteOutcome | null> {
    return this.guard(() => this.setVoteTx(vote));
  }

  activityCounts(query: WindowQuery): Promise<ActivityCounts> {
    return this.guard(() => {
      const row = this.statements.activity.get({ sinceDay: dayOf(query.since), guild: query.guildId ?? null }) as {
        questions: number;
        declined: number;
        helpful: number;
        unhelpful: number;
        latency: number;
      };
      return { questions: row.questions, declined: row.declined, helpful: row.helpful, unhelpful: row.unhelpful, latencyMsTotal: row.latency };
    });
  }

  recentLatencies(limit: number, guildId?: string): Promise<number[]> {
    return this.guard(() => (this.statements.recentLatencies.all({ limit, guild: guildId ?? null }) as { latency_ms: number }[]).map((row) => row.latency_ms));
  }

  declinedQuestions(query: WindowQuery, limit: number): Promise<DeclinedQuestion[]> {
    return this.guard(() => {
      const rows = this.statements.declinedQuestions.all({ ...windowParams(query), limit }) as { question: string; created_at: number }[];
      return rows.map((row) => ({ question: row.question, createdAt: row.created_at }));
    });
  }

  mostCitedArticles(query: WindowQuery, limit: number): Promise<CitedArticle[]> {
    return this.guard(() => {
      const rows = this.statements.mostCited.all({ ...windowParams(query), limit }) as { article_id: string; title: string; answers: number }[];
      return rows.map((row) => ({ articleId: row.article_id, title: row.title, answers: row.answers }));
    });
  }

  recentUnhelpful(query: WindowQuery, limit: number): Promise<UnhelpfulAnswer[]> {
    return this.guard(() => {
      const rows = this.statements.recentUnhelpful.all({ ...windowParams(query), limit }) as {
        id: string;
        created_at: number;
        question: string | null;
        declined: number;
        shown: number;
        down: number;
        up: number;
        last_voted_at: number;
      }[];
      return rows.map((row) => ({
        answerId: row.id,
        createdAt: row.created_at,
        question: row.question,
        declined: row.declined === 1,
        down: row.down,
        up: row.up,
        lastVotedAt: row.last_voted_at,
        cited: (this.statements.selectShownCitations.all({ id: row.id, shown: row.shown }) as CitationRow[]).map(toCitation),
      }));
    });
  }

  helpfulAnswers(query: WindowQuery): Promise<HelpfulAnswer[]> {
    return this.guard(() => {
      const rows = this.statements.helpfulAnswers.all(windowParams(query)) as (CitationRow & {
        id: string;
        question: string;
        language: HelpfulAnswer['language'];
        created_at: number;
        up: number;
        down: number;
      })[];
      return rows.map((row) => ({ answerId: row.id, question: row.question, language: row.language, createdAt: row.created_at, up: row.up, down: row.down, first: toCitation(row) }));
    });
  }

  declinedWithoutHelpful(query: WindowQuery): Promise<DeclinedUnvoted[]> {
    return this.guard(() => {
      const rows = this.statements.declinedWithoutHelpful.all(windowParams(query)) as { id: string; question: string; language: DeclinedUnvoted['language']; created_at: number }[];
      return rows.map((row) => ({ answerId: row.id, question: row.question, language: row.language, createdAt: row.created_at }));
    });
  }

  recordReindex(run: ReindexRun): Promise<void> {
    return this.guard(() => void this.statements.insertReindex.run(run));
  }

  lastReindex(): Promise<ReindexRun | null> {
    return this.guard(() => {
      const row = this.statements.lastReindex.get() as ReindexRow | undefined;
      if (!row) return null;
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
    });
  }

  recordArticleChange(change: ArticleChangeRecord): Promise<void> {
    return this.guard(() => {
      this.statements.insertArticleChange.run({ ...change, detail: change.detail === null ? null : JSON.stringify(change.detail) });
    });
  }

  articleChanges(limit: number, articleId?: string): Promise<ArticleChangeRecord[]> {
    return this.guard(() => {
      const rows = (articleId === undefined ? this.statements.articleChanges.all({ limit }) : this.statements.articleChangesOf.all({ limit, articleId })) as ArticleChangeRow[];
      return rows.map((row) => ({
        id: row.id,
        at: row.at,
        action: row.action,
        articleId: row.article_id,
        actorId: row.actor_id,
        actorName: row.actor_name,
        detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
      }));
    });
  }

  /**
   * Removes expired text and answers in one transaction. With secure_delete on, SQLite overwrites
   * what it deletes (cells and freed pages) with zeros; the checkpoint then copies those pages
   * into the database file and truncates the write-ahead log, which still held the old page
   * images. `checkpointed` is false when another connection's read kept the log from being
   * truncated: the next purge tries again.
   */
  purge(request: PurgeRequest): Promise<PurgeResult & { readonly checkpointed: boolean }> {
    return this.guard(() => {
      const removed = this.purgeTx(request);
      if (removed.questionTextsRemoved === 0 && removed.answersRemoved === 0) return { ...removed, checkpointed: true };
      return { ...removed, checkpointed: this.checkpoint() };
    });
  }

  /**
   * Runs a statement's work and settles the Promise with it; an SQLite failure (a damaged page, a
   * read-only file, a lock held too long by another process) becomes an error that names the
   * file and the fix, not a stack trace.
   */
  private guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Database.SqliteError ? unusable(this.location, error) : error);
    }
  }

  /** Copies the write-ahead log into the database file and truncates it; false when a reader kept it from completing. */
  checkpoint(): boolean {
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    return result === undefined || result.busy === 0;
  }

  /** `PRAGMA integrity_check`: "ok" for a sound file. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).join('\n');
  }

  /** The schema version the file records. */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

import Database from 'better-sqlite3';
import { ErrorCode, QuelleError } from '../errors.ts';
import {
  dayOf,
  type ActivityCounts,
  type AnswerRecord,
  type ArticleChangeRecord,
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
import {
  answerCountParams,
  answerParams,
  articleChangeParams,
  COMMUNITY_SQL,
  cooldownWait,
  toArticleChange,
  toCitation,
  toReindexRun,
  toStoredAnswer,
  toUnhelpful,
  voteCountParams,
  windowParams,
  type ActivityRow,
  type AnswerRow,
  type ArticleChangeRow,
  type CitationRow,
  type CommunityStatement,
  type HelpfulRow,
  type ReindexRow,
  type UnhelpfulRow,
} from './community-sql.ts';
import type { CooldownStore } from './cooldown-store.ts';
import { databaseTooNew, migrationFailed, MIGRATIONS, pendingMigrations, type Migration } from './migrations.ts';

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
  if (version > latest) throw databaseTooNew(file, version, latest, 'point QUELLE_DATA_DIR at another folder to start a new database');
  const apply = db.transaction((migration: Migration) => {
    // Read again under the write lock (BEGIN IMMEDIATE): another process opening the same new
    // database at the same moment (two shards, two units started together) may have applied it.
    if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
    for (const statement of migration.statements) db.exec(statement);
    // user_version is part of the database header, written by this same transaction.
    db.pragma(`user_version = ${migration.version}`);
  });
  for (const migration of pendingMigrations(version, migrations)) {
    try {
      apply.immediate(migration);
    } catch (error) {
      throw migrationFailed(file, migration, error);
    }
  }
}

/**
 * The community store on one SQLite file, through better-sqlite3 (synchronous; each method does
 * its work at once and returns a settled Promise). Statements (community-sql.ts) are prepared
 * once; a method that writes several rows runs them in one transaction.
 */
export class SqliteCommunityStore implements CommunityStore, CooldownStore {
  private readonly statements: Record<CommunityStatement, Database.Statement>;
  private readonly recordAnswerTx;
  private readonly setVoteTx;
  private readonly purgeTx;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {
    this.statements = Object.fromEntries(Object.entries(COMMUNITY_SQL).map(([name, sql]) => [name, db.prepare(sql)])) as Record<CommunityStatement, Database.Statement>;
    const s = this.statements;

    this.recordAnswerTx = db.transaction((answer: AnswerRecord) => {
      s.insertAnswer.run(answerParams(answer));
      for (const citation of answer.citations) s.insertCitation.run({ answerId: answer.id, ...citation });
      s.addCounts.run(answerCountParams(answer));
    });

    this.setVoteTx = db.transaction((vote: VoteRecord): VoteOutcome | null => {
      const answer = s.selectAnswer.get({ id: vote.answerId }) as AnswerRow | undefined;
      if (!answer) return null;
      const before = s.selectVote.get(vote) as { value: VoteValue; voted_at: number } | undefined;
      const counts = (): { up: number; down: number } => s.countVotes.get(vote) as { up: number; down: number };
      // A vote that arrives after a later one of the same member (two presses racing) changes nothing.
      if (before && before.voted_at > vote.at) return { previous: before.value, current: before.value, ...counts() };
      s.upsertVote.run(vote);
      if (before?.value !== vote.value) s.addCounts.run(voteCountParams(answer, before?.value ?? null, vote));
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
      return row ? toStoredAnswer(row, this.statements.selectCitations.all({ id }) as CitationRow[]) : null;
    });
  }

  setVote(vote: VoteRecord): Promise<VoteOutcome | null> {
    // BEGIN IMMEDIATE: the transaction reads before it writes, and in WAL mode a read transaction
    // that another process wrote past cannot become a write one (SQLITE_BUSY at once, without the
    // busy timeout); taking the write lock first waits for it instead. Seen with two bot processes
    // recording votes together (test/e2e/shards.e2e.test.ts, about one run in five).
    return this.guard(() => this.setVoteTx.immediate(vote));
  }

  activityCounts(query: WindowQuery): Promise<ActivityCounts> {
    return this.guard(() => {
      const row = this.statements.activity.get({ sinceDay: dayOf(query.since), guild: query.guildId ?? null }) as ActivityRow;
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
      const rows = this.statements.recentUnhelpful.all({ ...windowParams(query), limit }) as UnhelpfulRow[];
      return rows.map((row) => toUnhelpful(row, this.statements.selectShownCitations.all({ id: row.id, shown: row.shown }) as CitationRow[]));
    });
  }

  helpfulAnswers(query: WindowQuery): Promise<HelpfulAnswer[]> {
    return this.guard(() => {
      const rows = this.statements.helpfulAnswers.all(windowParams(query)) as HelpfulRow[];
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
      return row ? toReindexRun(row) : null;
    });
  }

  recordArticleChange(change: ArticleChangeRecord): Promise<void> {
    return this.guard(() => void this.statements.insertArticleChange.run(articleChangeParams(change)));
  }

  articleChanges(limit: number, articleId?: string): Promise<ArticleChangeRecord[]> {
    return this.guard(() => {
      const rows = (articleId === undefined ? this.statements.articleChanges.all({ limit }) : this.statements.articleChangesOf.all({ limit, articleId })) as ArticleChangeRow[];
      return rows.map(toArticleChange);
    });
  }

  takeCooldown(memberId: string, now: number, seconds: number): Promise<number> {
    return this.guard(() => {
      const params = { memberId, now, readyBefore: now - seconds * 1000 };
      if (this.statements.takeCooldown.get(params)) return 0;
      const last = this.statements.cooldownOf.get(params) as { asked_at: number } | undefined;
      return last ? cooldownWait(last.asked_at, now, seconds) : 0;
    });
  }

  forgetCooldowns(before: number): Promise<number> {
    return this.guard(() => this.statements.forgetCooldowns.run({ before }).changes);
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

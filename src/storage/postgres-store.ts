import type pg from 'pg';
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
import { MIGRATIONS } from './migrations.ts';
import { applyPostgresMigrations, createPool, databaseError, describeDatabaseUrl, inTransaction, schemaVersion } from './postgres.ts';
import { lockingRead, positionalValues, toPositional, type PositionalStatement } from './sql-dialect.ts';

/** The community store's component in `quelle_schema_versions`. */
export const COMMUNITY_COMPONENT = 'community';

export interface PostgresStoreOptions {
  /** DATABASE_URL. */
  readonly url: string;
  /**
   * Create the tables when missing (the bot); false for commands that only read what the bot
   * recorded, which then say that there is nothing yet.
   */
  readonly create: boolean;
  /** Connections at most (default 5: a bot's writes are short, one at a time per interaction). */
  readonly maxConnections?: number;
}

type Params = object;

/** Runs statements by name on a pool or on one connection in a transaction. */
class Statements {
  constructor(
    private readonly queryable: pg.Pool | pg.PoolClient,
    private readonly compiled: Readonly<Record<CommunityStatement | 'selectAnswerForVote', PositionalStatement>>,
  ) {}

  async all<Row extends pg.QueryResultRow>(name: keyof Statements['compiled'], params: Params = {}): Promise<Row[]> {
    const statement = this.compiled[name];
    return (await this.queryable.query<Row>({ name: `quelle_${name}`, text: statement.text, values: positionalValues(statement, params) })).rows;
  }

  async get<Row extends pg.QueryResultRow>(name: keyof Statements['compiled'], params: Params = {}): Promise<Row | undefined> {
    return (await this.all<Row>(name, params))[0];
  }

  async run(name: keyof Statements['compiled'], params: Params = {}): Promise<number> {
    const statement = this.compiled[name];
    return (await this.queryable.query({ name: `quelle_${name}`, text: statement.text, values: positionalValues(statement, params) })).rowCount ?? 0;
  }
}

/**
 * Opens the community store on PostgreSQL: connects, brings the schema up to date (the same
 * migrations as SQLite, see postgres.ts for the version table), and refuses a database written by
 * a newer Quelle. With `create: false` and no Quelle tables yet, says so instead of creating them.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresCommunityStore> {
  const location = describeDatabaseUrl(options.url);
  const pool = createPool(options.url, { role: 'community', max: options.maxConnections ?? 5 });
  try {
    if (!options.create && (await schemaVersion(pool, COMMUNITY_COMPONENT)) === 0) {
      throw new QuelleError(
        ErrorCode.DatabaseMissing,
        `No Quelle tables in ${location} yet: the bot creates them when it starts with this DATABASE_URL. Check DATABASE_URL if the bot uses another database.`,
      );
    }
    await applyPostgresMigrations({ pool, location, component: COMMUNITY_COMPONENT, tooNewFix: 'point DATABASE_URL at another database' }, MIGRATIONS);
    return new PostgresCommunityStore(pool, location, options.url);
  } catch (error) {
    await pool.end().catch(() => {});
    throw databaseError(options.url, error);
  }
}

/**
 * The community store on PostgreSQL, through a pg pool: the statements of community-sql.ts with
 * positional parameters, and a method that writes several rows in one transaction. Several bot
 * processes (shards, hosts) share it; a vote locks its answer's row, so that two presses at once
 * are counted one after the other.
 */
export class PostgresCommunityStore implements CommunityStore, CooldownStore {
  private readonly compiled: Record<CommunityStatement | 'selectAnswerForVote', PositionalStatement>;
  private readonly statements: Statements;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
    private readonly url: string,
  ) {
    const compiled = Object.fromEntries(Object.entries(COMMUNITY_SQL).map(([name, sql]) => [name, toPositional(sql)])) as Record<CommunityStatement, PositionalStatement>;
    this.compiled = { ...compiled, selectAnswerForVote: toPositional(lockingRead(COMMUNITY_SQL.selectAnswer, 'postgres')) };
    this.statements = new Statements(pool, this.compiled);
  }

  recordAnswer(answer: AnswerRecord): Promise<void> {
    return this.transaction(async (s) => {
      await s.run('insertAnswer', answerParams(answer));
      for (const citation of answer.citations) await s.run('insertCitation', { answerId: answer.id, ...citation });
      await s.run('addCounts', answerCountParams(answer));
    });
  }

  findAnswer(id: string): Promise<StoredAnswer | null> {
    return this.guard(async () => {
      const row = await this.statements.get<AnswerRow>('selectAnswer', { id });
      return row ? toStoredAnswer(row, await this.statements.all<CitationRow>('selectCitations', { id })) : null;
    });
  }

  setVote(vote: VoteRecord): Promise<VoteOutcome | null> {
    const params = { ...vote };
    return this.transaction(async (s) => {
      // Locked until the end of the transaction: votes on one answer are counted one at a time.
      const answer = await s.get<AnswerRow>('selectAnswerForVote', { id: vote.answerId });
      if (!answer) return null;
      const before = await s.get<{ value: VoteValue; voted_at: number }>('selectVote', params);
      const counts = async (): Promise<{ up: number; down: number }> => (await s.get<{ up: number; down: number }>('countVotes', params))!;
      // A vote that arrives after a later one of the same member (two presses racing) changes nothing.
      if (before && before.voted_at > vote.at) return { previous: before.value, current: before.value, ...(await counts()) };
      await s.run('upsertVote', params);
      if (before?.value !== vote.value) await s.run('addCounts', voteCountParams(answer, before?.value ?? null, vote));
      return { previous: before?.value ?? null, current: vote.value, ...(await counts()) };
    });
  }

  activityCounts(query: WindowQuery): Promise<ActivityCounts> {
    return this.guard(async () => {
      const row = (await this.statements.get<ActivityRow>('activity', { sinceDay: dayOf(query.since), guild: query.guildId ?? null }))!;
      return { questions: row.questions, declined: row.declined, helpful: row.helpful, unhelpful: row.unhelpful, latencyMsTotal: row.latency };
    });
  }

  recentLatencies(limit: number, guildId?: string): Promise<number[]> {
    return this.guard(async () => (await this.statements.all<{ latency_ms: number }>('recentLatencies', { limit, guild: guildId ?? null })).map((row) => row.latency_ms));
  }

  declinedQuestions(query: WindowQuery, limit: number): Promise<DeclinedQuestion[]> {
    return this.guard(async () => {
      const rows = await this.statements.all<{ question: string; created_at: number }>('declinedQuestions', { ...windowParams(query), limit });
      return rows.map((row) => ({ question: row.question, createdAt: row.created_at }));
    });
  }

  mostCitedArticles(query: WindowQuery, limit: number): Promise<CitedArticle[]> {
    return this.guard(async () => {
      const rows = await this.statements.all<{ article_id: string; title: string; answers: number }>('mostCited', { ...windowParams(query), limit });
      return rows.map((row) => ({ articleId: row.article_id, title: row.title, answers: row.answers }));
    });
  }

  recentUnhelpful(query: WindowQuery, limit: number): Promise<UnhelpfulAnswer[]> {
    return this.guard(async () => {
      const rows = await this.statements.all<UnhelpfulRow>('recentUnhelpful', { ...windowParams(query), limit });
      return Promise.all(rows.map(async (row) => toUnhelpful(row, await this.statements.all<CitationRow>('selectShownCitations', { id: row.id, shown: row.shown }))));
    });
  }

  helpfulAnswers(query: WindowQuery): Promise<HelpfulAnswer[]> {
    return this.guard(async () => {
      const rows = await this.statements.all<HelpfulRow>('helpfulAnswers', windowParams(query));
      return rows.map((row) => ({ answerId: row.id, question: row.question, language: row.language, createdAt: row.created_at, up: row.up, down: row.down, first: toCitation(row) }));
    });
  }

  declinedWithoutHelpful(query: WindowQuery): Promise<DeclinedUnvoted[]> {
    return this.guard(async () => {
      const rows = await this.statements.all<{ id: string; question: string; language: DeclinedUnvoted['language']; created_at: number }>('declinedWithoutHelpful', windowParams(query));
      return rows.map((row) => ({ answerId: row.id, question: row.question, language: row.language, createdAt: row.created_at }));
    });
  }

  recordReindex(run: ReindexRun): Promise<void> {
    return this.guard(async () => void (await this.statements.run('insertReindex', run)));
  }

  lastReindex(): Promise<ReindexRun | null> {
    return this.guard(async () => {
      const row = await this.statements.get<ReindexRow>('lastReindex');
      return row ? toReindexRun(row) : null;
    });
  }

  recordArticleChange(change: ArticleChangeRecord): Promise<void> {
    return this.guard(async () => void (await this.statements.run('insertArticleChange', articleChangeParams(change))));
  }

  articleChanges(limit: number, articleId?: string): Promise<ArticleChangeRecord[]> {
    return this.guard(async () => {
      const rows = await (articleId === undefined ? this.statements.all<ArticleChangeRow>('articleChanges', { limit }) : this.statements.all<ArticleChangeRow>('articleChangesOf', { limit, articleId }));
      return rows.map(toArticleChange);
    });
  }

  takeCooldown(memberId: string, now: number, seconds: number): Promise<number> {
    return this.guard(async () => {
      const params = { memberId, now, readyBefore: now - seconds * 1000 };
      // Twice at most: the member's row may be forgotten between the two statements.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (await this.statements.get('takeCooldown', params)) return 0;
        const last = await this.statements.get<{ asked_at: number }>('cooldownOf', params);
        if (last) return cooldownWait(last.asked_at, now, seconds);
      }
      return 0;
    });
  }

  forgetCooldowns(before: number): Promise<number> {
    return this.guard(() => this.statements.run('forgetCooldowns', { before }));
  }

  /**
   * Removes expired text and answers in one transaction; they are invisible to every query from
   * its commit on. Unlike SQLite's `secure_delete`, PostgreSQL cannot promise that the bytes
   * leave its files: the old row versions stay in the table's pages until VACUUM reclaims the
   * space (and a reclaimed page is reused, not wiped), and the write-ahead log, its archive,
   * replicas and backups keep what was written. So question text that must never be on disk is
   * never written at all (QUELLE_LOG_DAYS=0); see the README's PostgreSQL section.
   */
  purge(request: PurgeRequest): Promise<PurgeResult> {
    return this.transaction(async (s) => ({
      questionTextsRemoved: await s.run('forgetQuestions', { before: request.questionTextBefore }),
      answersRemoved: await s.run('deleteAnswers', { before: request.answersBefore }),
    }));
  }

  /** The community schema version the database records. */
  schemaVersion(): Promise<number> {
    return this.guard(() => schemaVersion(this.pool, 'community'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs `work` in one transaction; a failure becomes an error that names the database and the fix. */
  private transaction<T>(work: (statements: Statements) => Promise<T>): Promise<T> {
    return this.guard(() => inTransaction(this.pool, (client) => work(new Statements(client, this.compiled))));
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw databaseError(this.url, error);
    }
  }
}

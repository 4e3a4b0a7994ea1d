import type { CommunityLog } from '../community/community-log.ts';
import { HOUR_MS, openCommunityLog, type OpenedCommunityLog } from '../community/open-community-log.ts';
import { indexParagraphs, type ParagraphSource } from '../community/paragraphs.ts';
import type { SearchIndex } from '../index/search-index.ts';
import type { Logger } from '../logger.ts';
import type { CommunityDatabase } from '../storage/open-store.ts';

export interface CommunityConnectionOptions {
  /** QUELLE_DATA_DIR. */
  readonly dataDir: string;
  /** QUELLE_LOG_DAYS. */
  readonly logDays: number;
  /** DATABASE_URL: PostgreSQL, shared by every process and host, instead of the SQLite file in `dataDir`. */
  readonly databaseUrl?: string | null;
  /** The index answering now (it changes with every reindex), or null while none is loaded. */
  readonly currentIndex: () => SearchIndex | null;
  readonly logger: Logger;
}

/**
 * The bot's connection to the community database (questions, votes, history): opened by
 * `Bot.start()` before the bot logs in, so that every interaction finds it open, and closed at
 * shutdown. The buttons read the paragraphs of the index that serves now: built once per index
 * generation, and again after each swap (keyed by the index object, so an old one is let go).
 */
export class CommunityConnection {
  private opened: OpenedCommunityLog | null = null;
  private readonly paragraphsByIndex = new WeakMap<SearchIndex, ParagraphSource>();

  constructor(private readonly options: CommunityConnectionOptions) {}

  /** Opens the database (creating it) and applies retention now and hourly; DATABASE_TOO_NEW or DATABASE_UNUSABLE say what to do. */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = await openCommunityLog({
      dataDir: this.options.dataDir,
      databaseUrl: this.options.databaseUrl ?? null,
      logDays: this.options.logDays,
      create: true,
      paragraphs: () => this.currentParagraphs(),
      purgeEveryMs: HOUR_MS,
      logger: this.options.logger,
    });
  }

  /** The community use cases (answers, votes, buttons, stats). */
  get log(): CommunityLog {
    return this.require().log;
  }

  /** The storage itself, for /insights. */
  get store(): CommunityDatabase {
    return this.require().store;
  }

  get logDays(): number {
    return this.options.logDays;
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = null;
    await opened?.close();
  }

  private require(): OpenedCommunityLog {
    if (!this.opened) throw new Error('The community database is not open: Bot.start() opens it before the bot logs in, and stop() closes it.');
    return this.opened;
  }

  private currentParagraphs(): ParagraphSource | null {
    const index = this.options.currentIndex();
    if (!index) return null;
    let paragraphs = this.paragraphsByIndex.get(index);
    if (!paragraphs) {
      paragraphs = indexParagraphs(index);
      this.paragraphsByIndex.set(index, paragraphs);
    }
    return paragraphs;
  }
}

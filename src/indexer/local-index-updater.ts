import type { IndexUpdate, IndexUpdater } from '../article-admin/index-updater.ts';
import type { ModelSettings } from '../embedding/model-settings.ts';
import { describeError, ErrorCode, isQuelleError } from '../errors.ts';
import { IndexLockedError } from '../index/build-lock.ts';
import { loadIndex } from '../index/index-store.ts';
import type { IndexMode } from '../index/manifest.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { runIndexer } from './run-indexer.ts';
import type { IndexDistribution } from '../index/generation-distribution.ts';

export interface LocalIndexUpdaterOptions {
  readonly seedsDir: string;
  readonly indexDir: string;
  readonly mode: IndexMode;
  readonly modelSettings: ModelSettings;
  readonly logger?: Logger;
  /** How long to wait for another build (the bot's) to release the lock (default 2 min). */
  readonly lockWaitMs?: number;
  readonly signal?: AbortSignal;
  /** Hosts sharing one index (DATABASE_URL): see `RunIndexerOptions.distribution`. */
  readonly distribution?: IndexDistribution | null;
}

/**
 * The command line's {@link IndexUpdater}: builds in this process (unchanged passages keep their
 * vectors; nothing is saved when nothing changed), waiting while another process (a running
 * bot) holds the build lock. A running bot serves the result as soon as it is saved.
 */
export class LocalIndexUpdater implements IndexUpdater {
  private serving: SearchIndex | null = null;

  constructor(private readonly options: LocalIndexUpdaterOptions) {}

  /** Reads the current index (for titles); a missing or unreadable one leaves none. */
  async load(): Promise<void> {
    try {
      this.serving = await loadIndex(this.options.indexDir, { vectors: 'skip' });
    } catch (error) {
      if (!isQuelleError(error, ErrorCode.IndexMissing)) (this.options.logger ?? silentLogger).warn(`The index cannot be read: ${describeError(error)}`);
    }
  }

  current(): SearchIndex | null {
    return this.serving;
  }

  async update(): Promise<IndexUpdate> {
    const logger = this.options.logger ?? silentLogger;
    const deadline = Date.now() + (this.options.lockWaitMs ?? 120_000);
    for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
      try {
        // The index on disk is read again: `serving` was read without its vectors.
        const run = await runIndexer({ ...this.options, skipUnchanged: true });
        this.serving = run.index;
        return { summary: run.summary, index: run.index };
      } catch (error) {
        if (!(error instanceof IndexLockedError) || error.holder?.thisProcess || Date.now() + wait > deadline) throw error;
        logger.info(`Another build (process ${error.holder?.pid ?? '?'}) holds the index lock; waiting for it…`);
        await new Promise((resolve) => setTimeout(resolve, wait));
        this.options.signal?.throwIfAborted();
      }
    }
  }
}

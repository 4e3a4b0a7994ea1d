import { performance } from 'node:perf_hooks';
import type { CoreConfig } from '../config.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { describeError, ErrorCode, QuelleError, UserError } from '../errors.ts';
import type { BuildProgress } from '../indexer/build-index.ts';
import { IndexLockedError } from '../index/build-lock.ts';
import { watchCurrentGeneration, type GenerationWatch } from '../index/generation-watch.ts';
import { syncPublishedGeneration, type IndexDistribution, type PublicationWatch } from '../index/generation-distribution.ts';
import { currentGeneration, loadIndex } from '../index/index-store.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { CoalescingRunner } from '../indexer/coalescing-runner.ts';
import { runIndexer, type IndexerRun, type IndexSummary, type RunIndexerOptions } from '../indexer/run-indexer.ts';
import type { Logger } from '../logger.ts';
import { openRetriever, retrieverFor, type OpenRetrieverOptions } from '../retrieval/open-retriever.ts';
import type { Retriever, SearchResponse } from '../retrieval/retriever.ts';
import { openIndexDistribution } from '../storage/postgres-generations.ts';
import { AnswerStats } from './answer-stats.ts';

export interface ReindexRecord {
  readonly finishedAt: Date;
  readonly summary: IndexSummary;
}

export interface SearchServiceOptions {
  /**
   * Serve a generation another process (`npm run index`, `npm run articles`) made current, as
   * soon as it can be loaded; the old one serves until then. Also picks up the first index of a
   * bot started before there was one.
   */
  readonly hotReload?: boolean;
  /** Waits between attempts while another process holds the build lock (default 1 s, doubling to 10 s). */
  readonly lockRetryMs?: number;
  /**
   * How the index is shared with other hosts; by default PostgreSQL when DATABASE_URL is set
   * (src/storage/postgres-generations.ts), otherwise none (this host's index folder only).
   */
  readonly distribution?: IndexDistribution | null;
}

/** The longest wait between attempts to take the build lock for an update. */
const LOCK_RETRY_MAX_MS = 10_000;

/**
 * What the bot searches with: the loaded index and model, swapped atomically after a reindex.
 * Questions keep being answered from the old index while a new one is built; a failed
 * reindex leaves the old one serving. Builds run one at a time: /reindex, and updates after an
 * article changed (coalesced: the requests made during one build share the next).
 */
export class SearchService {
  private retriever: Retriever | null = null;
  private embedder: Embedder | null = null;
  private embedderProblem: string | null = null;
  private indexProblem: string | null = 'the index has not been loaded yet';
  private running: Promise<IndexSummary> | null = null;
  private lastReindex: ReindexRecord | null = null;
  private readonly updates = new CoalescingRunner(() => this.runUpdate());
  /** The generation serving (its directory name), to tell a foreign CURRENT from our own. */
  private servingGeneration: string | null = null;
  /** Bumped at every swap: a reload that started before a swap must not undo it. */
  private swaps = 0;
  private generationWatch: GenerationWatch | null = null;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private stopped = false;
  private distribution: IndexDistribution | null = null;
  private publicationWatch: PublicationWatch | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  readonly stats = new AnswerStats();
  readonly startedAt = new Date();

  constructor(
    private readonly config: CoreConfig,
    private readonly logger: Logger,
    /** A model to use instead of loading the configured one (tests: a slow or failing embedder). */
    private readonly injectedEmbedder?: Embedder,
    private readonly options: SearchServiceOptions = {},
  ) {}

  /** Loads the model (unless lexical) and the index; a missing index is reported, not thrown. */
  async start(): Promise<void> {
    if (this.config.mode !== 'lexical' && this.injectedEmbedder) {
      this.embedder = this.injectedEmbedder;
    } else if (this.config.mode !== 'lexical') {
      const opened = await openEmbedder(this.config.model, this.logger);
      this.embedder = opened.embedder;
      this.embedderProblem = opened.unavailableReason;
      if (this.embedderProblem) this.logger.warn({ reason: this.embedderProblem }, 'No embedding model: answering in lexical mode');
    }
    this.distribution = this.options.distribution !== undefined ? this.options.distribution : await openIndexDistribution(this.config.databaseUrl, this.logger);
    // The deployment's newest index, before anything serves (a new host, or one that was down).
    if (this.distribution) await this.installPublished(this.distribution);
    try {
      this.servingGeneration = await currentGeneration(this.config.indexDir).catch(() => null);
      // The model was tried just above: a failure is passed on, not met again by a second load.
      this.retriever = await openRetriever({ indexDir: this.config.indexDir, ...this.retrieverOptions(), logger: this.logger });
      this.indexProblem = null;
      const vectorsProblem = this.vectorsProblem;
      if (vectorsProblem) this.logger.warn({ reason: vectorsProblem }, 'The index has no usable vectors: answering lexically until a moderator runs /reindex');
    } catch (error) {
      this.indexProblem = describeError(error);
      this.logger.error({ reason: this.indexProblem }, 'The index is unavailable; /ask will say so until a moderator runs /reindex');
    }
    if (this.options.hotReload) {
      try {
        this.generationWatch = await watchCurrentGeneration(this.config.indexDir, () => void this.reloadIfForeign(), this.logger);
      } catch (error) {
        this.logger.warn({ error: describeError(error) }, 'Cannot watch the index folder; an index built by another process is served after the next /reindex or restart');
      }
      if (this.distribution) this.publicationWatch = await this.distribution.watch(() => void this.syncPublished());
    }
  }

  get current(): Retriever | null {
    return this.retriever;
  }

  get unavailableReason(): string | null {
    return this.indexProblem;
  }

  get modelProblem(): string | null {
    return this.embedderProblem;
  }

  /** Why the serving hybrid index has no vectors (a damaged vector file), or null. */
  get vectorsProblem(): string | null {
    return this.config.mode === 'lexical' ? null : (this.retriever?.index.vectorsProblem ?? null);
  }

  private retrieverOptions(): Omit<OpenRetrieverOptions, 'indexDir'> {
    return {
      modelSettings: this.config.model,
      mode: this.config.mode,
      embedder: this.embedder,
      embedderUnavailableReason: this.embedderProblem,
      relevance: this.config.relevance,
      fusion: this.config.fusion,
    };
  }

  /** True while any build runs: /reindex or an update. */
  get reindexRunning(): boolean {
    return this.running !== null || this.updates.busy;
  }

  get lastReindexRecord(): ReindexRecord | null {
    return this.lastReindex;
  }

  /**
   * Answers a question from the current index; a UserError when there is none. Dense mode without
   * a usable model or vectors answers by word search, as hybrid mode does, with the notice that
   * says so (the answer shows it in the user's language), rather than failing every question.
   */
  async ask(question: string, k: number, signal?: AbortSignal): Promise<SearchResponse> {
    const retriever = this.retriever;
    if (!retriever) throw new UserError(ErrorCode.IndexMissing, 'index unavailable');
    const started = performance.now();
    const denseProblem = this.config.mode === 'dense' ? retriever.denseUnavailableReason() : null;
    const found = await retriever.search(question, { k, mode: denseProblem ? 'lexical' : this.config.mode, ...(signal ? { signal } : {}) });
    const response = denseProblem
      ? { ...found, notice: `Answering in lexical mode: ${denseProblem}.`, ...(!retriever.index.vectors && retriever.index.vectorsProblem ? { vectorsDamaged: true } : {}) }
      : found;
    this.stats.record(performance.now() - started);
    return response;
  }

  /**
   * Rebuilds the index in the background of the event loop and swaps it in when it is saved.
   * Throws INDEX_LOCKED when a reindex is already running.
   */
  reindex(onProgress?: (progress: BuildProgress) => void, signal?: AbortSignal): Promise<IndexSummary> {
    if (this.reindexRunning) throw new UserError(ErrorCode.IndexLocked, 'reindex already running');
    this.running = this.runReindex(onProgress, signal).then((run) => run.summary).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * Brings the index up to date with the seeds folder after articles changed, and resolves once
   * the result serves. Requests made while a build runs share the next build; one that finds
   * nothing changed saves nothing. While another process holds the build lock, it waits for it.
   */
  requestUpdate(): Promise<{ summary: IndexSummary; index: SearchIndex }> {
    return this.updates.request();
  }

  private async runUpdate(): Promise<{ summary: IndexSummary; index: SearchIndex }> {
    await this.running?.catch(() => {}); // a /reindex in progress: this build comes after it
    let wait = this.options.lockRetryMs ?? 1000;
    for (;;) {
      try {
        const run = await this.runReindex(undefined, undefined, true);
        return { summary: run.summary, index: run.index };
      } catch (error) {
        if (!(error instanceof IndexLockedError) || this.stopped) throw error;
        this.logger.info({ holder: error.holder?.pid ?? null, retryInMs: wait }, 'Another process is building the index; updating after it');
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(wait * 2, LOCK_RETRY_MAX_MS);
      }
    }
  }

  private async runReindex(onProgress?: (progress: BuildProgress) => void, signal?: AbortSignal, skipUnchanged = false): Promise<IndexerRun> {
    // Only a configured lexical mode builds lexically on purpose; without a model the indexer
    // refuses to replace a hybrid index. The model may have become available since the start.
    if (this.config.mode !== 'lexical' && !this.embedder) await this.retryModel();
    const indexerOptions: RunIndexerOptions = {
      distribution: this.distribution,
      seedsDir: this.config.seedsDir,
      indexDir: this.config.indexDir,
      mode: this.config.mode === 'lexical' ? 'lexical' : 'hybrid',
      modelSettings: this.config.model,
      embedder: this.embedder,
      modelUnavailableReason: this.embedderProblem,
      // Reuse the serving index's vectors; when none serves, the indexer reads what is on disk.
      ...(this.retriever ? { previous: this.retriever.index } : {}),
      logger: this.logger,
      skipUnchanged,
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    };
    const run = await runIndexer(indexerOptions);
    if (run.unchanged && this.retriever?.index === run.index) {
      this.logger.debug({ articles: run.summary.articles }, 'Index update: nothing changed');
      return run;
    }
    this.servingGeneration = await currentGeneration(this.config.indexDir).catch(() => null);
    this.retriever = await retrieverFor(run.index, this.retrieverOptions());
    this.swaps++;
    this.indexProblem = null;
    this.lastReindex = { finishedAt: new Date(), summary: run.summary };
    const { summary } = run;
    this.logger.info(
      {
        articles: summary.articles,
        passages: summary.passages,
        added: summary.added.length,
        changed: summary.changed.length,
        removed: summary.removed.length,
        embedded: summary.embeddedPassages,
        seconds: summary.seconds,
        timings: summary.timings,
      },
      'Reindex finished; new index serving',
    );
    return run;
  }

  /**
   * Serves the generation `CURRENT` names when another process made it current: loaded beside
   * the serving one, then swapped in. Our own builds swap by themselves; a change seen during
   * one is ours (we hold the lock).
   */
  private async reloadIfForeign(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        if (this.stopped || this.reindexRunning) continue;
        const name = await currentGeneration(this.config.indexDir).catch(() => null);
        if (name === null || name === this.servingGeneration) continue;
        const swapsBefore = this.swaps;
        try {
          const serving = this.retriever?.index.lexical.analyzer;
          const index = await loadIndex(this.config.indexDir, { vectors: this.config.mode === 'lexical' ? 'skip' : 'optional', ...(serving ? { analyzer: serving } : {}) });
          const retriever = await retrieverFor(index, this.retrieverOptions());
          // A build of ours finished meanwhile: it is newer than what was loaded here.
          if (this.swaps !== swapsBefore || this.stopped) continue;
          this.retriever = retriever;
          this.servingGeneration = name;
          this.swaps++;
          this.indexProblem = null;
          this.logger.info({ generation: name, articles: index.manifest.counts.articles, passages: index.manifest.counts.passages }, 'Serving an index built by another process');
        } catch (error) {
          this.logger.warn({ generation: name, error: describeError(error) }, 'A new index appeared but cannot be loaded; the current one keeps serving');
        }
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = null;
    });
    await this.reloading;
  }

  /**
   * Installs the generation another host published (when it is not current here) and serves it.
   * Skipped while this process builds: its build starts from the newest published generation
   * and holds the deployment's lock, so nothing newer lands meanwhile.
   */
  private async syncPublished(): Promise<void> {
    const distribution = this.distribution;
    if (!distribution) return;
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        if (this.stopped || this.reindexRunning) continue;
        // Every process on this host sees CURRENT change; this one need not wait for the watcher.
        if (await this.installPublished(distribution)) await this.reloadIfForeign();
      } while (this.syncAgain);
    })().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  /** Installs the newest published generation in the index folder unless it is current there; true when it did. */
  private async installPublished(distribution: IndexDistribution): Promise<boolean> {
    try {
      const outcome = await syncPublishedGeneration(this.config.indexDir, distribution, this.logger);
      if (outcome.kind !== 'installed') return false;
      this.logger.info({ generation: outcome.name }, 'Installed an index generation published by another host');
      return true;
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, 'A published index generation cannot be installed; the current one keeps serving');
      return false;
    }
  }

  /** Loads the model again (a reindex needs it); keeps it for answering when it loads. */
  private async retryModel(): Promise<void> {
    const opened = await openEmbedder(this.config.model, this.logger);
    this.embedder = opened.embedder;
    this.embedderProblem = opened.unavailableReason;
    if (!this.embedder) {
      this.logger.warn({ reason: this.embedderProblem }, 'The embedding model still cannot be loaded');
      return;
    }
    this.logger.info({ model: this.embedder.modelId }, 'The embedding model loaded at reindex time');
    // The serving index searches by meaning again at once, whatever becomes of the rebuild.
    if (this.retriever) this.retriever = await retrieverFor(this.retriever.index, this.retrieverOptions());
  }

  /** Waits for running builds and reloads (used at shutdown), ignoring their outcome. */
  async settle(): Promise<void> {
    await this.running?.catch(() => {});
    await this.updates.settle();
    await this.reloading?.catch(() => {});
    await this.syncing?.catch(() => {});
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    await this.generationWatch?.close().catch(() => {});
    await this.publicationWatch?.close().catch(() => {});
    await this.settle();
    await this.embedder?.dispose().catch(() => {});
    // Opened here only when not given.
    if (this.options.distribution === undefined) await this.distribution?.close().catch(() => {});
  }
}

export function isIndexLocked(error: unknown): boolean {
  return error instanceof QuelleError && error.code === ErrorCode.IndexLocked;
}

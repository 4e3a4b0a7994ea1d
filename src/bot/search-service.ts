import { performance } from 'node:perf_hooks';
import type { CoreConfig } from '../config.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { describeError, ErrorCode, QuelleError, UserError } from '../errors.ts';
import type { BuildProgress } from '../indexer/build-index.ts';
import { prepareAnalyzer } from '../index/text-analysis.ts';
import { runIndexer, type IndexSummary } from '../indexer/run-indexer.ts';
import type { Logger } from '../logger.ts';
import { openRetriever, retrieverFor, type OpenRetrieverOptions } from '../retrieval/open-retriever.ts';
import type { Retriever, SearchResponse } from '../retrieval/retriever.ts';
import { AnswerStats } from './answer-stats.ts';

export interface ReindexRecord {
  readonly finishedAt: Date;
  readonly summary: IndexSummary;
}

/**
 * What the bot searches with: the loaded index and model, swapped atomically after a reindex.
 * Questions keep being answered from the old index while a new one is built; a failed
 * reindex leaves the old one serving.
 */
export class SearchService {
  private retriever: Retriever | null = null;
  private embedder: Embedder | null = null;
  private embedderProblem: string | null = null;
  private indexProblem: string | null = 'the index has not been loaded yet';
  private running: Promise<IndexSummary> | null = null;
  private lastReindex: ReindexRecord | null = null;
  readonly stats = new AnswerStats();
  readonly startedAt = new Date();

  constructor(
    private readonly config: CoreConfig,
    private readonly logger: Logger,
    /** A model to use instead of loading the configured one (tests: a slow or failing embedder). */
    private readonly injectedEmbedder?: Embedder,
  ) {}

  /** Loads the model (unless lexical) and the index; a missing index is reported, not thrown. */
  async start(): Promise<void> {
    prepareAnalyzer();
    if (this.config.mode !== 'lexical' && this.injectedEmbedder) {
      this.embedder = this.injectedEmbedder;
    } else if (this.config.mode !== 'lexical') {
      const opened = await openEmbedder(this.config.model, this.logger);
      this.embedder = opened.embedder;
      this.embedderProblem = opened.unavailableReason;
      if (this.embedderProblem) this.logger.warn({ reason: this.embedderProblem }, 'No embedding model: answering in lexical mode');
    }
    try {
      // The model was tried just above: a failure is passed on, not met again by a second load.
      this.retriever = await openRetriever({ indexDir: this.config.indexDir, ...this.retrieverOptions() });
      this.indexProblem = null;
      const vectorsProblem = this.vectorsProblem;
      if (vectorsProblem) this.logger.warn({ reason: vectorsProblem }, 'The index has no usable vectors: answering lexically until a moderator runs /reindex');
    } catch (error) {
      this.indexProblem = describeError(error);
      this.logger.error({ reason: this.indexProblem }, 'The index is unavailable; /ask will say so until a moderator runs /reindex');
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

  get reindexRunning(): boolean {
    return this.running !== null;
  }

  get lastReindexRecord(): ReindexRecord | null {
    return this.lastReindex;
  }

  /** Answers a question from the current index; a UserError when there is none. */
  async ask(question: string, k: number, signal?: AbortSignal): Promise<SearchResponse> {
    const retriever = this.retriever;
    if (!retriever) throw new UserError(ErrorCode.IndexMissing, 'index unavailable');
    const started = performance.now();
    const response = await retriever.search(question, { k, mode: this.config.mode, ...(signal ? { signal } : {}) });
    this.stats.record(performance.now() - started);
    return response;
  }

  /**
   * Rebuilds the index in the background of the event loop and swaps it in when it is saved.
   * Throws INDEX_LOCKED when a reindex is already running.
   */
  reindex(onProgress?: (progress: BuildProgress) => void, signal?: AbortSignal): Promise<IndexSummary> {
    if (this.running) throw new UserError(ErrorCode.IndexLocked, 'reindex already running');
    this.running = this.runReindex(onProgress, signal).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runReindex(onProgress?: (progress: BuildProgress) => void, signal?: AbortSignal): Promise<IndexSummary> {
    // Only a configured lexical mode builds lexically on purpose; without a model the indexer
    // refuses to replace a hybrid index. The model may have become available since the start.
    if (this.config.mode !== 'lexical' && !this.embedder) await this.retryModel();
    const { summary, index } = await runIndexer({
      seedsDir: this.config.seedsDir,
      indexDir: this.config.indexDir,
      mode: this.config.mode === 'lexical' ? 'lexical' : 'hybrid',
      modelSettings: this.config.model,
      embedder: this.embedder,
      modelUnavailableReason: this.embedderProblem,
      // Reuse the serving index's vectors; when none serves, the indexer reads what is on disk.
      ...(this.retriever ? { previous: this.retriever.index } : {}),
      logger: this.logger,
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    });
    this.retriever = await retrieverFor(index, this.retrieverOptions());
    this.indexProblem = null;
    this.lastReindex = { finishedAt: new Date(), summary };
    this.logger.info({ articles: summary.articles, passages: summary.passages, seconds: summary.seconds }, 'Reindex finished; new index serving');
    return summary;
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

  /** Waits for a running reindex (used at shutdown), ignoring its outcome. */
  async settle(): Promise<void> {
    await this.running?.catch(() => {});
  }

  async dispose(): Promise<void> {
    await this.settle();
    await this.embedder?.dispose().catch(() => {});
  }
}

export function isIndexLocked(error: unknown): boolean {
  return error instanceof QuelleError && error.code === ErrorCode.IndexLocked;
}

import { performance } from 'node:perf_hooks';
import path from 'node:path';
import type { Article } from '../articles/article.ts';
import { readArticles, type ReadArticlesResult, type SkippedFile } from '../articles/read-articles.ts';
import type { Embedder } from '../embedding/embedder.ts';
import type { ModelSettings } from '../embedding/model-settings.ts';
import { openEmbedder } from '../embedding/open-embedder.ts';
import { describeError, ErrorCode, isQuelleError, QuelleError } from '../errors.ts';
import { buildIndex, type BuildProgress } from './build-index.ts';
import { EmbeddingCache } from './embedding-cache.ts';
import type { BuildLockOptions } from '../index/build-lock.ts';
import { installLatestLocked, type DeploymentBuildLock, type IndexDistribution } from '../index/generation-distribution.ts';
import { currentGeneration, loadIndex, lockIndex, saveIndex } from '../index/index-store.ts';
import type { IndexMode } from '../index/manifest.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { ANALYZER_VERSION } from '../index/analyzer.ts';
import type { HnswParameters } from '../index/vector-index.ts';
import type { DenseCalibration } from '../index/manifest.ts';
import { calibrateDense } from '../retrieval/calibration/dense-calibration.ts';
import { silentLogger, type Logger } from '../logger.ts';

export interface RunIndexerOptions {
  /** The article folder, or several (for evaluation with distractor corpora). */
  readonly seedsDir: string | readonly string[];
  readonly indexDir: string;
  /**
   * Hybrid also embeds passages. When the model cannot be loaded, a build that would replace a
   * hybrid index is refused ({@link HybridIndexKeptError}): only lexical mode asked for as such
   * drops an index's vectors. A first build (or one replacing a lexical or unreadable index)
   * falls back to lexical and says why.
   */
  readonly mode: IndexMode;
  /** Ignore the previous index: re-embed everything. */
  readonly rebuild?: boolean;
  readonly modelSettings: ModelSettings;
  /** The index now serving (the bot's), instead of loading it again from disk; null to ignore it. */
  readonly previous?: SearchIndex | null;
  /** An already loaded model (the bot's); otherwise one is loaded for this run. */
  readonly embedder?: Embedder | null;
  /** With `embedder: null`: why the caller has no model (it has just tried); it is then not loaded again. */
  readonly modelUnavailableReason?: string | null;
  /** Heartbeat and staleness of the build lock (tests); the logger is this run's. */
  readonly lock?: Omit<BuildLockOptions, 'logger'>;
  readonly hnsw?: HnswParameters;
  readonly batchSize?: number;
  readonly logger?: Logger;
  readonly onProgress?: (progress: BuildProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * When no article changed since `previous` (same ids and contents, same mode, model and
   * analyzer, vectors intact), keep it instead of saving an identical generation. Watchers and
   * article changes ask for builds that often find nothing new (the bot's own write seen again).
   */
  readonly skipUnchanged?: boolean;
  /**
   * Hosts sharing one index (DATABASE_URL): the build also takes the deployment's lock, starts
   * from the newest published generation, and publishes what it makes current.
   */
  readonly distribution?: IndexDistribution | null;
}

export interface IndexSummary {
  readonly mode: IndexMode;
  readonly model: string | null;
  /** Set when hybrid was asked for but the build is lexical (a first build without a model), with the reason. */
  readonly notice: string | null;
  readonly articles: number;
  readonly passages: number;
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
  readonly unchanged: number;
  readonly skipped: SkippedFile[];
  /** Passages embedded by this run. */
  readonly embeddedPassages: number;
  /** Passages an earlier run had embedded before it was stopped (taken from the embedding cache). */
  readonly resumedPassages: number;
  /** The dense side's calibration (hybrid only), and whether the previous index's was kept (same passages, same model). */
  readonly denseCalibration: DenseCalibration | null;
  readonly denseCalibrationReused: boolean;
  readonly seconds: number;
  readonly passagesPerSecond: number;
  readonly timings: { parse: number; chunk: number; embed: number; insert: number; lexical: number; save: number };
}

export interface IndexerRun {
  readonly summary: IndexSummary;
  /** The new index, ready to serve (with `skipUnchanged`, possibly the previous one). */
  readonly index: SearchIndex;
  /** True when nothing changed and, as asked, no new generation was saved. */
  readonly unchanged?: boolean;
}

/**
 * A hybrid build without a model, refused because it would replace a hybrid index with a lexical
 * one: the hybrid index keeps serving, with its vectors. `modelProblem` says why the model did
 * not load.
 */
export class HybridIndexKeptError extends QuelleError {
  constructor(
    readonly modelProblem: string,
    indexDir: string,
  ) {
    super(
      ErrorCode.ModelUnavailable,
      `The embedding model cannot be loaded, and without it this build would replace the hybrid index in ${indexDir} with a lexical one and delete its vectors, so it was not built; the hybrid index is unchanged. ` +
        `Fix the model and build again (${modelProblem.replace(/\.$/, '')}), or build a lexical index deliberately with --mode lexical (QUELLE_MODE=lexical for the bot).`,
    );
    this.name = 'HybridIndexKeptError';
  }
}

/**
 * Reads the seeds, builds an index (re-embedding only what changed) and saves it as the new
 * current generation. Nothing replaces the previous index unless the whole run succeeds.
 */
export async function runIndexer(options: RunIndexerOptions): Promise<IndexerRun> {
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const lock = await lockIndex(options.indexDir, { ...options.lock, logger });
  let ownEmbedder: Embedder | null = null;
  let deployment: DeploymentBuildLock | null = null;
  try {
    let previousIndex = options.previous;
    const distribution = options.distribution ?? null;
    if (distribution) {
      deployment = await distribution.lockBuild();
      // Another host may have published since this one last synced: build on top of that.
      const synced = await installLatestLocked(options.indexDir, distribution, { keepNewerHere: true });
      if (synced.kind === 'installed') {
        logger.info({ generation: synced.name }, 'Installed the newest published index generation before building');
        previousIndex = undefined;
      }
    }
    const parseStarted = performance.now();
    const { articles, skipped } = await readArticleFolders(typeof options.seedsDir === 'string' ? [options.seedsDir] : options.seedsDir);
    const parseSeconds = (performance.now() - parseStarted) / 1000;
    for (const { file, reason } of skipped) logger.warn({ file, reason }, `Skipped ${file}: ${reason}`);
    if (articles.length === 0) {
      throw new QuelleError(
        ErrorCode.SeedsMissing,
        `No usable articles in ${[options.seedsDir].flat().join(', ')}${skipped.length ? ` (${skipped.length} files skipped)` : ''}. Add .txt or .md articles there; the previous index, if any, is kept.`,
      );
    }

    // Even a rebuild reads the previous index: the summary still says what was added or removed.
    const previous = previousIndex !== undefined ? previousIndex : await loadPrevious(options.indexDir, options.mode, logger);

    let mode = options.mode;
    let notice: string | null = null;
    let embedder: Embedder | null = null;
    if (mode === 'hybrid') {
      let modelProblem: string | null = null;
      if (options.embedder) {
        embedder = options.embedder;
      } else if (options.embedder === null && options.modelUnavailableReason) {
        modelProblem = options.modelUnavailableReason;
      } else {
        const opened = await openEmbedder(options.modelSettings, logger);
        ownEmbedder = opened.embedder;
        embedder = opened.embedder;
        modelProblem = opened.unavailableReason;
      }
      if (!embedder) {
        const reason = modelProblem ?? 'no embedding model is loaded';
        if (previous?.manifest.mode === 'hybrid') throw new HybridIndexKeptError(reason, options.indexDir);
        mode = 'lexical';
        notice = `Building a lexical index only: ${reason}`;
        logger.warn(notice);
      }
    }

    if (options.skipUnchanged && previous && !options.rebuild && nothingChanged(previous, articles, mode, embedder)) {
      if (deployment) notice = joinNotices(notice, await publishCurrent(options.indexDir, deployment, distribution, logger));
      const seconds = (performance.now() - started) / 1000;
      return {
        index: previous,
        unchanged: true,
        summary: {
          mode,
          model: previous.manifest.model?.id ?? null,
          notice,
          articles: articles.length,
          passages: previous.passages.length,
          added: [],
          changed: [],
          removed: [],
          unchanged: articles.length,
          skipped,
          embeddedPassages: 0,
          resumedPassages: 0,
          seconds,
          passagesPerSecond: previous.passages.length / seconds,
          timings: { parse: parseSeconds, chunk: 0, embed: 0, insert: 0, lexical: 0, save: 0 },
          denseCalibration: previous.manifest.denseCalibration ?? null,
          denseCalibrationReused: previous.manifest.denseCalibration != null,
        },
      };
    }

    const built = await buildIndex({
      articles,
      previous,
      reuseVectors: !options.rebuild,
      embedder,
      mode,
      ...(options.hnsw ? { hnsw: options.hnsw } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      cacheDir: options.indexDir,
      logger,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.signal?.throwIfAborted();
    const previousCalibration = options.rebuild ? null : (previous?.manifest.denseCalibration ?? null);
    const denseCalibration =
      built.index.vectors && embedder
        ? await calibrateDense({
            passages: built.index.passages,
            vectors: built.index.vectors,
            analyzer: built.index.lexical.analyzer,
            embedder,
            previous: previousCalibration,
            ...(options.signal ? { signal: options.signal } : {}),
          })
        : null;
    options.signal?.throwIfAborted();

    const saveStarted = performance.now();
    const buildSeconds = (saveStarted - started) / 1000;
    const manifest = await saveIndex(options.indexDir, { ...built.index, manifest: { ...built.index.manifest, buildSeconds, denseCalibration } });
    // The new generation holds every vector the cache kept for a resumed build.
    await EmbeddingCache.remove(options.indexDir).catch((error: unknown) => logger.warn({ error: describeError(error) }, 'The embedding cache could not be removed'));
    if (built.resumedPassages > 0) logger.info({ resumed: built.resumedPassages }, `Resumed an unfinished build: ${built.resumedPassages} passages were embedded before it stopped`);
    if (deployment) notice = joinNotices(notice, await publishCurrent(options.indexDir, deployment, distribution, logger));
    const saveSeconds = (performance.now() - saveStarted) / 1000;
    const seconds = (performance.now() - started) / 1000;
    const { timings } = built;
    return {
      index: { ...built.index, manifest },
      summary: {
        mode,
        model: manifest.model?.id ?? null,
        notice,
        articles: articles.length,
        passages: built.index.passages.length,
        ...built.changes,
        skipped,
        embeddedPassages: built.embeddedPassages,
        resumedPassages: built.resumedPassages,
        denseCalibration,
        denseCalibrationReused: denseCalibration !== null && denseCalibration === previousCalibration,
        seconds,
        passagesPerSecond: built.index.passages.length / seconds,
        timings: {
          parse: parseSeconds,
          chunk: timings.chunkSeconds,
          embed: timings.embedSeconds,
          insert: timings.insertSeconds,
          lexical: timings.lexicalSeconds,
          save: saveSeconds,
        },
      },
    };
  } finally {
    await ownEmbedder?.dispose().catch(() => {});
    await deployment?.release();
    await lock.release();
  }
}

/**
 * Publishes the folder's current generation unless it is the newest published one already (an
 * unchanged index that was never published, the first time hosts share it). A failure does not
 * fail the build, which is current here already: it is logged and returned as a notice, and the
 * next build publishes.
 */
async function publishCurrent(indexDir: string, deployment: DeploymentBuildLock, distribution: IndexDistribution | null, logger: Logger): Promise<string | null> {
  const name = await currentGeneration(indexDir);
  try {
    if (name === null || (await distribution?.latest())?.name === name) return null;
    await deployment.publish(indexDir, name);
    return null;
  } catch (error) {
    const notice = `The new index serves on this host but was not published to the other hosts (${describeError(error)}); the next reindex publishes it.`;
    logger.error({ generation: name }, notice);
    return notice;
  }
}

function joinNotices(...notices: (string | null)[]): string | null {
  return notices.filter((notice) => notice !== null).join(' ') || null;
}

/** Whether `previous` already is the index these articles would build (see `skipUnchanged`). */
function nothingChanged(previous: SearchIndex, articles: readonly Article[], mode: IndexMode, embedder: Embedder | null): boolean {
  const { manifest } = previous;
  if (manifest.mode !== mode || manifest.analyzerVersion !== ANALYZER_VERSION) return false;
  if (mode === 'hybrid' && (!previous.vectors || previous.vectorsProblem || manifest.model?.id !== embedder?.modelId)) return false;
  const before = manifest.articles;
  if (Object.keys(before).length !== articles.length) return false;
  return articles.every((article) => before[article.id] === article.contentHash);
}

/** Articles of several folders; an id that repeats across folders is skipped like a duplicate. */
async function readArticleFolders(dirs: readonly string[]): Promise<ReadArticlesResult> {
  const articles: Article[] = [];
  const skipped: SkippedFile[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    const result = await readArticles(dir);
    skipped.push(...result.skipped);
    for (const article of result.articles) {
      if (seen.has(article.id)) skipped.push({ file: path.join(dir, article.file), reason: `article id "${article.id}" already read from another folder` });
      else {
        seen.add(article.id);
        articles.push(article);
      }
    }
  }
  return { articles, skipped };
}

/**
 * The previous index for reuse of its vectors; an unusable one only costs a full rebuild, and
 * damaged vectors only their re-embedding. A lexical build reuses no vectors, so it reads none.
 */
async function loadPrevious(indexDir: string, mode: IndexMode, logger: Logger): Promise<SearchIndex | null> {
  try {
    // This build saves a lexical index of its own: one rebuilt on load is not saved as well.
    const previous = await loadIndex(indexDir, { vectors: mode === 'lexical' ? 'skip' : 'optional', rebuiltLexical: 'keep', logger });
    if (previous.vectorsProblem) logger.warn({ reason: previous.vectorsProblem }, 'The previous index has no usable vectors; embedding every passage again');
    return previous;
  } catch (error) {
    if (!isQuelleError(error, ErrorCode.IndexMissing)) {
      logger.warn({ error: describeError(error) }, 'The previous index cannot be read; building from scratch');
    }
    return null;
  }
}

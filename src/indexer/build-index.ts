import { performance } from 'node:perf_hooks';
import type { Article, Passage } from '../articles/article.ts';
import { chunkArticle } from '../articles/chunk-article.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { describeError } from '../errors.ts';
import { LexicalIndex } from '../index/lexical-index.ts';
import type { IndexMode, Manifest } from '../index/manifest.ts';
import { ANALYZER_VERSION } from '../index/analyzer.ts';
import type { IndexedArticle, SearchIndex } from '../index/search-index.ts';
import { DEFAULT_HNSW, VectorIndex, type HnswParameters } from '../index/vector-index.ts';
import type { Logger } from '../logger.ts';
import { TimeSlices } from '../time-slices.ts';
import { EmbeddingCache } from './embedding-cache.ts';

/**
 * Passages handed to the embedder at a time: their vectors are cached and inserted while it
 * embeds the next group. A stopped build loses at most the group in flight.
 */
const EMBED_GROUP = 128;

export type BuildPhase = 'chunk' | 'embed' | 'insert' | 'lexical';

export interface BuildProgress {
  readonly phase: BuildPhase;
  readonly done: number;
  readonly total: number;
}

export interface BuildIndexOptions {
  readonly articles: readonly Article[];
  /** The index being replaced: unchanged passages keep their vectors instead of being re-embedded. */
  readonly previous?: SearchIndex | null;
  /** False re-embeds every passage (a rebuild); `previous` then only serves the change summary. */
  readonly reuseVectors?: boolean;
  /** Required for hybrid mode; ignored in lexical mode. */
  readonly embedder?: Embedder | null;
  readonly mode: IndexMode;
  readonly hnsw?: HnswParameters;
  readonly batchSize?: number;
  /**
   * The index folder whose embedding cache this build uses (embedding-cache.ts): vectors are
   * saved there as they are computed, and a stopped build's are taken up again. Hold its lock.
   */
  readonly cacheDir?: string;
  readonly logger?: Logger;
  readonly onProgress?: (progress: BuildProgress) => void;
  readonly signal?: AbortSignal;
}

export interface BuildChanges {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
  readonly unchanged: number;
}

/**
 * Wall time per phase. Vectors are inserted, and the lexical index is built, while the model
 * embeds, so `embedSeconds` is the wall time of that whole phase; `insertSeconds` is the time
 * spent inserting within it (overlapped, not added to the total), and `lexicalSeconds` only
 * what the lexical build took beyond the end of embedding.
 */
export interface BuildTimings {
  readonly chunkSeconds: number;
  readonly embedSeconds: number;
  readonly insertSeconds: number;
  readonly lexicalSeconds: number;
}

export interface BuildResult {
  /** The new index, in memory; `saveIndex` persists it. */
  readonly index: Omit<SearchIndex, 'manifest'> & { manifest: Omit<Manifest, 'files' | 'formatVersion' | 'format'> };
  readonly changes: BuildChanges;
  /** Passages whose vectors were computed in this build (the rest were reused). */
  readonly embeddedPassages: number;
  /** Passages whose vectors an earlier, unfinished build had computed (the embedding cache). */
  readonly resumedPassages: number;
  readonly timings: BuildTimings;
}

/**
 * Builds an index from parsed articles. Embedding dominates the cost, so vectors of passages
 * whose text is unchanged since `previous` (same model) are reused, and so are those an earlier
 * build of the same index folder computed before it stopped (`cacheDir`); the rest are embedded
 * longest first, so that the texts of a batch have about the same length. The HNSW graph itself
 * is rebuilt, which is cheap next to embedding and keeps labels dense. Every step yields to the
 * event loop often: the bot builds in the background of its answers.
 */
export async function buildIndex(options: BuildIndexOptions): Promise<BuildResult> {
  const started = performance.now();
  const { articles, mode, previous } = options;
  const embedder = mode === 'hybrid' ? options.embedder : null;
  if (mode === 'hybrid' && !embedder) throw new Error('buildIndex: hybrid mode needs an embedder');
  const report = options.onProgress ?? (() => {});
  const slices = new TimeSlices();

  let clock = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const seconds = (now - clock) / 1000;
    clock = now;
    return seconds;
  };

  const passages: Passage[] = [];
  const indexedArticles: IndexedArticle[] = [];
  for (const [done, article] of articles.entries()) {
    const chunks = chunkArticle(article);
    passages.push(...chunks);
    indexedArticles.push({
      id: article.id,
      file: article.file,
      title: article.title,
      date: article.date,
      category: article.category,
      url: article.url,
      contentHash: article.contentHash,
      passages: chunks.length,
    });
    if ((done + 1) % 100 === 0 || done + 1 === articles.length) report({ phase: 'chunk', done: done + 1, total: articles.length });
    await slices.pause();
  }
  const changes = compareArticles(articles, previous?.manifest.articles ?? {});
  const chunkSeconds = lap();

  // The lexical index is built while the model embeds: inference runs on onnxruntime's own
  // threads, and the lexical build yields between chunks, so the two overlap instead of adding up.
  // Its saved form is prepared then too, so that saving does not pay for it afterwards.
  // The serving index's analyzer has its word lists read and its prior computed already.
  const lexicalBuild = LexicalIndex.buildAsync(passages, previous?.lexical.analyzer).then(async (lexical) => {
    await lexical.toJSONAsync();
    return lexical;
  });
  lexicalBuild.catch(() => {}); // awaited below; an embedding failure must not leave it unhandled

  let vectors: VectorIndex | null = null;
  let embeddedPassages = 0;
  let resumedPassages = 0;
  let embedSeconds = 0;
  let insertSeconds = 0;
  if (embedder) {
    const reusable = reusableVectors(options.reuseVectors === false ? null : (previous ?? null), embedder);
    const index = VectorIndex.create(embedder.dimension, passages.length, options.hnsw ?? DEFAULT_HNSW);
    vectors = index;
    // Passages to embed, by hash: a text that occurs twice is embedded once.
    const missing = new Map<string, number[]>();
    const insertStarted = performance.now();
    for (const [label, passage] of passages.entries()) {
      const stored = reusable.get(passage.hash);
      if (stored) index.add(stored(), label);
      else missing.set(passage.hash, [...(missing.get(passage.hash) ?? []), label]);
      // Inserting is synchronous native work; pause now and then so a bot stays responsive.
      await slices.pause();
    }
    insertSeconds += (performance.now() - insertStarted) / 1000;

    // What an earlier build of this index embedded before it was stopped is taken up again.
    const opened = options.cacheDir && missing.size > 0 ? await EmbeddingCache.open(options.cacheDir, embedder.modelId, embedder.dimension, new Set(missing.keys())) : null;
    let cache = opened?.cache ?? null;
    try {
      for (const [hash, vector] of opened?.found ?? []) {
        for (const label of missing.get(hash)!) index.add(vector, label);
        resumedPassages += missing.get(hash)!.length;
        missing.delete(hash);
      }
      const toEmbed = [...missing.keys()];
      const total = [...missing.values()].reduce((sum, labels) => sum + labels.length, 0);
      // Longest first: a batch is padded to its longest text, so neighbours in length go together.
      const textOf = (hash: string): string => passages[missing.get(hash)![0]!]!.text;
      toEmbed.sort((a, b) => textOf(b).length - textOf(a).length || (a < b ? -1 : 1));

      // Each group's vectors are saved in the cache and inserted while the model embeds the next.
      const embedGroup = (start: number): { hashes: string[]; vectors: Promise<Float32Array[]> } | null => {
        if (start >= toEmbed.length) return null;
        options.signal?.throwIfAborted();
        const hashes = toEmbed.slice(start, start + EMBED_GROUP);
        const embedding = embedder.embedPassages(hashes.map(textOf), {
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        embedding.catch(() => {}); // awaited in turn below
        return { hashes, vectors: embedding };
      };
      for (let start = 0, pending = embedGroup(0); pending !== null; ) {
        const fresh = await pending.vectors;
        const { hashes } = pending;
        start += EMBED_GROUP;
        pending = embedGroup(start);
        const insertAt = performance.now();
        for (const [i, hash] of hashes.entries()) {
          for (const label of missing.get(hash)!) index.add(fresh[i]!, label);
          embeddedPassages += missing.get(hash)!.length;
          // A question that comes in meanwhile waits for one slice of inserts at most.
          await slices.pause();
        }
        insertSeconds += (performance.now() - insertAt) / 1000;
        // Progress counts what is on disk: a build killed after this report resumes past it.
        // (The model embeds the next group meanwhile.)
        if (cache) {
          try {
            await cache.append(hashes.map((hash, i) => [hash, fresh[i]!] as const));
          } catch (error) {
            // Without the cache the build goes on; only a crash would now cost the work so far.
            options.logger?.warn({ error: describeError(error) }, 'The embedding cache cannot be written (is the disk full?); removing it and building without it');
            await cache.close();
            cache = null;
            await EmbeddingCache.remove(options.cacheDir!).catch(() => {});
          }
        }
        report({ phase: 'embed', done: embeddedPassages, total });
      }
    } finally {
      await cache?.close();
    }
    report({ phase: 'insert', done: passages.length, total: passages.length });
    embedSeconds = lap();
  }

  const lexical = await lexicalBuild;
  report({ phase: 'lexical', done: passages.length, total: passages.length });
  // Only what the lexical build still needed after embedding finished: the rest overlapped.
  const lexicalSeconds = lap();

  const hnsw = vectors ? { metric: 'cosine' as const, ...vectors.parameters } : null;
  const manifest = {
    createdAt: new Date().toISOString(),
    buildSeconds: (performance.now() - started) / 1000,
    mode,
    model: embedder ? { id: embedder.modelId, dimension: embedder.dimension } : null,
    hnsw,
    analyzerVersion: ANALYZER_VERSION,
    counts: { articles: articles.length, passages: passages.length },
    articles: Object.fromEntries(articles.map((article) => [article.id, article.contentHash])),
  };
  return {
    index: { manifest, articles: indexedArticles, passages, lexical, vectors },
    changes,
    embeddedPassages,
    resumedPassages,
    timings: { chunkSeconds, embedSeconds, insertSeconds, lexicalSeconds },
  };
}

function compareArticles(articles: readonly Article[], before: Readonly<Record<string, string>>): BuildChanges {
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  const now = new Set<string>();
  for (const article of articles) {
    now.add(article.id);
    const hash = before[article.id];
    if (hash === undefined) added.push(article.id);
    else if (hash !== article.contentHash) changed.push(article.id);
    else unchanged++;
  }
  const removed = Object.keys(before).filter((id) => !now.has(id));
  return { added, changed, removed, unchanged };
}

/** Passage hash → a reader of its stored vector, when the previous index used the same model. */
function reusableVectors(previous: SearchIndex | null, embedder: Embedder): Map<string, () => Float32Array> {
  const reusable = new Map<string, () => Float32Array>();
  const vectors = previous?.vectors;
  if (!previous || !vectors || previous.manifest.model?.id !== embedder.modelId || previous.manifest.model.dimension !== embedder.dimension) {
    return reusable;
  }
  previous.passages.forEach((passage, label) => reusable.set(passage.hash, () => vectors.vector(label)));
  return reusable;
}

/**
 * The vector search engines compared by the benchmark, each behind the same small interface:
 * build an index from the base vectors and persist it to a directory; load it back; answer a
 * k-NN query with passage labels (row numbers of the base matrix), best first.
 *
 *   quelle  our code path: buildIndex (with an embedder that returns the precomputed vectors, so
 *           chunking, HNSW insertion and the lexical index are the real ones) + saveIndex of a
 *           whole index generation; loaded with loadIndex; queried with VectorIndex.search.
 *   exact   a full scan of one Float32Array (exact-scan.ts), persisted as raw float32.
 *   vectra  Vectra's LocalIndex: one update (beginUpdate, insertItem × n, endUpdate) writing
 *           index.json; queryItems for search.
 *   orama   Orama with a `vector[384]` property: insertMultiple; search in vector mode with
 *           similarity 0 (Orama's default threshold 0.8 would drop neighbours). Orama's save()
 *           gives plain data whose JSON form exceeds V8's string limit at 100k vectors, so it
 *           is written with node:v8 serialize (a binary form, as Orama's persistence plugin has).
 */

import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Article } from '../../src/articles/article.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { buildIndex } from '../../src/indexer/build-index.ts';
import { indexDiskBytes, loadIndex, saveIndex } from '../../src/index/index-store.ts';
import { VECTORS_FILE } from '../../src/index/manifest.ts';
import { VectorIndex, type HnswParameters } from '../../src/index/vector-index.ts';
import { exactSearch } from './exact-scan.ts';
import { DIMENSION, Random, readFloat32, row, rowAsNumbers, writeFloat32 } from './synthetic.ts';

export const ENGINE_NAMES = ['quelle', 'exact', 'vectra', 'orama'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export type Details = Record<string, number | string | boolean>;

export interface BuildOutcome {
  /** Wall time from vectors in memory to an index persisted on disk (seconds). */
  readonly buildSeconds: number;
  readonly diskBytes: number;
  readonly details: Details;
}

export interface LoadedEngine {
  /** `numbers` is the same query as plain numbers, for the engines that take arrays. */
  search(query: Float32Array, numbers: number[], k: number): number[] | Promise<number[]>;
  readonly details: Details;
}

export interface Engine {
  /** Imports the engine's library, so that load_ms and RSS do not count module loading. */
  prepare?(): Promise<void>;
  build(dir: string, base: Float32Array, count: number): Promise<BuildOutcome>;
  load(dir: string, count: number): Promise<LoadedEngine>;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? await directoryBytes(file) : (await stat(file)).size;
  }
  return total;
}

const seconds = (since: number): number => (performance.now() - since) / 1000;

// ---------------------------------------------------------------------------------------------
// quelle

const PARAGRAPHS_PER_ARTICLE = 8;
const CATEGORIES = ['Politik', 'Wirtschaft', 'Sport', 'Kultur', 'Wissenschaft', 'Web', 'Panorama', 'Inland'];
const SYLLABLES = ['ber', 'lin', 'stadt', 'haus', 'ge', 'richt', 'markt', 'wahl', 'zeit', 'land', 'schaft', 'un', 'ter', 'neh', 'men', 'kraft', 'werk', 'bahn', 'hof', 'bank', 'rat', 'amt', 'volk', 'spiel', 'feld', 'welt', 'bund', 'ver', 'trag', 'po', 'li', 'tik'];

/** A deterministic vocabulary of 2,000 German-looking words for the synthetic passage texts. */
function vocabulary(): string[] {
  const random = new Random(7);
  const words = new Set<string>();
  while (words.size < 2000) {
    const parts = 2 + Math.floor(random.next() * 3);
    let word = '';
    for (let i = 0; i < parts; i++) word += SYLLABLES[Math.floor(random.next() * SYLLABLES.length)];
    words.add(word[0]!.toUpperCase() + word.slice(1));
  }
  return [...words];
}

/**
 * Articles whose paragraphs become exactly `count` passages, in order. The text is short
 * (six words from a 2,000-word vocabulary): the vector benchmark is about vectors, and short
 * texts keep passages.json and lexical.json from dominating the generation's size.
 */
export function syntheticArticles(count: number): Article[] {
  const words = vocabulary();
  const random = new Random(11);
  const pick = (): string => words[Math.floor(random.next() * words.length)]!;
  const articles: Article[] = [];
  for (let start = 0, number = 0; start < count; start += PARAGRAPHS_PER_ARTICLE, number++) {
    const paragraphs: string[] = [];
    for (let p = start; p < Math.min(count, start + PARAGRAPHS_PER_ARTICLE); p++) {
      paragraphs.push(`${pick()} ${pick()} ${pick()} ${pick()} ${pick()} ${pick()}.`);
    }
    const id = `syn-${number.toString().padStart(7, '0')}`;
    articles.push({
      id,
      file: `${id}.txt`,
      title: `${pick()} ${pick()} ${pick()}`,
      date: null,
      category: CATEGORIES[number % CATEGORIES.length]!,
      url: null,
      paragraphs,
      contentHash: id,
    });
  }
  return articles;
}

/** An "embedder" that hands out the benchmark's vectors in passage order, across calls. */
function precomputedEmbedder(base: Float32Array): Embedder {
  // buildIndex embeds in label order, batch after batch: a cursor across calls keeps the mapping.
  let next = 0;
  return {
    modelId: 'bench:synthetic-384@f32',
    dimension: DIMENSION,
    embedQuery: () => Promise.reject(new Error('the benchmark embeds no queries')),
    embedPassages: (texts) => Promise.resolve(texts.map(() => row(base, next++))),
    dispose: () => Promise.resolve(),
  };
}

export async function currentGenerationDir(root: string): Promise<string> {
  return path.join(root, (await readFile(path.join(root, 'CURRENT'), 'utf8')).trim());
}

export function quelleEngine(hnsw: HnswParameters): Engine {
  return {
    async build(dir, base, count) {
      const articles = syntheticArticles(count);
      const built = await buildIndex({ articles, embedder: precomputedEmbedder(base), mode: 'hybrid', hnsw, previous: null });
      if (built.index.passages.length !== count) throw new Error(`expected ${count} passages, built ${built.index.passages.length}`);
      const saveStarted = performance.now();
      const manifest = await saveIndex(dir, built.index);
      const saveSeconds = seconds(saveStarted);
      const generation = await currentGenerationDir(dir);
      // The vector part alone, loaded here so that the serving process measures the whole generation.
      const loadStarted = performance.now();
      const vectors = await VectorIndex.load(path.join(generation, VECTORS_FILE), DIMENSION, hnsw);
      const vectorLoadMs = performance.now() - loadStarted;
      if (vectors.size !== count) throw new Error(`reloaded ${vectors.size} vectors, expected ${count}`);
      return {
        buildSeconds: built.timings.insertSeconds + saveSeconds,
        diskBytes: await indexDiskBytes(dir),
        details: {
          insert_s: built.timings.insertSeconds,
          save_s: saveSeconds,
          chunk_s: built.timings.chunkSeconds,
          lexical_s: built.timings.lexicalSeconds,
          vectors_mb: (manifest.files[VECTORS_FILE]?.bytes ?? 0) / 2 ** 20,
          vector_load_ms: vectorLoadMs,
          m: hnsw.m,
          ef_construction: hnsw.efConstruction,
          ef_search: hnsw.efSearch,
        },
      };
    },
    async load(dir) {
      const index = await loadIndex(dir);
      const vectors = index.vectors;
      if (!vectors) throw new Error('the benchmark index has no vectors');
      return {
        search: (query, _numbers, k) => vectors.search(query, k).map((hit) => hit.label),
        // efSearch comes back from the manifest: the value the index was built with.
        details: { ef_search_loaded: index.manifest.hnsw?.efSearch ?? -1, passages_loaded: index.passages.length },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// exact

export const exactEngine: Engine = {
  async build(dir, base, count) {
    const started = performance.now();
    await writeFloat32(path.join(dir, 'vectors.f32'), base.subarray(0, count * DIMENSION));
    return { buildSeconds: seconds(started), diskBytes: await directoryBytes(dir), details: {} };
  },
  async load(dir) {
    const vectors = await readFloat32(path.join(dir, 'vectors.f32'));
    return { search: (query, _numbers, k) => exactSearch(vectors, DIMENSION, query, k).map((hit) => hit.label), details: {} };
  },
};

// ---------------------------------------------------------------------------------------------
// vectra

export const vectraEngine: Engine = {
  async prepare() {
    await import('vectra');
  },
  async build(dir, base, count) {
    const { LocalIndex } = await import('vectra');
    const started = performance.now();
    const index = new LocalIndex(dir);
    await index.createIndex({ version: 1, deleteIfExists: true });
    // One update for all items: a single write of index.json, the fastest way Vectra offers.
    await index.beginUpdate();
    for (let i = 0; i < count; i++) {
      await index.insertItem({ id: String(i), vector: rowAsNumbers(base, i), metadata: {} });
    }
    const insertSeconds = seconds(started);
    const saveStarted = performance.now();
    await index.endUpdate();
    return {
      buildSeconds: seconds(started),
      diskBytes: await directoryBytes(dir),
      details: { insert_s: insertSeconds, save_s: seconds(saveStarted) },
    };
  },
  async load(dir) {
    const { LocalIndex } = await import('vectra');
    const index = new LocalIndex(dir);
    await index.getIndexStats();
    return {
      search: async (_query, numbers, k) => (await index.queryItems(numbers, '', k)).map((result) => Number(result.item.id)),
      details: {},
    };
  },
};

// ---------------------------------------------------------------------------------------------
// orama

const ORAMA_SCHEMA = { embedding: `vector[${DIMENSION}]` } as const;

export const oramaEngine: Engine = {
  async prepare() {
    await import('@orama/orama');
  },
  async build(dir, base, count) {
    const { create, insertMultiple, save } = await import('@orama/orama');
    const started = performance.now();
    const db = create({ schema: ORAMA_SCHEMA });
    const docs = Array.from({ length: count }, (_, i) => ({ id: String(i), embedding: rowAsNumbers(base, i) }));
    await insertMultiple(db, docs, 1000);
    const insertSeconds = seconds(started);
    const saveStarted = performance.now();
    await writeFile(path.join(dir, 'orama.v8'), serialize(save(db)));
    return {
      buildSeconds: seconds(started),
      diskBytes: await directoryBytes(dir),
      details: { insert_s: insertSeconds, save_s: seconds(saveStarted) },
    };
  },
  async load(dir) {
    const { create, load, search } = await import('@orama/orama');
    const db = create({ schema: ORAMA_SCHEMA });
    load(db, deserialize(await readFile(path.join(dir, 'orama.v8'))) as Parameters<typeof load>[1]);
    return {
      search: async (_query, numbers, k) => {
        const result = await search(db, { mode: 'vector', vector: { value: numbers, property: 'embedding' }, similarity: 0, limit: k });
        return result.hits.map((hit) => Number(hit.id));
      },
      details: {},
    };
  },
};

export function engineNamed(name: EngineName, hnsw: HnswParameters): Engine {
  switch (name) {
    case 'quelle':
      return quelleEngine(hnsw);
    case 'exact':
      return exactEngine;
    case 'vectra':
      return vectraEngine;
    case 'orama':
      return oramaEngine;
  }
}

/**
 * Resumable builds (issue #12): the embedding cache keeps every vector a build computes, durably
 * and record by record, so that a build stopped at any point resumes where it was; a torn or
 * damaged record is ignored (a vector can be lost, never wrong); opening prunes it to what the
 * build needs, and a completed build removes it.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { EMBEDDING_CACHE_FILE, EmbeddingCache } from '../../src/indexer/embedding-cache.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { countingEmbedder, fixtureModelSettings, KOALITION_QUESTION, loadFixtureEmbedder, useTempDirs } from '../helpers/index-fixtures.ts';
import { writeCorpus } from '../reliability/helpers.ts';

const tempDir = useTempDirs('quelle-cache-');
const DIM = 4;
const hash = (i: number): string => i.toString(16).padStart(32, '0');
const vector = (i: number): Float32Array => Float32Array.from({ length: DIM }, (_, j) => i + j / 10);

async function cacheWith(dir: string, count: number, model = 'm@q8'): Promise<void> {
  const { cache } = await EmbeddingCache.open(dir, model, DIM, new Set());
  await cache.append(Array.from({ length: count }, (_, i) => [hash(i), vector(i)] as const));
  await cache.close();
}

const wantedAll = (count: number): Set<string> => new Set(Array.from({ length: count }, (_, i) => hash(i)));

describe('the embedding cache file', () => {
  it('gives back what was appended, for the same model only', async () => {
    const dir = await tempDir();
    await cacheWith(dir, 5);
    const again = await EmbeddingCache.open(dir, 'm@q8', DIM, wantedAll(5));
    await again.cache.close();
    expect([...again.found.keys()].sort()).toEqual([...wantedAll(5)].sort());
    for (let i = 0; i < 5; i++) expect(Array.from(again.found.get(hash(i))!)).toEqual(Array.from(vector(i)));
    const other = await EmbeddingCache.open(dir, 'other@q8', DIM, wantedAll(5));
    await other.cache.close();
    expect(other.found.size).toBe(0);
  });

  it('ignores a torn last record and appends after the intact ones', async () => {
    const dir = await tempDir();
    await cacheWith(dir, 3);
    const file = path.join(dir, EMBEDDING_CACHE_FILE);
    await truncate(file, (await stat(file)).size - 7); // a crash in the middle of the last write
    const opened = await EmbeddingCache.open(dir, 'm@q8', DIM, wantedAll(4));
    expect([...opened.found.keys()].sort()).toEqual([hash(0), hash(1)]);
    await opened.cache.append([[hash(3), vector(3)]]);
    await opened.cache.close();
    const reopened = await EmbeddingCache.open(dir, 'm@q8', DIM, wantedAll(4));
    await reopened.cache.close();
    expect([...reopened.found.keys()].sort()).toEqual([hash(0), hash(1), hash(3)]);
    expect(Array.from(reopened.found.get(hash(3))!)).toEqual(Array.from(vector(3)));
  });

  it('never returns a damaged vector: a record whose bytes changed is dropped, the others load', async () => {
    const dir = await tempDir();
    await cacheWith(dir, 3);
    const file = path.join(dir, EMBEDDING_CACHE_FILE);
    const bytes = await readFile(file);
    const recordSize = 16 + DIM * 4 + 4;
    const headerSize = bytes.length - 3 * recordSize;
    bytes[headerSize + recordSize + 16 + 5]! ^= 0x01; // one bit of record 1's vector
    await writeFile(file, bytes);
    const opened = await EmbeddingCache.open(dir, 'm@q8', DIM, wantedAll(3));
    await opened.cache.close();
    expect([...opened.found.keys()].sort()).toEqual([hash(0), hash(2)]);
    expect(opened.dropped).toBe(0);
  });

  it('garbage after a foreign header is not read as vectors', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, EMBEDDING_CACHE_FILE), 'something else entirely\n');
    await appendFile(path.join(dir, EMBEDDING_CACHE_FILE), Buffer.alloc(1000, 7));
    const opened = await EmbeddingCache.open(dir, 'm@q8', DIM, wantedAll(3));
    await opened.cache.close();
    expect(opened.found.size).toBe(0);
  });

  it('is pruned to the passages the build needs when it is opened', async () => {
    const dir = await tempDir();
    await cacheWith(dir, 10);
    const file = path.join(dir, EMBEDDING_CACHE_FILE);
    const before = (await stat(file)).size;
    const opened = await EmbeddingCache.open(dir, 'm@q8', DIM, new Set([hash(2), hash(7)]));
    await opened.cache.close();
    expect(opened.dropped).toBe(8);
    expect((await stat(file)).size).toBe(before - 8 * (16 + DIM * 4 + 4));
  });
});

/** An embedder that fails once it has embedded `limit` passages (a build stopped midway). */
function failingAfter(inner: Embedder, limit: number): Embedder {
  let embedded = 0;
  return {
    ...inner,
    async embedPassages(texts, options) {
      if (embedded + texts.length > limit) throw new Error('stopped midway (simulated)');
      embedded += texts.length;
      return inner.embedPassages(texts, options);
    },
    dispose: async () => {},
  };
}

describe('a build that stops midway', () => {
  it('is resumed by the next: it embeds only what was not embedded, answers, and the cache is removed', { timeout: 60_000 }, async () => {
    const seedsDir = await writeCorpus(path.join(await tempDir('seeds-'), 'seeds'), 120);
    const indexDir = await tempDir('index-');
    const fixture = await loadFixtureEmbedder();
    const stopped = runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: failingAfter(fixture, 300) });
    await expect(stopped).rejects.toThrow('stopped midway');
    expect(existsSync(path.join(indexDir, EMBEDDING_CACHE_FILE))).toBe(true);

    const counting = countingEmbedder(fixture);
    const { summary } = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: counting });
    // The groups embedded before the stop (128 passages each) were not embedded again.
    expect(summary.resumedPassages).toBeGreaterThanOrEqual(256);
    expect(summary.embeddedPassages + summary.resumedPassages).toBe(summary.passages);
    expect(counting.embeddedTexts.length).toBe(summary.embeddedPassages);
    expect(existsSync(path.join(indexDir, EMBEDDING_CACHE_FILE))).toBe(false);

    // The resumed vectors are the model's: the index answers as a clean build does.
    const index = await loadIndex(indexDir);
    const hits = (await new Retriever(index, fixture).search(KOALITION_QUESTION, { k: 3, mode: 'dense' })).hits;
    const clean = await tempDir('clean-');
    await runIndexer({ seedsDir, indexDir: clean, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: fixture });
    const cleanHits = (await new Retriever(await loadIndex(clean), fixture).search(KOALITION_QUESTION, { k: 3, mode: 'dense' })).hits;
    expect(hits.map((hit) => hit.passage.id)).toEqual(cleanHits.map((hit) => hit.passage.id));
    expect(hits[0]!.score).toBeCloseTo(cleanHits[0]!.score, 6);
  });
});

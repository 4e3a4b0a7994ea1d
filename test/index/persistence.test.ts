/**
 * Persistence round trip: what runIndexer / saveIndex write is what loadIndex reads back, with
 * a manifest that describes it exactly, and the loaded index answers like the one in memory.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArticles } from '../../src/articles/read-articles.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { buildIndex } from '../../src/indexer/build-index.ts';
import { hasIndex, loadIndex, lockIndex, saveIndex } from '../../src/index/index-store.ts';
import { INDEX_FORMAT_VERSION, LEXICAL_FILE, MANIFEST_FILE, PASSAGES_FILE, VECTORS_FILE } from '../../src/index/manifest.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { ANALYZER_VERSION } from '../../src/index/analyzer.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { Retriever, type SearchMode } from '../../src/retrieval/retriever.ts';
import {
  copySeed,
  FIXTURE_MODEL_ID,
  fixtureModelSettings,
  KOALITION_QUESTION,
  loadFixtureEmbedder,
  SEED_ID,
  useTempDirs,
  writeArticle,
} from '../helpers/index-fixtures.ts';
import { ageRetiredGenerations } from '../helpers/generations.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';

const tempDir = useTempDirs('quelle-persist-');
const HNSW = { m: 8, efConstruction: 40, efSearch: 33 };
const QUESTIONS = [KOALITION_QUESTION, 'Was sagte Peskow über die Pläne?', 'Wo soll ein Gipfeltreffen stattfinden?', 'Wetter im Norden'];

let embedder: Embedder;
let seedsDir: string;

beforeAll(async () => {
  embedder = await loadFixtureEmbedder();
  seedsDir = await copySeed(await tempDir('seeds-'));
  await writeArticle(seedsDir, '001_wetter', {
    title: 'Der Wetterdienst erwartet am Wochenende Regen im ganzen Norden',
    category: 'Panorama',
    paragraphs: [
      'Der Deutsche Wetterdienst erwartet am Wochenende Regen und kühle Temperaturen im Norden.',
      'Im Süden bleibt es dagegen sonnig, bei Temperaturen bis zu 25 Grad.',
    ],
  });
});

/** Everything a search returns that must survive a save and a load. */
async function answers(index: SearchIndex, modes: readonly SearchMode[]) {
  const retriever = new Retriever(index, index.vectors ? embedder : null);
  const out: unknown[] = [];
  for (const mode of modes) {
    for (const question of QUESTIONS) {
      const { hits, mode: used } = await retriever.search(question, { mode, k: 10 });
      out.push({
        mode: used,
        question,
        hits: hits.map((hit) => ({ id: hit.passage.id, score: Number(hit.score.toFixed(6)), excerpt: hit.excerpt })),
      });
    }
  }
  return out;
}

async function expectFilesMatchManifest(dir: string, index: SearchIndex, expectedFiles: readonly string[]): Promise<void> {
  const generation = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
  const genDir = path.join(dir, generation);
  expect((await readdir(genDir)).sort()).toEqual([MANIFEST_FILE, ...expectedFiles].sort());
  expect(Object.keys(index.manifest.files).sort()).toEqual([...expectedFiles].sort());
  for (const file of expectedFiles) {
    const bytes = await readFile(path.join(genDir, file));
    expect(index.manifest.files[file], file).toEqual({ bytes: (await stat(path.join(genDir, file))).size, crc32: crc32(bytes) });
    expect(bytes.length).toBeGreaterThan(0);
  }
  // The manifest on disk is the one returned and loaded.
  expect(JSON.parse(await readFile(path.join(genDir, MANIFEST_FILE), 'utf8'))).toEqual(index.manifest);
}

describe('hybrid index round trip (runIndexer → loadIndex)', () => {
  let dir: string;
  let built: SearchIndex;
  let loaded: SearchIndex;

  beforeAll(async () => {
    dir = await tempDir('hybrid-');
    const run = await runIndexer({ seedsDir, indexDir: dir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder, hnsw: HNSW });
    built = run.index;
    loaded = await loadIndex(dir);
  });

  it('loads the same passages and articles', () => {
    expect(loaded.passages).toEqual(built.passages);
    expect(loaded.articles).toEqual(built.articles);
    expect(loaded.passages).toHaveLength(6);
    expect(loaded.passages.filter((p) => p.articleId === SEED_ID).map((p) => p.paragraph)).toEqual([1, 2, 3, 4]);
    expect(loaded.lexical.size).toBe(6);
  });

  it('records format, mode, model, HNSW parameters (with efSearch), counts and article hashes', async () => {
    const { manifest } = loaded;
    expect(manifest).toEqual(built.manifest);
    expect(manifest.format).toBe('quelle-index');
    expect(manifest.formatVersion).toBe(INDEX_FORMAT_VERSION);
    expect(manifest.mode).toBe('hybrid');
    expect(manifest.model).toEqual({ id: FIXTURE_MODEL_ID, dimension: 64 });
    expect(manifest.hnsw).toEqual({ metric: 'cosine', ...HNSW });
    expect(manifest.analyzerVersion).toBe(ANALYZER_VERSION);
    expect(manifest.counts).toEqual({ articles: 2, passages: 6 });
    const { articles } = await readArticles(seedsDir);
    expect(manifest.articles).toEqual(Object.fromEntries(articles.map((a) => [a.id, a.contentHash])));
    expect(Number.isNaN(Date.parse(manifest.createdAt))).toBe(false);
    expect(manifest.buildSeconds).toBeGreaterThanOrEqual(0);
  });

  it('records the size and CRC-32 of every file', async () => {
    await expectFilesMatchManifest(dir, loaded, [PASSAGES_FILE, LEXICAL_FILE, VECTORS_FILE]);
  });

  it('restores the vectors and the search parameters', () => {
    expect(loaded.vectors).not.toBeNull();
    expect(loaded.vectors!.size).toBe(6);
    expect(loaded.vectors!.dimension).toBe(64);
    expect(loaded.vectors!.parameters).toMatchObject(HNSW);
    // hnswlib does not save ef; the loaded graph must search with the manifest's efSearch.
    const native = (loaded.vectors as unknown as { hnsw: { getEf(): number } }).hnsw;
    expect(native.getEf()).toBe(HNSW.efSearch);
    for (let label = 0; label < 6; label++) {
      const before = Array.from(built.vectors!.vector(label));
      const after = Array.from(loaded.vectors!.vector(label));
      expect(after).toEqual(before);
    }
  });

  it('answers every mode exactly as before saving', async () => {
    const before = await answers(built, ['hybrid', 'dense', 'lexical']);
    expect(await answers(loaded, ['hybrid', 'dense', 'lexical'])).toEqual(before);
    // Sanity: the comparison covered real results.
    expect(JSON.stringify(before)).toContain(`${SEED_ID}#2`);
  });
});

describe('lexical-only index round trip', () => {
  let dir: string;
  let built: SearchIndex;
  let loaded: SearchIndex;

  beforeAll(async () => {
    dir = await tempDir('lexical-');
    const run = await runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
    expect(run.summary.embeddedPassages).toBe(0);
    built = run.index;
    loaded = await loadIndex(dir);
  });

  it('loads the same passages, no vectors, and a manifest without model or HNSW settings', async () => {
    expect(loaded.passages).toEqual(built.passages);
    expect(loaded.articles).toEqual(built.articles);
    expect(loaded.vectors).toBeNull();
    expect(loaded.manifest).toEqual(built.manifest);
    expect(loaded.manifest).toMatchObject({ formatVersion: INDEX_FORMAT_VERSION, mode: 'lexical', model: null, hnsw: null, counts: { articles: 2, passages: 6 } });
    const { articles } = await readArticles(seedsDir);
    expect(loaded.manifest.articles).toEqual(Object.fromEntries(articles.map((a) => [a.id, a.contentHash])));
  });

  it('writes no vector file and checksums the others', async () => {
    await expectFilesMatchManifest(dir, loaded, [PASSAGES_FILE, LEXICAL_FILE]);
  });

  it('answers lexically exactly as before saving', async () => {
    const before = await answers(built, ['lexical']);
    expect(await answers(loaded, ['lexical'])).toEqual(before);
    expect(JSON.stringify(before)).toContain(`${SEED_ID}#2`);
  });
});

describe('saveIndex directly', () => {
  it('makes the new generation current, returns the manifest as written, and removes the previous generation after its grace period', async () => {
    const dir = await tempDir('save-');
    expect(await hasIndex(dir)).toBe(false);
    const { articles } = await readArticles(seedsDir);
    const first = await buildIndex({ articles, mode: 'hybrid', embedder });
    const firstManifest = await saveIndex(dir, first.index);
    const firstGeneration = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
    expect(await hasIndex(dir)).toBe(true);
    expect((await loadIndex(dir)).manifest).toEqual(firstManifest);

    const second = await buildIndex({ articles: articles.slice(0, 1), mode: 'lexical' });
    const secondManifest = await saveIndex(dir, second.index);
    const secondGeneration = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
    expect(secondGeneration).not.toBe(firstGeneration);
    // A reader that read CURRENT just before the switch can still open the previous generation.
    expect((await readdir(dir)).sort()).toEqual(['CURRENT', firstGeneration, secondGeneration].sort());
    expect(await ageRetiredGenerations(dir)).toEqual([firstGeneration]);
    const third = await saveIndex(dir, second.index);
    const thirdGeneration = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
    expect((await readdir(dir)).sort()).toEqual(['CURRENT', secondGeneration, thirdGeneration].sort());
    expect(third.counts).toEqual(secondManifest.counts);
    const loaded = await loadIndex(dir);
    expect(loaded.manifest).toEqual(third);
    expect(loaded.manifest.counts).toEqual({ articles: 1, passages: 4 });
    expect(loaded.passages).toEqual(second.index.passages);
  });
});

describe('a lexical index saved by another analyzer', () => {
  /** Makes the current generation's lexical index look as if another analyzer had saved it (the manifest's checksum follows, as a real old build's would). */
  async function ageAnalyzer(dir: string): Promise<string> {
    const generation = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
    const genDir = path.join(dir, generation);
    const stale = JSON.stringify({ ...(JSON.parse(await readFile(path.join(genDir, LEXICAL_FILE), 'utf8')) as object), analyzerId: '4/an-older-analyzer' });
    await writeFile(path.join(genDir, LEXICAL_FILE), stale);
    const manifest = JSON.parse(await readFile(path.join(genDir, MANIFEST_FILE), 'utf8')) as { files: Record<string, unknown>; analyzerVersion: number };
    manifest.files[LEXICAL_FILE] = { bytes: Buffer.byteLength(stale), crc32: crc32(Buffer.from(stale)) };
    manifest.analyzerVersion = 4;
    await writeFile(path.join(genDir, MANIFEST_FILE), JSON.stringify(manifest));
    return generation;
  }

  it('is rebuilt once from the passages, saved as a new generation beside the same passages and vectors, and the reason logged', async () => {
    const dir = await tempDir('analyzer-');
    await runIndexer({ seedsDir, indexDir: dir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder, hnsw: HNSW });
    const before = await answers(await loadIndex(dir), ['hybrid', 'lexical']);
    const old = await ageAnalyzer(dir);
    const logger = recordingLogger();

    const loaded = await loadIndex(dir, { logger });
    expect(logger.lines.some((line) => line.startsWith('warn') && line.includes('made by analyzer 4/an-older-analyzer') && line.includes('rebuilt from the passages'))).toBe(true);
    expect(logger.lines.some((line) => line.includes('Saved the rebuilt lexical index'))).toBe(true);
    const current = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
    expect(current).not.toBe(old);
    // The old generation stays for its grace period, for readers that had just read CURRENT.
    expect((await readdir(dir)).filter((entry) => entry.startsWith('gen-')).sort()).toEqual([old, current].sort());
    // The passages and vectors are the old generation's very files (linked), the lexical index is new.
    for (const file of [PASSAGES_FILE, VECTORS_FILE]) expect((await stat(path.join(dir, current, file))).ino).toBe((await stat(path.join(dir, old, file))).ino);
    expect((JSON.parse(await readFile(path.join(dir, current, LEXICAL_FILE), 'utf8')) as { analyzerId: string }).analyzerId).toBe(loaded.lexical.analyzer.id);
    expect(loaded.manifest.analyzerVersion).toBe(ANALYZER_VERSION);
    await expectFilesMatchManifest(dir, loaded, [PASSAGES_FILE, LEXICAL_FILE, VECTORS_FILE]);
    expect(await answers(loaded, ['hybrid', 'lexical'])).toEqual(before);

    // Once: the next load reads the saved index as it is.
    const again = recordingLogger();
    expect(await answers(await loadIndex(dir, { logger: again }), ['hybrid', 'lexical'])).toEqual(before);
    expect(again.lines).toEqual([]);
    expect((await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim()).toBe(current);
  });

  it('is only served from memory, and says so, while a build holds the lock; a build loading it does not save it either', async () => {
    const dir = await tempDir('analyzer-locked-');
    await runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
    const old = await ageAnalyzer(dir);
    const lock = await lockIndex(dir);
    try {
      const logger = recordingLogger();
      const loaded = await loadIndex(dir, { logger });
      expect(loaded.lexical.size).toBe(loaded.passages.length);
      expect(logger.lines.some((line) => line.startsWith('warn') && line.includes('was not saved'))).toBe(true);
      expect((await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim()).toBe(old);
    } finally {
      await lock.release();
    }
    const kept = recordingLogger();
    await loadIndex(dir, { logger: kept, rebuiltLexical: 'keep' });
    expect(kept.lines.some((line) => line.includes('rebuilt from the passages'))).toBe(true);
    expect(kept.lines.some((line) => line.includes('Saved'))).toBe(false);
    expect((await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim()).toBe(old);
  });
});

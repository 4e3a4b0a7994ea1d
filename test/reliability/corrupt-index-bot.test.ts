/**
 * Corruption, from the bot's side (issue #6). test/index/corruption.test.ts already proves that
 * loading names the damaged file and the fix; here the bot meets such an index:
 * - for every index file but the vectors (and CURRENT) truncated, emptied or byte-flipped, the search service
 *   starts anyway, reports why the index is unavailable (file and fix), refuses questions with
 *   INDEX_MISSING (the bot's "index unavailable" message) and /reindex's rebuild repairs it;
 * - a sweep of single-bit flips over the manifest (which has no checksum of its own) shows each
 *   flip is either caught, naming a file of the generation, or harmless to the answers;
 * - end to end through the Discord twin: /ask says "unavailable" privately, /reindex repairs,
 *   and the next /ask answers.
 */
import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchService } from '../../src/bot/search-service.ts';
import { loadCoreConfig } from '../../src/config.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { ErrorCode, QuelleError } from '../../src/errors.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { LEXICAL_FILE, MANIFEST_FILE, PASSAGES_FILE } from '../../src/index/manifest.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { fixtureModelSettings, loadFixtureEmbedder, SEED_FILE } from '../helpers/index-fixtures.ts';
import { ask, FIXTURE_MODEL, isAnswer, recordingLogger, SEED_QUESTION, startHarness, tempDir, undisposable } from './helpers.ts';

const FIX = /npm run index|\/reindex/;

let work: string;
let seedsDir: string;
let pristine: string;
let embedder: Embedder;

beforeAll(async () => {
  work = await tempDir('corrupt-');
  seedsDir = path.join(work, 'seeds');
  await cp(SEED_FILE, path.join(seedsDir, path.basename(SEED_FILE)), { recursive: true });
  pristine = path.join(work, 'pristine');
  embedder = await loadFixtureEmbedder();
  await runIndexer({ seedsDir, indexDir: pristine, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

let copies = 0;
async function copyOfIndex(): Promise<{ dir: string; gen: string }> {
  const dir = path.join(work, `copy-${copies++}`);
  await cp(pristine, dir, { recursive: true });
  return { dir, gen: path.join(dir, (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim()) };
}

const damages: Record<string, (file: string) => Promise<void>> = {
  truncated: async (file) => truncate(file, Math.floor((await readFile(file)).length / 2)),
  emptied: async (file) => writeFile(file, ''),
  // One bit in the middle; for JSON files at the first byte too, so that the structure breaks.
  'byte-flipped': async (file) => {
    const bytes = await readFile(file);
    const at = file.endsWith('.json') || file.endsWith('CURRENT') ? 0 : Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(file, bytes);
  },
};

describe('the search service over a damaged index', () => {
  // A damaged vectors.hnsw alone leaves the words to search: damaged-vectors.test.ts.
  const files = [MANIFEST_FILE, PASSAGES_FILE, LEXICAL_FILE, 'CURRENT'];
  const cases = files.flatMap((file) => Object.keys(damages).map((damage) => [file, damage] as const));

  it.each(cases)('%s %s: starts, says why (file and fix), refuses questions, and a reindex repairs it', async (file, damage) => {
    const { dir, gen } = await copyOfIndex();
    const target = file === 'CURRENT' ? path.join(dir, file) : path.join(gen, file);
    await damages[damage]!(target);
    const config = loadCoreConfig({ QUELLE_SEEDS_DIR: seedsDir, QUELLE_INDEX_DIR: dir, EMBEDDING_MODEL_DIR: FIXTURE_MODEL });
    const logger = recordingLogger();
    const service = new SearchService(config, logger, embedder);
    await service.start();

    expect(service.current).toBeNull();
    const reason = service.unavailableReason!;
    // An emptied CURRENT is "no index"; anything else names the damaged file (or, for CURRENT,
    // the manifest of the generation it no longer names).
    if (file === 'CURRENT') expect(reason).toContain(dir);
    else expect(reason).toContain(target);
    expect(reason).toMatch(FIX);
    expect(logger.lines.join('\n')).toMatch(/The index is unavailable; \/ask will say so until a moderator runs \/reindex/);
    const refused = await service.ask(SEED_QUESTION, 3).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(QuelleError);
    expect((refused as QuelleError).code).toBe(ErrorCode.IndexMissing);

    const summary = await service.reindex();
    expect(summary.articles).toBe(1);
    expect(service.unavailableReason).toBeNull();
    expect((await service.ask(SEED_QUESTION, 3)).hits.length).toBeGreaterThan(0);
    expect((await loadIndex(dir)).manifest.counts.passages).toBe(4);
  });
});

describe('single-bit flips anywhere in the manifest', () => {
  it('each is caught (naming a file of the generation) or leaves the answers unchanged', { timeout: 240_000 }, async () => {
    const { dir, gen } = await copyOfIndex();
    const manifestPath = path.join(gen, MANIFEST_FILE);
    const original = await readFile(manifestPath);
    const expected = (await new Retriever(await loadIndex(dir), embedder).search(SEED_QUESTION, { k: 4 })).hits.map((hit) => hit.passage.id);
    let caught = 0;
    let harmless = 0;
    const undetected = new Set<string>();
    // Every fifth byte: the manifest holds the dense calibration now (about 1.5 kB), and each
    // flip loads and searches the whole index.
    for (let at = 0; at < original.length; at += 5) {
      const flipped = Buffer.from(original);
      flipped[at] = flipped[at]! ^ 0x01;
      await writeFile(manifestPath, flipped);
      const loaded = await loadIndex(dir).then(
        (index) => index,
        (e: unknown) => e as QuelleError,
      );
      if (loaded instanceof Error) {
        expect(loaded).toBeInstanceOf(QuelleError);
        expect([ErrorCode.IndexCorrupt, ErrorCode.IndexIncompatible]).toContain(loaded.code);
        expect(loaded.message).toContain(gen);
        expect(loaded.message).toMatch(FIX);
        caught++;
        continue;
      }
      // Loaded: the flip hit a value nothing checks (a content hash, a date, the build time…).
      const retriever = (() => {
        try {
          return new Retriever(loaded, embedder);
        } catch {
          return new Retriever(loaded, null); // a changed model id: the bot answers lexically and says why
        }
      })();
      const hits = (await retriever.search(SEED_QUESTION, { k: 4 })).hits.map((hit) => hit.passage.id);
      expect(hits[0], `flip at byte ${at} (${JSON.stringify(original.toString('latin1', Math.max(0, at - 15), at + 15))})`).toBe(expected[0]);
      harmless++;
      undetected.add(/"(\w+)":[^"]*$/.exec(original.toString('utf8', 0, at))?.[1] ?? '?');
    }
    console.log(`manifest bit flips: ${caught + harmless} tried, ${caught} caught, ${harmless} undetected but harmless (in: ${[...undetected].join(', ')})`);
    expect(caught).toBeGreaterThan(0);
  });
});

describe('the bot over a damaged index, through Discord', () => {
  it.each([
    [PASSAGES_FILE, 'byte-flipped'],
    [MANIFEST_FILE, 'truncated'],
  ] as const)('%s %s: /ask says unavailable privately, /reindex repairs, the next /ask answers', { timeout: 60_000 }, async (file, damage) => {
    const { dir, gen } = await copyOfIndex();
    await damages[damage]!(path.join(gen, file));
    const h = await startHarness({ seedsDir, indexDir: dir, embedder: undisposable(embedder) });
    try {
      expect(h.bot.client.isReady()).toBe(true);
      const ready = h.logger.lines.find((line) => line.includes('Quelle is ready'))!;
      expect(ready).toContain('"mode":"unavailable"');
      expect(ready).toContain(path.join(gen, file));

      const before = await ask(h.twin, SEED_QUESTION);
      await before.waitForCallback();
      expect(before.original()!.ephemeral).toBe(true);
      expect(before.original()!.content).toContain('unavailable');
      expect(before.original()!.content).toContain('/reindex');

      const reindex = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
      await reindex.waitForEdit((message) => message.embeds.length > 0, 30_000);

      const after = await ask(h.twin, SEED_QUESTION);
      const final = await after.waitForFinal(10_000);
      expect(isAnswer(final)).toBe(true);
      expect(h.twin.violations).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});

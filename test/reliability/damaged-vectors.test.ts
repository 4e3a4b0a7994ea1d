/**
 * Red-team scenario (issue #10, finding 7): a damaged `vectors.hnsw`. Before, loading checked
 * and loaded the vectors in every mode, so lexical mode, which never uses them, refused every
 * question. Now:
 * - lexical mode does not read the vector file at all, and answers (the bot and `ask`);
 * - hybrid mode answers lexically, with a notice that says the vector file is damaged and that
 *   /reindex repairs it; the ready log and /stats say why; /reindex rebuilds the vectors.
 */
import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/bot/messages.ts';
import { SearchService } from '../../src/bot/search-service.ts';
import { loadCoreConfig } from '../../src/config.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { VECTORS_FILE } from '../../src/index/manifest.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { copySeed, fixtureModelSettings, loadFixtureEmbedder, runCliCommand, useTempDirs } from '../helpers/index-fixtures.ts';
import { ask, FIXTURE_MODEL, isAnswer, recordingLogger, SEED_QUESTION, startHarness, undisposable } from './helpers.ts';

const tempDir = useTempDirs('quelle-rel-vectors-');
let seedsDir: string;
let pristine: string;
let embedder: Embedder;

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
  pristine = await tempDir('pristine-');
  embedder = await loadFixtureEmbedder();
  await runIndexer({ seedsDir, indexDir: pristine, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
});

const damages: Record<string, (file: string) => Promise<void>> = {
  truncated: async (file) => truncate(file, Math.floor((await readFile(file)).length / 2)),
  emptied: async (file) => writeFile(file, ''),
  'byte-flipped': async (file) => {
    const bytes = await readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(file, bytes);
  },
  deleted: async (file) => rm(file),
};

/** A copy of the hybrid index with its vector file damaged; returns the folder and that file. */
async function damagedIndex(damage: string): Promise<{ dir: string; vectors: string }> {
  const dir = await tempDir('index-');
  await cp(pristine, dir, { recursive: true });
  const vectors = path.join(dir, (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim(), VECTORS_FILE);
  await damages[damage]!(vectors);
  return { dir, vectors };
}

describe('lexical mode over a damaged vector file', () => {
  it.each(Object.keys(damages))('%s: the search service starts and answers', async (damage) => {
    const { dir } = await damagedIndex(damage);
    const config = loadCoreConfig({ QUELLE_SEEDS_DIR: seedsDir, QUELLE_INDEX_DIR: dir, QUELLE_MODE: 'lexical', EMBEDDING_MODEL_DIR: FIXTURE_MODEL });
    const service = new SearchService(config, recordingLogger());
    await service.start();
    expect(service.unavailableReason).toBeNull();
    const response = await service.ask(SEED_QUESTION, 3);
    expect(response.mode).toBe('lexical');
    expect(response.notice).toBeNull();
    expect(response.hits.filter((hit) => hit.relevant).length).toBeGreaterThan(0);
    await service.dispose();
  });

  it('`ask --mode lexical` answers', async () => {
    const { dir } = await damagedIndex('byte-flipped');
    const { code, stdout } = await runCliCommand('ask', [SEED_QUESTION, '--index', dir, '--mode', 'lexical', '--json']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { results: unknown[] }).results.length).toBeGreaterThan(0);
  });
});

describe('hybrid mode over a damaged vector file, through Discord', () => {
  it('answers lexically and says why (answer, ready log, /stats); /reindex rebuilds the vectors', { timeout: 60_000 }, async () => {
    const { dir, vectors } = await damagedIndex('byte-flipped');
    const h = await startHarness({ seedsDir, indexDir: dir, embedder: undisposable(embedder) });
    try {
      const ready = h.logger.lines.find((line) => line.includes('Quelle is ready'))!;
      expect(ready).toContain('"mode":"lexical"');
      expect(ready).toContain(`"vectorsProblem":"Index file ${vectors} is damaged (checksum mismatch)`);

      const answer = await (await ask(h.twin, SEED_QUESTION, { locale: 'de' })).waitForFinal(10_000);
      expect(isAnswer(answer)).toBe(true);
      expect(answer.embeds[0]!.footer!.text).toContain(messagesFor('de').damagedVectorsNotice);

      const stats = await h.twin.sendCommand({ name: 'stats', user: h.twin.ids.ownerId });
      expect((await stats.waitForFinal(10_000)).embeds[0]!.description).toBe(messagesFor('en').vectorsDamaged);

      const reindex = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
      const done = await reindex.waitForEdit((message) => message.embeds.length > 0 || /failed|not rebuilt/.test(message.content), 30_000);
      expect(done.embeds[0]?.footer?.text).toBe(`hybrid · ${embedder.modelId}`);
      const repaired = await loadIndex(dir);
      expect(repaired.vectors?.size).toBe(repaired.passages.length);

      const after = await (await ask(h.twin, SEED_QUESTION)).waitForFinal(10_000);
      expect(after.embeds[0]!.footer!.text).toMatch(/^Search: hybrid · \d+ ms$/);
      const statsAfter = await h.twin.sendCommand({ name: 'stats', user: h.twin.ids.ownerId });
      expect((await statsAfter.waitForFinal(10_000)).embeds[0]!.description).toBeUndefined();
      expect(h.twin.violations).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});

/**
 * The search service loads the model once at start (issue #11, item 5): when it fails, the
 * failure is passed on to the retriever instead of being met again by a second load (two hub
 * time-outs before the bot came up). At reindex time the model is tried once more. Dense mode
 * without a model answers by word search and says so, rather than with an internal error.
 */
import { describe, expect, it, vi } from 'vitest';
import { buildAnswerEmbed } from '../../src/bot/answer-embed.ts';
import { messagesFor } from '../../src/bot/messages.ts';
import { SearchService } from '../../src/bot/search-service.ts';
import { loadCoreConfig } from '../../src/config.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { currentProcessIdentity, IndexLockedError } from '../../src/index/build-lock.ts';
import { lockIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';
import { copySeed, FIXTURE_MODEL_DIR, fixtureModelSettings, useTempDirs } from '../helpers/index-fixtures.ts';

const loads = vi.hoisted(() => ({ count: 0, embedder: null as Embedder | null }));

vi.mock('../../src/embedding/open-embedder.ts', () => ({
  openEmbedder: async () => {
    loads.count++;
    return loads.embedder ? { embedder: loads.embedder, unavailableReason: null } : { embedder: null, unavailableReason: 'the hub timed out (simulated)' };
  },
}));

const tempDir = useTempDirs('quelle-service-');

describe('SearchService and a model that fails to load', () => {
  it('tries the model once at start, answers lexically with its reason, and once more at reindex time, keeping it when it loads', async () => {
    const seedsDir = await copySeed(await tempDir('seeds-'));
    const indexDir = await tempDir('index-');
    const { loadTransformersEmbedder } = await import('../../src/embedding/transformers-embedder.ts');
    await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: await loadTransformersEmbedder(fixtureModelSettings) });

    const config = loadCoreConfig({ QUELLE_SEEDS_DIR: seedsDir, QUELLE_INDEX_DIR: indexDir, EMBEDDING_MODEL_DIR: FIXTURE_MODEL_DIR });
    const service = new SearchService(config, recordingLogger());
    await service.start();
    expect(loads.count).toBe(1);
    expect(service.modelProblem).toBe('the hub timed out (simulated)');
    expect(service.current!.denseUnavailableReason()).toBe('the hub timed out (simulated)');

    // The rebuild tries the model once more, and (the index being hybrid) is refused.
    await expect(service.reindex()).rejects.toThrow(/would replace the hybrid index/);
    expect(loads.count).toBe(2);

    // The model loads at the next try, but another build holds the lock: the rebuild fails,
    // and the serving index searches by meaning again all the same.
    loads.embedder = await loadTransformersEmbedder(fixtureModelSettings);
    const other = await lockIndex(indexDir, { identity: { ...(await currentProcessIdentity()), hostname: 'build-box-7' } });
    try {
      await expect(service.reindex()).rejects.toBeInstanceOf(IndexLockedError);
    } finally {
      await other.release();
    }
    expect(loads.count).toBe(3);
    expect(service.modelProblem).toBeNull();
    expect(service.current!.denseUnavailableReason()).toBeNull();
    expect((await service.ask('Wo traf sich die Koalition der Willigen?', 3)).mode).toBe('hybrid');
  });
});

describe('SearchService in dense mode without a model', () => {
  it('answers by word search with the notice the answer shows in the user\'s language, instead of failing every question', async () => {
    loads.embedder = null;
    const seedsDir = await copySeed(await tempDir('seeds-'));
    const indexDir = await tempDir('index-');
    const { loadTransformersEmbedder } = await import('../../src/embedding/transformers-embedder.ts');
    await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: await loadTransformersEmbedder(fixtureModelSettings) });
    const config = loadCoreConfig({ QUELLE_SEEDS_DIR: seedsDir, QUELLE_INDEX_DIR: indexDir, EMBEDDING_MODEL_DIR: FIXTURE_MODEL_DIR, QUELLE_MODE: 'dense' });
    const service = new SearchService(config, recordingLogger());
    await service.start();

    const response = await service.ask('Wo traf sich die Koalition der Willigen?', 3);
    expect(response.mode).toBe('lexical');
    expect(response.notice).toBe('Answering in lexical mode: the hub timed out (simulated).');
    expect(response.declined).toBe(false);
    expect(response.hits[0]!.passage.paragraph).toBe(2);
    for (const language of ['de', 'en'] as const) {
      const embed = buildAnswerEmbed('Wo traf sich die Koalition der Willigen?', response, language, messagesFor(language));
      expect(embed.footer!.text).toContain(messagesFor(language).lexicalNotice);
      expect(JSON.stringify(embed)).not.toMatch(/--mode|hub timed out/);
    }
  });
});

/**
 * Resumable builds against a real kill -9 (issue #12): `npm run index -- --rebuild` killed at 90%
 * of its embedding, then the same command again: the second run embeds only what the first had
 * not saved (at most 15% of the passages), takes the rest from the embedding cache, and the index
 * answers. The benchmark's resume section does the same on 10kGNAD with the e5-shaped model.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { fixtureModelSettings, loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { SEED_QUESTION, tempDir, writeCorpus } from './helpers.ts';
import { killIndexerAt, runIndexerToEnd } from './kill-harness.ts';

describe('kill -9 at 90% of a build, then the same command again', () => {
  it('the rerun embeds at most 15% of the passages and the index answers', { timeout: 120_000 }, async () => {
    const work = await tempDir('resume-');
    const seedsDir = await writeCorpus(path.join(work, 'seeds'), 1000);
    const indexDir = path.join(work, 'index');
    // The index the rebuild replaces: lexical, so no vector can be reused from it.
    await runIndexer({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });

    // One passage a batch: the fixture model embeds in a few seconds instead of one redraw of the bar.
    const run = { seedsDir, indexDir, env: { EMBEDDING_BATCH_SIZE: '1' } };
    const kill = await killIndexerAt(run, { label: '90% embedded', trigger: { kind: 'progress', phase: 'embed', fraction: 0.9 } });
    expect(kill.killed, kill.landed).toBe(true);
    // Where the kill landed, as the harness saw it (a slow machine could land it later, in the save).
    expect(kill.landed).toMatch(/^embed \d+\/\d+$/);
    const [done, total] = kill.landed.slice('embed '.length).split('/').map(Number);
    expect(done! / total!).toBeGreaterThanOrEqual(0.9);
    expect(done! / total!).toBeLessThan(1);

    const { summary } = await runIndexerToEnd(run);
    console.log(`kill -9 in ${kill.landed}; the rerun embedded ${summary.embeddedPassages} of ${summary.passages} passages, took ${summary.resumedPassages} from the cache`);
    expect(summary.embeddedPassages + summary.resumedPassages).toBe(summary.passages);
    expect(summary.embeddedPassages / summary.passages).toBeLessThanOrEqual(0.15);

    const embedder = await loadFixtureEmbedder();
    const response = await new Retriever(await loadIndex(indexDir), embedder).search(SEED_QUESTION, { k: 3, mode: 'hybrid' });
    expect(response.mode).toBe('hybrid');
    expect(response.hits[0]!.passage.articleId).toBe('000_844079290e2bd696');
  });
});

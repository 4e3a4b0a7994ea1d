import { afterEach, describe, expect, it, vi } from 'vitest';
import { readArticles } from '../../src/articles/read-articles.ts';
import { Analyzer } from '../../src/index/analyzer.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { buildIndex } from '../../src/indexer/build-index.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { copySeed, fixtureModelSettings, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-build-index-');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('buildIndex in a serving process (issue #12)', () => {
  it("a rebuild takes the serving index's analyzer instead of loading the word lists again, which holds the event loop", async () => {
    const seedsDir = await copySeed(await tempDir('seeds-'));
    const indexDir = await tempDir('index-');
    await runIndexer({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });
    const previous = await loadIndex(indexDir, { vectors: 'skip' });
    const { articles } = await readArticles(seedsDir);

    const load = vi.spyOn(Analyzer, 'load');
    const rebuilt = await buildIndex({ articles, mode: 'lexical', previous });

    expect(load).not.toHaveBeenCalled();
    expect(rebuilt.index.lexical.analyzer.id).toBe(previous.lexical.analyzer.id);
    const question = 'Was sagte Putin über ausländische Truppen?';
    expect(rebuilt.index.lexical.search(question, 3)).toEqual(previous.lexical.search(question, 3));
    expect(rebuilt.index.lexical.search(question, 3).length).toBeGreaterThan(0);
  });
});

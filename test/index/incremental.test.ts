/**
 * Incremental reindexing: only new and changed passages are embedded; the summary reports
 * exactly which articles were added, changed, removed and unchanged; --rebuild and a model
 * change re-embed everything; reused vectors land on the right passages.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { runIndexer, type IndexerRun } from '../../src/indexer/run-indexer.ts';
import {
  copySeed,
  countingEmbedder,
  FIXTURE_MODEL_ID,
  fixtureModelSettings,
  loadFixtureEmbedder,
  SEED_ID,
  useTempDirs,
  writeArticle,
  type ArticleSpec,
} from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-incremental-');

const WETTER: ArticleSpec = {
  title: 'Der Wetterdienst erwartet am Wochenende Regen im ganzen Norden',
  category: 'Panorama',
  paragraphs: [
    'Der Deutsche Wetterdienst erwartet am Wochenende Regen und kühle Temperaturen im Norden.',
    'Im Süden bleibt es dagegen sonnig, bei Temperaturen bis zu 25 Grad.',
    'Ab Montag soll es überall wieder wärmer werden, sagen die Meteorologen.',
  ],
};
const WETTER_CHANGED_PARAGRAPH = 'Im Süden ziehen dagegen Gewitter auf, mit Hagel und Sturmböen in den Alpen.';
const FUSSBALL: ArticleSpec = {
  title: 'Der Verein gewinnt das Pokalspiel nach Verlängerung knapp',
  category: 'Sport',
  paragraphs: ['Nach 120 Minuten stand es 3:2 für die Gastgeber.', 'Der Trainer lobte die Moral seiner Mannschaft.'],
};
const HAUSHALT: ArticleSpec = {
  title: 'Der Bundestag berät über den Haushalt für das kommende Jahr',
  category: 'Wirtschaft',
  paragraphs: [
    'Die Regierung plant höhere Ausgaben für Verteidigung und Infrastruktur.',
    'Die Opposition kritisiert die neue Verschuldung scharf.',
    'Eine Einigung wird bis Ende November erwartet.',
    'Ökonomen halten die Pläne für vertretbar.',
  ],
};

let fixture: Embedder;

beforeAll(async () => {
  fixture = await loadFixtureEmbedder();
});

/** Checks every stored vector against a fresh embedding of its passage's text. */
async function expectVectorsMatchTexts(index: SearchIndex): Promise<void> {
  const fresh = await fixture.embedPassages(index.passages.map((p) => p.text));
  expect(index.vectors!.size).toBe(index.passages.length);
  index.passages.forEach((passage, label) => {
    const stored = index.vectors!.vector(label);
    let dot = 0;
    for (let i = 0; i < stored.length; i++) dot += stored[i]! * fresh[label]![i]!;
    expect(dot, `vector of ${passage.id}`).toBeCloseTo(1, 5);
  });
}

describe('incremental reindex (hybrid, fixture model)', () => {
  let seedsDir: string;
  let indexDir: string;
  let first: IndexerRun;
  const embedder = () => countingEmbedder(fixture);

  beforeAll(async () => {
    seedsDir = await copySeed(await tempDir('seeds-'));
    await writeArticle(seedsDir, '001_wetter', WETTER);
    await writeArticle(seedsDir, '002_fussball', FUSSBALL);
    indexDir = await tempDir('index-');
    const counting = embedder();
    first = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: counting });
    expect(counting.embeddedTexts).toHaveLength(4 + 3 + 2);
  });

  it('the first build embeds every passage and reports every article as added', () => {
    expect(first.summary).toMatchObject({
      mode: 'hybrid',
      model: FIXTURE_MODEL_ID,
      articles: 3,
      passages: 9,
      added: [SEED_ID, '001_wetter', '002_fussball'],
      changed: [],
      removed: [],
      unchanged: 0,
      embeddedPassages: 9,
    });
  });

  it('an unchanged corpus embeds nothing', async () => {
    const counting = embedder();
    const { summary, index } = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: counting });
    expect(summary).toMatchObject({ added: [], changed: [], removed: [], unchanged: 3, embeddedPassages: 0 });
    expect(counting.embeddedTexts).toEqual([]);
    await expectVectorsMatchTexts(index);
  });

  it('one paragraph changed, one article added, one removed: exact summary, only new passages embedded', async () => {
    await writeArticle(seedsDir, '001_wetter', { ...WETTER, paragraphs: [WETTER.paragraphs[0]!, WETTER_CHANGED_PARAGRAPH, WETTER.paragraphs[2]!] });
    await writeArticle(seedsDir, '003_haushalt', HAUSHALT);
    await rm(path.join(seedsDir, '002_fussball.txt'));

    const counting = embedder();
    const { summary, index } = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: counting });
    expect(summary.added).toEqual(['003_haushalt']);
    expect(summary.changed).toEqual(['001_wetter']);
    expect(summary.removed).toEqual(['002_fussball']);
    expect(summary.unchanged).toBe(1);
    expect(summary.articles).toBe(3);
    expect(summary.passages).toBe(4 + 3 + 4);
    expect(summary.embeddedPassages).toBe(1 + HAUSHALT.paragraphs.length);
    expect([...counting.embeddedTexts].sort()).toEqual([WETTER_CHANGED_PARAGRAPH, ...HAUSHALT.paragraphs].sort());

    // Reused vectors were moved to the passages' new labels (the removed article shifted them).
    const loaded = await loadIndex(indexDir);
    expect(loaded.passages.map((p) => p.articleId)).not.toContain('002_fussball');
    await expectVectorsMatchTexts(loaded);
    expect(Object.keys(loaded.manifest.articles).sort()).toEqual([SEED_ID, '001_wetter', '003_haushalt']);
    expect(index.manifest.counts).toEqual({ articles: 3, passages: 11 });
  });

  it('rebuild: true re-embeds every passage', async () => {
    const counting = embedder();
    const { summary, index } = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: counting, rebuild: true });
    expect(summary.embeddedPassages).toBe(11);
    // The summary still compares with the previous index: nothing was added or removed.
    expect(summary.unchanged).toBe(3);
    expect(summary.added).toEqual([]);
    expect([...counting.embeddedTexts].sort()).toEqual(index.passages.map((p) => p.text).sort());
    await expectVectorsMatchTexts(index);
  });

  it('a different model re-embeds every passage and records the new model', async () => {
    const other = countingEmbedder(fixture, 'local:other-model@q8');
    const { summary } = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: other });
    expect(summary.unchanged).toBe(3);
    expect(summary.embeddedPassages).toBe(11);
    expect(other.embeddedTexts).toHaveLength(11);
    expect(summary.model).toBe('local:other-model@q8');
    expect((await loadIndex(indexDir)).manifest.model).toEqual({ id: 'local:other-model@q8', dimension: 64 });

    // Back to the fixture's id: again everything, since the stored vectors are the other model's.
    const back = embedder();
    const again = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: back });
    expect(again.summary.embeddedPassages).toBe(11);
    expect(back.embeddedTexts).toHaveLength(11);
  });

  it('a lexical index before a hybrid build reuses nothing (it has no vectors)', async () => {
    const dir = await tempDir('lexical-first-');
    await runIndexer({ seedsDir, indexDir: dir, mode: 'lexical', modelSettings: fixtureModelSettings });
    const counting = embedder();
    const { summary } = await runIndexer({ seedsDir, indexDir: dir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: counting });
    expect(summary).toMatchObject({ unchanged: 3, embeddedPassages: 11 });
    expect(counting.embeddedTexts).toHaveLength(11);
  });
});

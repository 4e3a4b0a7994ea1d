/**
 * Retrieval over real indexes built with the fixture model: ranking of the seed article in every
 * mode, one citation per paragraph, k, and the fallbacks with their explanations.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { ErrorCode, QuelleError } from '../../src/errors.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { DEFAULT_FUSION } from '../../src/retrieval/fuse-rankings.ts';
import { openRetriever, retrieverFor } from '../../src/retrieval/open-retriever.ts';
import { DEFAULT_RELEVANCE } from '../../src/retrieval/relevance.ts';
import { ALSO_SHARE, Retriever, SEARCH_MODES, type SearchResponse } from '../../src/retrieval/retriever.ts';
import {
  copySeed,
  countingEmbedder,
  FIXTURE_MODEL_ID,
  fixtureModelSettings,
  KOALITION_QUESTION,
  loadFixtureEmbedder,
  missingModelSettings,
  SEED_ID,
  SEED_TITLE,
  useTempDirs,
  writeArticle,
} from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-retrieval-');
const FIRST_SENTENCE_OF_P2 =
  'Bereits im Vorfeld hatten sich westliche Staaten im Rahmen eines Treffens der sogenannten "Koalition der Willigen" in Paris mit der Frage der Sicherheitsgarantien für die Ukraine auseinandergesetzt.';

let embedder: Embedder;
let seedHybridDir: string;
let seedHybrid: SearchIndex;
let seedLexical: SearchIndex;

beforeAll(async () => {
  embedder = await loadFixtureEmbedder();
  const seeds = await copySeed(await tempDir('seeds-'));
  seedHybridDir = await tempDir('seed-hybrid-');
  seedHybrid = (await runIndexer({ seedsDir: seeds, indexDir: seedHybridDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder })).index;
  seedLexical = (await runIndexer({ seedsDir: seeds, indexDir: await tempDir('seed-lexical-'), mode: 'lexical', modelSettings: fixtureModelSettings })).index;
});

const paragraphKeys = (response: SearchResponse): string[] => response.hits.map((hit) => `${hit.passage.articleId}#${hit.passage.paragraph}`);

describe('the seed article and the Koalition question', () => {
  it.each(SEARCH_MODES)('%s mode ranks paragraph 2 first, with its best sentence as the match', async (mode) => {
    const retriever = new Retriever(seedHybrid, embedder);
    const response = await retriever.search(KOALITION_QUESTION, { mode });
    expect(response.mode).toBe(mode);
    expect(response.notice).toBeNull();
    const [top] = response.hits;
    expect(top?.rank).toBe(1);
    expect(top?.passage.articleId).toBe(SEED_ID);
    expect(top?.passage.paragraph).toBe(2);
    expect(top?.passage.title).toBe(SEED_TITLE);
    expect(top?.excerpt.match).toBe(FIRST_SENTENCE_OF_P2);
    expect(response.hits.map((hit) => hit.rank)).toEqual(response.hits.map((_, i) => i + 1));
  });

  it('hybrid scores are RRF sums: ¶2 is first on both sides, so (dense weight + 1)/(k+1)', async () => {
    const response = await new Retriever(seedHybrid, embedder).search(KOALITION_QUESTION, { mode: 'hybrid' });
    expect(response.hits[0]!.score).toBeCloseTo((DEFAULT_FUSION.denseWeight + 1) / (DEFAULT_FUSION.k + 1), 12);
    // Every paragraph is returned (the dense side ranks them all), best first.
    expect(response.hits).toHaveLength(4);
    const scores = response.hits.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('hybrid fusion follows its settings: k, and the dense ranking\'s weight against the lexical one\'s 1', async () => {
    const fusion = { k: 5, denseWeight: 0.25 };
    const response = await new Retriever(seedHybrid, embedder, { fusion }).search(KOALITION_QUESTION, { mode: 'hybrid' });
    expect(response.hits[0]!.score).toBeCloseTo((0.25 + 1) / (5 + 1), 12);
    // Weight 0: the dense side adds nothing, and hybrid ranks as lexical does (then the rest).
    const lexicalOrder = paragraphKeys(await new Retriever(seedHybrid, embedder).search(KOALITION_QUESTION, { mode: 'lexical', k: 10 }));
    const weightless = paragraphKeys(await new Retriever(seedHybrid, embedder, { fusion: { k: 60, denseWeight: 0 } }).search(KOALITION_QUESTION, { mode: 'hybrid', k: 10 }));
    expect(weightless.slice(0, lexicalOrder.length)).toEqual(lexicalOrder);
  });

  it('hybrid mode asks for the question\'s vector before it ranks lexically, so that the worker embeds while this thread ranks', async () => {
    const embedQuery = vi.spyOn(embedder, 'embedQuery');
    const lexicalSearch = vi.spyOn(seedHybrid.lexical, 'search');
    try {
      const response = await new Retriever(seedHybrid, embedder).search(KOALITION_QUESTION, { mode: 'hybrid' });
      expect(response.hits[0]?.passage.paragraph).toBe(2);
      expect(embedQuery).toHaveBeenCalledTimes(1);
      expect(lexicalSearch).toHaveBeenCalledTimes(1);
      expect(embedQuery.mock.invocationCallOrder[0]).toBeLessThan(lexicalSearch.mock.invocationCallOrder[0]!);
    } finally {
      embedQuery.mockRestore();
      lexicalSearch.mockRestore();
    }
  });

  it('a failed question embedding fails the hybrid search with its own error, after the lexical side ran', async () => {
    const failure = new QuelleError(ErrorCode.ModelUnavailable, 'the model went away');
    const embedQuery = vi.spyOn(embedder, 'embedQuery').mockRejectedValue(failure);
    try {
      await expect(new Retriever(seedHybrid, embedder).search(KOALITION_QUESTION, { mode: 'hybrid' })).rejects.toBe(failure);
    } finally {
      embedQuery.mockRestore();
    }
  });

  it('dense mode (tiny bag-of-word-pieces model) puts ¶2 clearly ahead, with cosine scores', async () => {
    const response = await new Retriever(seedHybrid, embedder).search(KOALITION_QUESTION, { mode: 'dense' });
    const scores = response.hits.map((hit) => hit.score);
    expect(scores.every((s) => s >= -1 && s <= 1)).toBe(true);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]! - scores[1]!).toBeGreaterThan(0.1);
  });

  it('lexical mode returns only paragraphs that share a term with the question', async () => {
    const response = await new Retriever(seedLexical, null).search(KOALITION_QUESTION, { mode: 'lexical' });
    expect(paragraphKeys(response)).toEqual([`${SEED_ID}#2`]);
    expect(response.hits[0]!.score).toBeGreaterThan(0);
  });
});

describe('"nothing relevant" in lexical mode', () => {
  it('vouches for the paragraph that answers, with its lexical relevance, and declines a question the article cannot answer', async () => {
    const retriever = new Retriever(seedLexical, null);
    const answered = await retriever.search(KOALITION_QUESTION, { mode: 'lexical' });
    expect(answered.declined).toBe(false);
    const [top] = answered.hits;
    // Four paragraphs put the chance background at 0: the relevance is the share of the question's information the paragraph holds.
    expect(top!.lexicalScore).toBeGreaterThan(0.5);
    expect(top!.lexicalScore).toBeLessThanOrEqual(1);
    expect(top!.lexicalScore).toBeGreaterThanOrEqual(DEFAULT_RELEVANCE.minLexicalScore);
    expect(top!.relevant).toBe(true);

    const unanswerable = await retriever.search('Wie viele Beine hat eine Vogelspinne?', { mode: 'lexical' });
    expect(unanswerable.declined).toBe(true);
    expect(unanswerable.hits.every((hit) => !hit.relevant)).toBe(true);
  });

  it('answers the questions a new community asks of its first article, in its own words, and names close paragraphs of the same article', async () => {
    const retriever = new Retriever(seedLexical, null);
    // Written for this test (not in any eval set): the seed's ¶2 answers each.
    for (const question of ['Wo haben sich die westlichen Staaten getroffen?', 'koalition der willigen treffen paris']) {
      const response = await retriever.search(question, { mode: 'lexical' });
      expect(response.declined, question).toBe(false);
      expect(response.hits[0]!.passage.paragraph, question).toBe(2);
    }
    const response = await retriever.search('Sicherheitsgarantien für die Ukraine', { mode: 'lexical', k: 4 });
    for (const hit of response.hits) {
      const close = response.hits.filter((other) => other !== hit && other.relevant && hit.relevant && other.score >= ALSO_SHARE * hit.score).map((other) => other.passage.paragraph);
      expect(hit.alsoParagraphs).toEqual(close.sort((a, b) => a - b));
    }
    expect(response.hits.some((hit) => hit.alsoParagraphs.length > 0)).toBe(true);
    expect(response.hits[0]!.alsoParagraphs).not.toContain(response.hits[0]!.passage.paragraph);
  });

  it.each(['lexical', 'hybrid'] as const)('%s mode declines a question about another year, and says why: the seed article of 2025 does not answer it for 2019', async (mode) => {
    const retriever = new Retriever(seedHybrid, embedder);
    const otherYear = await retriever.search(`${KOALITION_QUESTION} 2019`, { mode });
    expect(otherYear.declined).toBe(true);
    expect(otherYear.hits[0]!.passage.paragraph).toBe(2);
    expect(otherYear.hits.every((hit) => hit.missingSpecifics.join() === '2019')).toBe(true);
    // The date line holds 2025.
    const thatYear = await retriever.search(`${KOALITION_QUESTION} 2025`, { mode });
    expect(thatYear.declined).toBe(false);
    expect(thatYear.hits[0]!.missingSpecifics).toEqual([]);
  });

  it('follows the configured threshold', async () => {
    const strict = new Retriever(seedLexical, null, { relevance: { ...DEFAULT_RELEVANCE, minLexicalScore: 1e6 } });
    expect((await strict.search(KOALITION_QUESTION, { mode: 'lexical' })).declined).toBe(true);
  });
});

describe('the paragraph that answers', () => {
  let index: SearchIndex;

  beforeAll(async () => {
    const seeds = await tempDir('seeds-paragraph-');
    await writeArticle(seeds, '020_hochwasser', {
      category: 'Chronik',
      title: 'Hochwasser in Steyr: Schäden in der Altstadt',
      paragraphs: [
        'Steyr – Das Hochwasser hat Steyr schwer getroffen. In Steyr war die Feuerwehr die ganze Nacht im Einsatz. Auch eine Brücke wurde beschädigt.',
        'Die Brücke in Steyr bleibt bis Ende Oktober gesperrt, sagte der Bürgermeister nach einem langen Rundgang durch die Altstadt, die Vororte und die Ufer der Enns.',
        'Die Feuerwehr pumpte Keller aus und sicherte Häuser mit Sandsäcken.',
      ],
    });
    await writeArticle(seeds, '022_halle', {
      category: 'Chronik',
      title: 'Gemeinderat in Gmunden',
      paragraphs: [
        'Am Montag tagte der Gemeinderat bis spät in die Nacht. Die neue Schwimmhalle in Gmunden wird teurer als geplant.',
        'Die Schwimmhalle in Gmunden eröffnet im Mai 2026, wenn der Bau wie geplant vorankommt und das Land die Finanzierung sichert.',
        'Die Opposition kritisiert die Kosten.',
      ],
    });
    await writeArticle(seeds, '021_wetter', { category: 'Wetter', title: 'Regen im ganzen Land', paragraphs: ['Der Regen hält an. In Linz und Wels stiegen die Pegel.'] });
    index = (await runIndexer({ seedsDir: seeds, indexDir: await tempDir('paragraph-'), mode: 'lexical', modelSettings: fixtureModelSettings })).index;
  });

  it('prefers the paragraph that holds the question\'s terms in one sentence to the lead that spreads them over its sentences', async () => {
    const response = await new Retriever(index, null).search('brücke steyr', { mode: 'lexical' });
    expect(paragraphKeys(response).slice(0, 2)).toEqual(['020_hochwasser#2', '020_hochwasser#1']);
    // The lead's BM25 score is the higher one: the choice among the article's paragraphs, not BM25, put ¶2 first.
    expect(response.hits[1]!.score).toBeGreaterThan(response.hits[0]!.score);
  });

  it('looks for the asked-for kind of answer in the sentence that holds the question\'s terms, not anywhere in the paragraph', async () => {
    const retriever = new Retriever(index, null);
    // The lead's date ("Am Montag") is in another sentence than the one about the pool; ¶2's date is in the pool's sentence.
    expect(paragraphKeys(await retriever.search('wann schwimmhalle gmunden', { mode: 'lexical' })).slice(0, 2)).toEqual(['022_halle#2', '022_halle#1']);
    // Without a "wann", nothing asks for a date and the lead keeps its place.
    expect(paragraphKeys(await retriever.search('schwimmhalle gmunden', { mode: 'lexical' })).slice(0, 2)).toEqual(['022_halle#1', '022_halle#2']);
  });
});

describe('split paragraphs and k', () => {
  let index: SearchIndex;
  const longParagraph = Array.from(
    { length: 14 },
    (_, i) =>
      `In der Sitzung Nummer ${i + 1} beriet die Koalition der Willigen in Paris erneut über Sicherheitsgarantien, Ausbildungsmissionen und die Finanzierung der Unterstützung für die Ukraine.`,
  ).join(' ');

  beforeAll(async () => {
    const seeds = await tempDir('seeds-long-');
    await writeArticle(seeds, '010_lang', {
      title: 'Lange Beratungen der Koalition der Willigen über Sicherheitsgarantien',
      paragraphs: ['Ein kurzer Absatz über das Wetter in Berlin.', longParagraph, 'Ein weiterer kurzer Absatz über die Koalition der Willigen in Paris.'],
    });
    await writeArticle(seeds, '011_viele', {
      title: 'Sechzig Sitzungen des Ausschusses im ganzen vergangenen Jahr',
      paragraphs: Array.from({ length: 60 }, (_, i) => `Die Koalition der Willigen traf sich zur Sitzung ${i + 1} im Ausschuss.`),
    });
    index = (await runIndexer({ seedsDir: seeds, indexDir: await tempDir('long-'), mode: 'hybrid', modelSettings: fixtureModelSettings, embedder })).index;
  });

  it('the long paragraph really is split, and its parts rank side by side before deduplication', () => {
    const parts = index.passages.filter((p) => p.articleId === '010_lang' && p.paragraph === 2);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.every((p) => p.parts === parts.length)).toBe(true);
    const labels = new Set(parts.map((p) => index.passages.indexOf(p)));
    const lexicalTop = index.lexical.search('Sitzung Nummer Ausbildungsmissionen Finanzierung', 10).map((hit) => hit.label);
    expect(lexicalTop.filter((label) => labels.has(label)).length).toBeGreaterThanOrEqual(2);
  });

  it.each(SEARCH_MODES)('%s mode cites each paragraph once', async (mode) => {
    const retriever = new Retriever(index, embedder);
    for (const question of ['Sitzung Nummer Ausbildungsmissionen Finanzierung', KOALITION_QUESTION]) {
      const keys = paragraphKeys(await retriever.search(question, { mode, k: 50 }));
      expect(keys.length).toBeGreaterThan(10);
      expect(new Set(keys).size).toBe(keys.length);
    }
    const keys = paragraphKeys(await retriever.search('Sitzung Nummer Ausbildungsmissionen Finanzierung', { mode, k: 5 }));
    expect(keys.filter((key) => key === '010_lang#2')).toHaveLength(1);
  });

  it.each(SEARCH_MODES)('%s mode returns exactly k results, at least 1 and at most 50', async (mode) => {
    const retriever = new Retriever(index, embedder);
    expect((await retriever.search(KOALITION_QUESTION, { mode })).hits).toHaveLength(5);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: 3 })).hits).toHaveLength(3);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: 17 })).hits).toHaveLength(17);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: 500 })).hits).toHaveLength(50);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: 0 })).hits).toHaveLength(1);
  });

  it.each(SEARCH_MODES)('%s mode rounds a k that is not a whole number down, and takes 1 for NaN', async (mode) => {
    const retriever = new Retriever(index, embedder);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: 2.5 })).hits).toHaveLength(2);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: 0.5 })).hits).toHaveLength(1);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: Number.NaN })).hits).toHaveLength(1);
    expect((await retriever.search(KOALITION_QUESTION, { mode, k: Number.POSITIVE_INFINITY })).hits).toHaveLength(50);
  });

  it('returns nothing (not an error) when no word matches in lexical mode', async () => {
    const response = await new Retriever(index, null).search('Xylophon Quarkspeise', { mode: 'lexical' });
    expect(response.hits).toEqual([]);
  });
});

describe('modes the index or the model cannot serve', () => {
  it('a lexical-only index asked in hybrid mode answers lexically and says why', async () => {
    const retriever = await retrieverFor(seedLexical, { mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    const response = await retriever.search(KOALITION_QUESTION, { mode: 'hybrid' });
    expect(response.mode).toBe('lexical');
    expect(response.notice).toMatch(/^Answering in lexical mode: .*built in lexical mode \(no vectors\)/);
    expect(response.hits[0]!.passage.paragraph).toBe(2);
  });

  it('dense mode on a lexical index throws MODE_UNAVAILABLE with the reason', async () => {
    const retriever = await retrieverFor(seedLexical, { mode: 'dense', modelSettings: fixtureModelSettings, embedder });
    const error = await retriever.search(KOALITION_QUESTION, { mode: 'dense' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuelleError);
    expect((error as QuelleError).code).toBe(ErrorCode.ModeUnavailable);
    expect((error as QuelleError).message).toMatch(/lexical mode \(no vectors\).*Search in lexical or hybrid mode\.$/);
    // The bot shows this error's gist in its own words; a CLI flag in it would reach nobody who can use it.
    expect((error as QuelleError).message).not.toContain('--mode');
  });

  it('a model that does not match the index: the constructor refuses, retrieverFor falls back to lexical with the reason', async () => {
    const other = countingEmbedder(embedder, 'local:other-model@q8');
    expect(() => new Retriever(seedHybrid, other)).toThrow(expect.objectContaining({ code: ErrorCode.IndexIncompatible }));

    const retriever = await retrieverFor(seedHybrid, { mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: other });
    expect(retriever.denseUnavailableReason()).toContain(FIXTURE_MODEL_ID);
    const response = await retriever.search(KOALITION_QUESTION, { mode: 'hybrid' });
    expect(response.mode).toBe('lexical');
    expect(response.notice).toContain(`built with the model ${FIXTURE_MODEL_ID}`);
    expect(response.notice).toContain('local:other-model@q8');
    expect(response.notice).toMatch(/--rebuild/);
    expect(response.hits[0]!.passage.paragraph).toBe(2);
    await expect(retriever.search(KOALITION_QUESTION, { mode: 'dense' })).rejects.toMatchObject({ code: ErrorCode.ModeUnavailable });
  });

  it('a model that cannot be loaded: hybrid falls back to lexical and passes on the load error', async () => {
    const retriever = await retrieverFor(seedHybrid, { mode: 'hybrid', modelSettings: missingModelSettings });
    const response = await retriever.search(KOALITION_QUESTION);
    expect(response.mode).toBe('lexical');
    expect(response.notice).toMatch(/Cannot load the embedding model from .*quelle-no-such-model/);
    expect(response.hits[0]!.passage.paragraph).toBe(2);
  });

  it('openRetriever in lexical mode needs no model: a missing one gives no notice and no error', async () => {
    const retriever = await openRetriever({ indexDir: seedHybridDir, mode: 'lexical', modelSettings: missingModelSettings });
    const response = await retriever.search(KOALITION_QUESTION, { mode: 'lexical' });
    expect(response).toMatchObject({ mode: 'lexical', notice: null });
    expect(response.hits[0]!.passage.paragraph).toBe(2);
  });

  it('openRetriever in hybrid mode loads the configured model and searches densely too', async () => {
    const retriever = await openRetriever({ indexDir: seedHybridDir, mode: 'hybrid', modelSettings: fixtureModelSettings });
    expect(retriever.denseUnavailableReason()).toBeNull();
    const response = await retriever.search(KOALITION_QUESTION, { mode: 'dense' });
    expect(response.hits[0]!.passage.paragraph).toBe(2);
  });
});

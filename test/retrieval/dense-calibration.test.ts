/**
 * The dense calibration made at index time (issue 11, item 1): pseudo-questions drawn from the
 * corpus, the shipped off-topic questions, the thresholds and separation computed from them, the
 * checks that keep a model that compares words rather than meaning from vouching, reuse, cost
 * bounds, and what the indexer stores.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Passage } from '../../src/articles/article.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { Analyzer } from '../../src/index/analyzer.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { VectorIndex } from '../../src/index/vector-index.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { calibrateDense, corpusFingerprint, DENSE_CALIBRATION_VERSION, PSEUDO_QUESTIONS } from '../../src/retrieval/calibration/dense-calibration.ts';
import { OFF_TOPIC_QUESTIONS } from '../../src/retrieval/calibration/off-topic-questions.ts';
import { pseudoQuestions } from '../../src/retrieval/calibration/pseudo-questions.ts';
import { copySeed, FIXTURE_MODEL_ID, fixtureModelSettings, loadFixtureEmbedder, PROJECT_ROOT, useTempDirs, writeArticle } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-calibration-');
const analyzer = Analyzer.load();

function passage(label: number, text: string): Passage {
  const hash = label.toString(16).padStart(8, '0').repeat(4);
  return { id: `a${label}#1`, articleId: `a${label}`, title: `Titel ${label}`, date: null, category: null, url: null, paragraph: 1, part: 1, parts: 1, text, hash };
}

const TEXTS = [
  'Die Regierung in Wien beschloss am Dienstag ein neues Budget für Schulen und Universitäten. Der Finanzminister verteidigte die Kürzungen bei den Pensionen vor dem Parlament.',
  'Der Sturm richtete in Tirol schwere Schäden an Häusern und Straßen an. Die Feuerwehr rückte in der Nacht zu mehr als zweihundert Einsätzen aus.',
  'Rapid Wien gewann das Derby gegen die Austria mit zwei zu null Toren. Der Trainer lobte die Abwehr und den jungen Torhüter nach dem Spiel.',
];

describe('pseudoQuestions', () => {
  const passages = TEXTS.map((text, label) => passage(label, text));

  it('draws 3 to 5 distinct content words of one sentence, in lower case, without stop words or numbers', () => {
    const questions = pseudoQuestions(passages, analyzer, 30);
    expect(questions).toHaveLength(30);
    for (const { text, label } of questions) {
      const words = text.split(' ');
      expect(words.length).toBeGreaterThanOrEqual(3);
      expect(words.length).toBeLessThanOrEqual(5);
      expect(new Set(words).size).toBe(words.length);
      expect(text).toBe(text.toLowerCase());
      const sentences = passages[label]!.text.toLowerCase().split(/(?<=\.)\s+/);
      // All words come from one sentence of the passage it names.
      expect(sentences.some((sentence) => words.every((word) => sentence.includes(word)))).toBe(true);
      for (const word of words) {
        expect(analyzer.term(word), word).not.toBeNull();
        expect(word).not.toMatch(/^\d+$/);
      }
    }
  });

  it('is the same every time, takes every passage before a second round, and differs between rounds (one article gives many questions)', () => {
    const first = pseudoQuestions(passages, analyzer, 30);
    expect(pseudoQuestions(passages, analyzer, 30)).toEqual(first);
    expect(new Set(first.slice(0, 3).map((q) => q.label))).toEqual(new Set([0, 1, 2]));
    expect(new Set(first.map((q) => q.text)).size).toBeGreaterThan(15);
  });

  it('does not depend on the passages\' order, and stops when there is nothing to draw from', () => {
    const byLabel = (list: readonly { text: string; label: number }[]) => list.map((q) => `${passages[q.label]!.id}:${q.text}`).sort();
    const reversed = [...passages].reverse();
    expect(byLabel(pseudoQuestions(reversed, analyzer, 12).map((q) => ({ ...q, label: passages.indexOf(reversed[q.label]!) })))).toEqual(byLabel(pseudoQuestions(passages, analyzer, 12)));
    expect(pseudoQuestions([passage(9, 'Kurz und gut.')], analyzer, 10)).toEqual([]);
    expect(pseudoQuestions([], analyzer, 10)).toEqual([]);
  });
});

describe('the shipped off-topic questions', () => {
  it('are at least 100, German and English in parallel, and none is an eval set\'s off-corpus question (those must stay unseen)', () => {
    expect(OFF_TOPIC_QUESTIONS.length).toBeGreaterThanOrEqual(100);
    const german = OFF_TOPIC_QUESTIONS.filter((q) => q.lang === 'de');
    const english = OFF_TOPIC_QUESTIONS.filter((q) => q.lang === 'en');
    expect(german.length).toBe(english.length);
    expect(new Set(OFF_TOPIC_QUESTIONS.map((q) => q.question)).size).toBe(OFF_TOPIC_QUESTIONS.length);
    const normal = (text: string): string => text.toLowerCase().replace(/[^\p{L}\p{N} ]/gu, '').trim();
    const evalSets = ['unanswerable.jsonl', 'chat-unanswerable.jsonl', 'chat.jsonl', 'seed-questions.jsonl'].flatMap((file) =>
      readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', file), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => normal((JSON.parse(line) as { question: string }).question)),
    );
    const shipped = new Set(OFF_TOPIC_QUESTIONS.map((q) => normal(q.question)));
    expect(evalSets.filter((question) => shipped.has(question))).toEqual([]);
  });
});

/**
 * A model that relates meaning by construction: each off-topic question and its translation get
 * the same direction, apart from every passage; any other text gets the normalised sum of its
 * words' directions, so a pseudo-question lies close to the passage it was drawn from.
 */
function meaningfulEmbedder(): Embedder & { queries: number } {
  const dimension = 256;
  const offTopicPair = new Map<string, number>();
  const half = OFF_TOPIC_QUESTIONS.length / 2;
  OFF_TOPIC_QUESTIONS.forEach((q, i) => offTopicPair.set(q.question, i % half));
  const wordDirection = (word: string): number => {
    let hash = 2166136261;
    for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    return 128 + (hash % 128);
  };
  const embed = (text: string): Float32Array => {
    const vector = new Float32Array(dimension);
    const pair = offTopicPair.get(text);
    if (pair !== undefined) vector[pair] = 1;
    else for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) vector[wordDirection(word)]! += 1;
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  };
  const embedder = {
    modelId: 'test:meaningful@f32',
    dimension,
    queries: 0,
    embedQuery: async (text: string) => {
      embedder.queries++;
      return embed(text);
    },
    embedPassages: async (texts: readonly string[]) => texts.map(embed),
    dispose: async () => {},
  };
  return embedder;
}

async function vectorsOf(passages: readonly Passage[], embedder: Embedder): Promise<VectorIndex> {
  const vectors = VectorIndex.create(embedder.dimension, passages.length);
  (await embedder.embedPassages(passages.map((p) => p.text))).forEach((vector, label) => vectors.add(vector, label));
  return vectors;
}

describe('calibrateDense', () => {
  const passages = TEXTS.map((text, label) => passage(label, text));

  it('a model that relates meaning vouches: its threshold lets 95% of the pseudo-questions through and declines the off-topic ones', async () => {
    const embedder = meaningfulEmbedder();
    const calibration = await calibrateDense({ passages, vectors: await vectorsOf(passages, embedder), analyzer, embedder });
    expect(calibration).toMatchObject({ version: DENSE_CALIBRATION_VERSION, modelId: 'test:meaningful@f32', corpus: corpusFingerprint(passages), vouches: true, reason: null });
    expect(calibration.samples).toEqual({ pseudoQuestions: PSEUDO_QUESTIONS, offTopic: OFF_TOPIC_QUESTIONS.length, passages: 3 });
    expect(calibration.separation.translationsMatched).toBe(1);
    expect(calibration.separation.auc).toBe(1);
    expect(calibration.separation.offTopicDeclined).toBe(1);
    // Off-topic questions share no direction with any passage; German and English alike.
    expect(calibration.englishOffset).toBe(0);
    // Off-topic questions' best cosine is 0 here: every threshold above it declines them all.
    expect(calibration.threshold).toBeGreaterThan(0.2);
    expect(calibration.unit).toBeGreaterThan(0.2);
    // Bounded cost: one query per pseudo-question and per off-topic question.
    expect(embedder.queries).toBe(PSEUDO_QUESTIONS + OFF_TOPIC_QUESTIONS.length);
  });

  it('the fixture model (a random bag of word pieces) does not vouch, and says why', async () => {
    const embedder = await loadFixtureEmbedder();
    const calibration = await calibrateDense({ passages, vectors: await vectorsOf(passages, embedder), analyzer, embedder });
    expect(calibration.vouches).toBe(false);
    expect(calibration.separation.translationsMatched).toBeLessThan(0.8);
    expect(calibration.reason).toMatch(/matches only \d+% of the German off-topic questions with their English translation \(at least 80% needed\): it compares words, not meaning/);
  });

  it('is reused as it is for the same passages and model, and measured again when either changes', async () => {
    const embedder = meaningfulEmbedder();
    const vectors = await vectorsOf(passages, embedder);
    const first = await calibrateDense({ passages, vectors, analyzer, embedder });
    const queries = embedder.queries;
    expect(await calibrateDense({ passages, vectors, analyzer, embedder, previous: first })).toBe(first);
    expect(embedder.queries).toBe(queries);
    const fewer = passages.slice(0, 2);
    expect((await calibrateDense({ passages: fewer, vectors: await vectorsOf(fewer, embedder), analyzer, embedder, previous: first })).corpus).not.toBe(first.corpus);
    expect(await calibrateDense({ passages, vectors, analyzer, embedder, previous: { ...first, modelId: 'another' } })).not.toBe(first);
    expect(await calibrateDense({ passages, vectors, analyzer, embedder, previous: { ...first, version: DENSE_CALIBRATION_VERSION - 1 } })).not.toBe(first);
  });

  it('a model that fails to embed a question gives a calibration that does not vouch, with the reason; an abort is thrown', async () => {
    const embedder = meaningfulEmbedder();
    const vectors = await vectorsOf(passages, embedder);
    const failing = { ...embedder, embedQuery: () => Promise.reject(new Error('the model crashed')) };
    const calibration = await calibrateDense({ passages, vectors, analyzer, embedder: failing });
    expect(calibration).toMatchObject({ vouches: false, reason: 'calibration failed: the model crashed' });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(calibrateDense({ passages, vectors, analyzer, embedder, signal: controller.signal })).rejects.toThrow('stop');
  });

  it('articles without sentences to draw from: it does not vouch', async () => {
    const embedder = meaningfulEmbedder();
    const short = [passage(0, 'Kurz.'), passage(1, 'Auch kurz.')];
    const calibration = await calibrateDense({ passages: short, vectors: await vectorsOf(short, embedder), analyzer, embedder });
    expect(calibration).toMatchObject({ vouches: false, reason: 'the articles hold too few sentences to draw questions from' });
  });
});

describe('the indexer stores the calibration', () => {
  let seedsDir: string;
  beforeAll(async () => {
    seedsDir = await copySeed(await tempDir('seeds-'));
  });

  it('in the manifest of a hybrid index and in the summary; an unchanged rebuild keeps it, a changed corpus is measured again, a lexical index has none', async () => {
    const embedder = await loadFixtureEmbedder();
    const indexDir = await tempDir('index-');
    const first = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    expect(first.summary.denseCalibration).toMatchObject({ modelId: FIXTURE_MODEL_ID, vouches: false });
    expect(first.summary.denseCalibrationReused).toBe(false);
    expect((await loadIndex(indexDir)).manifest.denseCalibration).toEqual(first.summary.denseCalibration);

    const again = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    expect(again.summary.denseCalibrationReused).toBe(true);
    expect(again.index.manifest.denseCalibration).toEqual(first.summary.denseCalibration);

    await writeArticle(seedsDir, '001_neu', { title: 'Ein neuer Artikel über das Wetter im Norden', paragraphs: ['Der Wetterdienst erwartet am Wochenende Regen und Sturm im ganzen Norden des Landes.'] });
    const changed = await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    expect(changed.summary.denseCalibrationReused).toBe(false);
    expect(changed.summary.denseCalibration!.corpus).not.toBe(first.summary.denseCalibration!.corpus);

    const lexical = await runIndexer({ seedsDir, indexDir: await tempDir('lexical-'), mode: 'lexical', modelSettings: fixtureModelSettings });
    expect(lexical.summary.denseCalibration).toBeNull();
    expect(lexical.index.manifest.denseCalibration).toBeNull();
  });
});

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Passage } from '../../articles/article.ts';
import type { Embedder } from '../../embedding/embedder.ts';
import { describeError } from '../../errors.ts';
import type { Analyzer } from '../../index/analyzer.ts';
import type { DenseCalibration } from '../../index/manifest.ts';
import { dotProduct, type VectorIndex } from '../../index/vector-index.ts';
import { calibrateThreshold } from '../evaluate.ts';
import { OFF_TOPIC_QUESTIONS } from './off-topic-questions.ts';
import { pseudoQuestions } from './pseudo-questions.ts';

export type { DenseCalibration };

/**
 * Calibrating the dense side's "relevant" when an index is built, without labelled questions.
 * Cosine similarities of one model crowd into a narrow band whose place depends on the model, the
 * corpus (the best of 8,000 passages scores higher than the best of 4, for any question) and the
 * question's language (e5 scores an English question lower against German passages than its German
 * translation), so no fixed cut-off serves. For each index:
 * - positives: pseudo-questions drawn from its own passages (pseudo-questions.ts), each scored by
 *   its best passage's cosine;
 * - negatives: the off-topic questions shipped with Quelle (off-topic-questions.ts), German and
 *   English in parallel, scored the same way.
 * The threshold is the cosine that all but POSITIVE_DECLINE_SHARE of the pseudo-questions reach;
 * English questions get it lowered by how much lower the English off-topic questions score than
 * their German originals (the language gap, measured on the same passages); and the unit of
 * dense evidence is how far the pseudo-questions' mean stands above the German off-topic
 * questions' mean.
 *
 * The dense side may vouch only when the model shows that it relates meaning rather than words —
 * at least MIN_TRANSLATIONS_MATCHED of the German off-topic questions find their English
 * translation as their nearest English question — and when, on this corpus, the pseudo-questions'
 * best passages score above the off-topic questions' in at least MIN_AUC of all pairs. A random
 * bag of hashed word pieces (the tests' fixture model) fails both; multilingual-e5-small passes
 * both with room (README, "Retrieval quality").
 */
export const DENSE_CALIBRATION_VERSION = 1;

/** How many pseudo-questions are drawn: bounded, so that calibration costs seconds at any corpus size. */
export const PSEUDO_QUESTIONS = 200;
/** The share of the pseudo-questions whose best passage may fall below the threshold. */
export const POSITIVE_DECLINE_SHARE = 0.05;
export const MIN_TRANSLATIONS_MATCHED = 0.8;
export const MIN_AUC = 0.75;

export interface CalibrateDenseInput {
  readonly passages: readonly Passage[];
  readonly vectors: VectorIndex;
  /** The index's analyzer: it tells content words from stop words. */
  readonly analyzer: Analyzer;
  readonly embedder: Embedder;
  /** The calibration of the index being replaced: reused when the passages and the model are the same. */
  readonly previous?: DenseCalibration | null;
  readonly signal?: AbortSignal;
  /** POSITIVE_DECLINE_SHARE unless set (tuning only: test/fixtures/eval/dev-matrix.ts sweeps it). */
  readonly positiveDeclineShare?: number;
}

/** Identifies a set of passages (their content hashes, in order). */
export function corpusFingerprint(passages: readonly Passage[]): string {
  const hash = createHash('sha256');
  for (const passage of passages) hash.update(`${passage.hash}\n`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Calibrates the dense side of an index (see the module comment); a previous calibration of the
 * same passages and model is returned as it is. A failure (a model that cannot embed a query)
 * gives a calibration that does not vouch, with the reason, rather than a failed build; only an
 * abort is thrown.
 */
export async function calibrateDense(input: CalibrateDenseInput): Promise<DenseCalibration> {
  const { embedder, previous } = input;
  const corpus = corpusFingerprint(input.passages);
  if (previous && previous.version === DENSE_CALIBRATION_VERSION && previous.modelId === embedder.modelId && previous.corpus === corpus) return previous;
  const started = performance.now();
  try {
    return await measure(input, corpus, started);
  } catch (error) {
    if (input.signal?.aborted) throw error;
    return {
      ...notVouching(embedder.modelId, corpus, `calibration failed: ${describeError(error)}`),
      samples: { pseudoQuestions: 0, offTopic: 0, passages: input.passages.length },
      seconds: (performance.now() - started) / 1000,
    };
  }
}

async function measure(input: CalibrateDenseInput, corpus: string, started: number): Promise<DenseCalibration> {
  const { embedder, vectors, signal } = input;
  const bestCosine = (vector: Float32Array): number => vectors.search(vector, 1)[0]?.score ?? Number.NaN;
  const embed = (text: string): Promise<Float32Array> => {
    signal?.throwIfAborted();
    return embedder.embedQuery(text, signal);
  };

  const positives: number[] = [];
  for (const question of pseudoQuestions(input.passages, input.analyzer, PSEUDO_QUESTIONS)) positives.push(bestCosine(await embed(question.text)));
  const german: { best: number; vector: Float32Array }[] = [];
  const english: { best: number; vector: Float32Array }[] = [];
  for (const { question, lang } of OFF_TOPIC_QUESTIONS) {
    const vector = await embed(question);
    (lang === 'de' ? german : english).push({ best: bestCosine(vector), vector });
  }
  const samples = { pseudoQuestions: positives.length, offTopic: german.length + english.length, passages: input.passages.length };
  const seconds = (): number => (performance.now() - started) / 1000;
  if (positives.length < 2 || vectors.size === 0) {
    return { ...notVouching(embedder.modelId, corpus, 'the articles hold too few sentences to draw questions from'), samples, seconds: seconds() };
  }

  const germanBest = german.map((item) => item.best);
  const englishBest = english.map((item) => item.best);
  const threshold = calibrateThreshold(positives, input.positiveDeclineShare ?? POSITIVE_DECLINE_SHARE);
  const englishOffset = mean(germanBest) - mean(englishBest);
  const unit = mean(positives) - mean(germanBest);
  const auc = areaUnderCurve(positives, germanBest);
  const translationsMatched = translationMatches(german, english);
  const declined = [...germanBest.map((best) => best < threshold), ...englishBest.map((best) => best < threshold - englishOffset)];
  const separation = { auc, translationsMatched, offTopicDeclined: declined.filter(Boolean).length / declined.length };
  const problems = [
    translationsMatched < MIN_TRANSLATIONS_MATCHED
      ? `the model matches only ${percent(translationsMatched)} of the German off-topic questions with their English translation (at least ${percent(MIN_TRANSLATIONS_MATCHED)} needed): it compares words, not meaning`
      : null,
    auc < MIN_AUC || !(unit > 0)
      ? `on these articles it scores questions drawn from them above off-topic questions only ${percent(auc)} of the time (at least ${percent(MIN_AUC)} needed)`
      : null,
  ].filter((problem): problem is string => problem !== null);
  return {
    version: DENSE_CALIBRATION_VERSION,
    modelId: embedder.modelId,
    corpus,
    vouches: problems.length === 0,
    reason: problems.length === 0 ? null : problems.join('; '),
    threshold: round(threshold),
    englishOffset: round(englishOffset),
    unit: round(unit),
    separation: { auc: round(separation.auc), translationsMatched: round(separation.translationsMatched), offTopicDeclined: round(separation.offTopicDeclined) },
    samples,
    seconds: round(seconds(), 2),
  };
}

function notVouching(modelId: string, corpus: string, reason: string): Omit<DenseCalibration, 'samples' | 'seconds'> {
  return {
    version: DENSE_CALIBRATION_VERSION,
    modelId,
    corpus,
    vouches: false,
    reason,
    threshold: 0,
    englishOffset: 0,
    unit: 0,
    separation: { auc: 0, translationsMatched: 0, offTopicDeclined: 0 },
  };
}

/**
 * The share of German questions whose most similar English question is their own translation
 * (the lists are parallel: item i of one is item i of the other).
 */
function translationMatches(german: readonly { vector: Float32Array }[], english: readonly { vector: Float32Array }[]): number {
  if (german.length === 0 || german.length !== english.length) return 0;
  let matched = 0;
  german.forEach(({ vector }, i) => {
    const own = dotProduct(vector, english[i]!.vector);
    if (english.every((other, j) => j === i || dotProduct(vector, other.vector) < own)) matched++;
  });
  return matched / german.length;
}

/** The probability that a positive scores above a negative (ties count half): the ROC curve's area. */
export function areaUnderCurve(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return 0.5;
  let wins = 0;
  for (const positive of positives) for (const negative of negatives) wins += positive > negative ? 1 : positive === negative ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

import { performance } from 'node:perf_hooks';
import type { Passage } from '../articles/article.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { ErrorCode, QuelleError } from '../errors.ts';
import type { LexicalHit, QueryTerm } from '../index/lexical-index.ts';
import type { SearchIndex } from '../index/search-index.ts';
import { dotProduct, type VectorHit } from '../index/vector-index.ts';
import { withAnswerType } from './answer-type.ts';
import { withArticleContext } from './article-context.ts';
import { makeExcerpt, type Excerpt } from './excerpt.ts';
import { DEFAULT_FUSION, fuseRankings, type FusionSettings } from './fuse-rankings.ts';
import { bestSentence, withParagraphChoice, type BestSentence } from './paragraph-choice.ts';
import { QueryPolicy } from './query-policy.ts';
import { questionLanguage } from './question-language.ts';
import { DEFAULT_RELEVANCE, denseZScores, LexicalRelevance, RelevanceRule, type RelevanceThresholds } from './relevance.ts';
import { SpecificsCheck } from './specifics.ts';

export type SearchMode = 'hybrid' | 'dense' | 'lexical';
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'dense', 'lexical'];

export interface SearchHit {
  readonly rank: number;
  /** Hybrid: the fused RRF score; dense: cosine similarity; lexical: BM25 plus the article context (article-context.ts). */
  readonly score: number;
  readonly passage: Passage;
  readonly excerpt: Excerpt;
  /** The lexical relevance (the share of the question's information the passage holds, above the chance background), or null outside the lexical candidates; see relevance.ts. */
  readonly lexicalScore: number | null;
  /** The passage's cosine similarity to the question, or null in lexical mode. */
  readonly denseScore: number | null;
  /** The passage's dense z-score against the candidate list's background, or null outside the dense candidates (only the deprecated QUELLE_MIN_DENSE_Z decides by it). */
  readonly denseZ: number | null;
  /** Whether the passage answers the question, by the relevance rule (relevance.ts). */
  readonly relevant: boolean;
  /** The question's numbers (years, amounts, model numbers) that the passage's article does not hold: if any, it is not relevant (specifics.ts). */
  readonly missingSpecifics: readonly string[];
  /**
   * Other relevant paragraphs of the same article among the hits that score nearly as well
   * (at least ALSO_SHARE of this hit's score), in paragraph order: an answer may show them
   * under the same citation, since the article answers in both places.
   */
  readonly alsoParagraphs: readonly number[];
}

export interface SearchResponse {
  /** Ranked hits, relevant or not (evaluation measures the ranking); show only `relevant` ones. */
  readonly hits: SearchHit[];
  /** True when no hit is relevant: say "nothing found" instead of showing noise. */
  readonly declined: boolean;
  /** The mode actually used; it differs from the requested one when the index or model cannot serve it. */
  readonly mode: SearchMode;
  /** Why the mode differs from the requested one, for the user. */
  readonly notice: string | null;
  /** True when hybrid search answered lexically because the index's vector file is damaged (a reindex repairs it). */
  readonly vectorsDamaged?: boolean;
  readonly tookMs: number;
}

export interface SearchOptions {
  readonly k?: number;
  readonly mode?: SearchMode;
  readonly excerptChars?: number;
  readonly signal?: AbortSignal;
}

export interface RetrieverOptions {
  /** Why no embedder is available (shown when hybrid search falls back to lexical). */
  readonly embedderUnavailableReason?: string | null;
  readonly fusion?: FusionSettings;
  readonly relevance?: RelevanceThresholds;
}

/** What `Retriever.denseRelevance` reports. */
export type DenseRelevanceReport =
  | {
      readonly vouches: false;
      /** Lexical mode; no vectors or no model; an index without a calibration; a model that failed it. */
      readonly cause: 'lexical-mode' | 'no-dense-search' | 'not-calibrated' | 'failed-calibration';
      readonly reason: string;
    }
  | {
      readonly vouches: true;
      readonly source: 'calibration' | 'QUELLE_MIN_DENSE_SCORE';
      /** The cosine a German question's passage must reach (alone; in hybrid mode, joined with the lexical evidence). */
      readonly threshold: number;
      readonly englishThreshold: number;
      /** The calibrated unit of dense evidence; null when a set threshold has no calibration to weigh it with (either side then vouches alone). */
      readonly unit: number | null;
    }
  | { readonly vouches: true; readonly source: 'QUELLE_MIN_DENSE_Z'; readonly minZ: number };

/** How close another paragraph of the same article must score to be named in a hit's `alsoParagraphs` (a display choice, not tuned). */
export const ALSO_SHARE = 0.8;

/** How deep each side is searched before fusion: deeper than k, so that fusion has material. */
const CANDIDATE_DEPTH = 50;

/**
 * Answers questions from one loaded index. Hybrid search runs the dense and lexical sides and
 * fuses their rankings; when the index has no vectors or no model is loaded, it answers
 * lexically and says why.
 */
export class Retriever {
  private readonly policy: QueryPolicy;
  /** When a passage is relevant: the configured thresholds and the index's dense calibration. */
  readonly relevance: RelevanceRule;

  constructor(
    readonly index: SearchIndex,
    private readonly embedder: Embedder | null,
    private readonly options: RetrieverOptions = {},
  ) {
    const model = index.manifest.model;
    if (embedder && index.vectors && model && (model.id !== embedder.modelId || model.dimension !== embedder.dimension)) {
      throw new QuelleError(
        ErrorCode.IndexIncompatible,
        `The index was built with the model ${model.id} (${model.dimension} dimensions), but ${embedder.modelId} (${embedder.dimension}) is configured. ` +
          `Rebuild the index with \`npm run index -- --rebuild\`, or set the model back to ${model.id}.`,
      );
    }
    this.policy = new QueryPolicy(index.lexical.analyzer);
    const calibration = index.manifest.denseCalibration;
    this.relevance = new RelevanceRule(options.relevance ?? DEFAULT_RELEVANCE, calibration && calibration.modelId === model?.id ? calibration : null);
  }

  /** The modes this retriever can serve, and why not the others. */
  denseUnavailableReason(): string | null {
    if (!this.index.vectors) {
      return this.index.vectorsProblem
        ? `the index's vector file cannot be used: ${this.index.vectorsProblem.replace(/\.$/, '')}`
        : 'the index was built in lexical mode (no vectors); rebuild it with a model to search by meaning';
    }
    if (!this.embedder) return this.options.embedderUnavailableReason ?? 'no embedding model is loaded';
    return null;
  }

  /**
   * Whether the dense side can vouch for a passage in `mode`, on whose word and at which
   * threshold, or why not: what `ask --json`, /stats and the bot's ready log show.
   */
  denseRelevance(mode: SearchMode): DenseRelevanceReport {
    if (mode === 'lexical') return { vouches: false, cause: 'lexical-mode', reason: 'lexical mode: only the lexical side decides' };
    const unavailable = this.denseUnavailableReason();
    if (unavailable) return { vouches: false, cause: 'no-dense-search', reason: unavailable };
    const dense = this.relevance.dense;
    if (dense.kind === 'none') return { vouches: false, cause: dense.cause, reason: dense.reason };
    if (dense.kind === 'z-score') return { vouches: true, source: dense.source, minZ: dense.minZ };
    return {
      vouches: true,
      source: dense.source,
      threshold: dense.threshold,
      englishThreshold: Math.round((dense.threshold - dense.englishOffset) * 1e4) / 1e4,
      unit: dense.kind === 'joint' ? dense.unit : null,
    };
  }

  /**
   * The lexical candidates, best first: BM25 with the article context (article-context.ts), then
   * within each article the paragraph whose best sentence holds the question's terms together
   * (paragraph-choice.ts), then within the best article the paragraph whose best sentence holds
   * the kind of answer asked for (answer-type.ts).
   */
  private lexicalRanking(question: string, sentenceOf: (label: number) => BestSentence, depth: number): LexicalHit[] {
    const passageOf = (label: number): Passage => this.index.passages[label]!;
    const hits = withArticleContext(this.index.lexical.search(question, depth, this.policy.termWeight), passageOf);
    const chosen = withParagraphChoice(hits, this.articleOf, (label) => sentenceOf(label).share);
    return withAnswerType(chosen, question, (label) => ({ articleId: passageOf(label).articleId, text: sentenceOf(label).span }));
  }

  private readonly articleOf = (label: number): string => this.index.passages[label]!.articleId;

  /** Each passage's best sentence for the question (paragraph-choice.ts), computed once per search and passage. */
  private bestSentences(queryTerms: readonly QueryTerm[]): (label: number) => BestSentence {
    const terms = queryTerms.map((term) => ({ term: term.term, information: term.weight * term.idf }));
    const found = new Map<number, BestSentence>();
    return (label) => {
      let best = found.get(label);
      if (!best) found.set(label, (best = bestSentence(this.index.passages[label]!.text, terms, this.index.lexical.analyzer)));
      return best;
    };
  }

  async search(question: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const started = performance.now();
    // A whole number from 1 to 50 whatever the caller passed: 2.5 or NaN would never equal hits.length.
    const k = Math.max(1, Math.min(Math.floor(options.k ?? 5), 50) || 1);
    const requested = options.mode ?? 'hybrid';
    const denseProblem = this.denseUnavailableReason();
    if (requested === 'dense' && denseProblem) {
      // No command-line advice here: the bot shows its own words for this (search-service.ts).
      throw new QuelleError(ErrorCode.ModeUnavailable, `Dense search is not available: ${denseProblem}. Search in lexical or hybrid mode.`);
    }
    const mode: SearchMode = requested === 'hybrid' && denseProblem ? 'lexical' : requested;
    const notice = mode !== requested ? `Answering in lexical mode: ${denseProblem}.` : null;
    const depth = Math.max(CANDIDATE_DEPTH, k * 5);

    // The worker embeds the question while this thread ranks it lexically: the two take about as
    // long as each other, so a hybrid answer waits for the longer of them rather than for both.
    const embedding = mode === 'lexical' ? null : this.embedder!.embedQuery(question, options.signal);
    // Awaited below; this only keeps a failure from going unhandled if the lexical side throws first.
    embedding?.catch(() => undefined);
    const lexicalIndex = this.index.lexical;
    // The specifics check reads the question's terms in every mode; only the lexical side weighs them.
    const questionTerms = lexicalIndex.queryTerms(question, this.policy.termWeight);
    const queryTerms = mode === 'dense' ? [] : questionTerms;
    const sentenceOf = this.bestSentences(queryTerms);
    const lexical = mode === 'dense' ? [] : this.lexicalRanking(question, sentenceOf, depth);
    let dense: VectorHit[] = [];
    let queryVector: Float32Array | null = null;
    if (embedding) {
      queryVector = await embedding;
      dense = this.index.vectors!.search(queryVector, depth);
    }

    const fusion = this.options.fusion ?? DEFAULT_FUSION;
    const language = mode === 'lexical' ? null : questionLanguage(question);
    let ranked: { label: number; score: number }[] = mode === 'dense' ? dense : lexical;
    if (mode === 'hybrid') {
      ranked = fuseRankings([dense, lexical], fusion.k, [fusion.denseWeight, 1]);
      // The dense side does not choose by sentences, so the paragraphs of each article are chosen among again; not for
      // English questions, whose words are seldom the German articles' own: their best sentence says little.
      if (language !== 'en') ranked = withParagraphChoice(ranked, this.articleOf, (label) => sentenceOf(label).share);
    }

    const zScores = dense.length > 0 ? denseZScores(dense.map((hit) => hit.score)) : null;
    const zByLabel = new Map(zScores ? dense.map((hit, i) => [hit.label, zScores[i]!]) : []);
    const cosineByLabel = new Map(dense.map((hit) => [hit.label, hit.score]));
    // A lexical candidate outside the dense list still has a cosine: the decision weighs both sides for every passage.
    const cosineOf = (label: number): number | null =>
      mode === 'lexical' ? null : (cosineByLabel.get(label) ?? (queryVector ? dotProduct(queryVector, this.index.vectors!.vector(label)) : null));
    const relevance = new LexicalRelevance(queryTerms, lexicalIndex.size);
    const specifics = new SpecificsCheck(questionTerms, lexicalIndex, this.index.passages);
    const lexicalByLabel = new Map(lexical.map((hit) => [hit.label, relevance.of(hit.matches)]));

    const hits: Omit<SearchHit, 'alsoParagraphs'>[] = [];
    const seenParagraphs = new Set<string>();
    for (const { label, score } of ranked) {
      const passage = this.index.passages[label];
      if (!passage) continue;
      // Parts of one split paragraph are one citation: the best-ranked part stands for it.
      const key = `${passage.articleId}#${passage.paragraph}`;
      if (seenParagraphs.has(key)) continue;
      seenParagraphs.add(key);
      const lexicalScore = lexicalByLabel.get(label) ?? null;
      const denseScore = cosineOf(label);
      const denseZ = zByLabel.get(label) ?? null;
      const missingSpecifics = specifics.missingIn(passage);
      const relevant = this.relevance.isRelevant(mode, { lexical: lexicalScore, cosine: denseScore, z: denseZ, missingSpecifics }, language);
      hits.push({ rank: hits.length + 1, score, passage, excerpt: makeExcerpt(passage.text, question, lexicalIndex.analyzer, options.excerptChars), lexicalScore, denseScore, denseZ, relevant, missingSpecifics });
      if (hits.length === k) break;
    }
    const vectorsDamaged = mode !== requested && !this.index.vectors && Boolean(this.index.vectorsProblem);
    return {
      hits: hits.map((hit) => ({ ...hit, alsoParagraphs: closeParagraphs(hit, hits) })),
      declined: !hits.some((hit) => hit.relevant),
      mode,
      notice,
      ...(vectorsDamaged ? { vectorsDamaged } : {}),
      tookMs: performance.now() - started,
    };
  }
}

/** The paragraphs of `hit`'s article, other than its own, that are relevant hits scoring at least ALSO_SHARE of its score, in paragraph order. */
function closeParagraphs(hit: Omit<SearchHit, 'alsoParagraphs'>, hits: readonly Omit<SearchHit, 'alsoParagraphs'>[]): number[] {
  if (!hit.relevant) return [];
  return hits
    .filter((other) => other !== hit && other.relevant && other.passage.articleId === hit.passage.articleId && other.score >= ALSO_SHARE * hit.score)
    .map((other) => other.passage.paragraph)
    .sort((a, b) => a - b);
}

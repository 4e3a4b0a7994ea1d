import { performance } from 'node:perf_hooks';
import type { Passage } from '../articles/article.ts';
import type { Embedder } from '../embedding/embedder.ts';
import { ErrorCode, QuelleError } from '../errors.ts';
import type { SearchIndex } from '../index/search-index.ts';
import type { VectorHit } from '../index/vector-index.ts';
import { withArticleContext } from './article-context.ts';
import { makeExcerpt, type Excerpt } from './excerpt.ts';
import { DEFAULT_FUSION, fuseRankings, type FusionSettings } from './fuse-rankings.ts';
import { DEFAULT_RELEVANCE, denseZScores, lexicalRelevance, type RelevanceThresholds } from './relevance.ts';

export type SearchMode = 'hybrid' | 'dense' | 'lexical';
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'dense', 'lexical'];

export interface SearchHit {
  readonly rank: number;
  /** Hybrid: the fused RRF score; dense: cosine similarity; lexical: BM25 plus the article context (article-context.ts). */
  readonly score: number;
  readonly passage: Passage;
  readonly excerpt: Excerpt;
  /** The lexical relevance (score above the background, over the question's IDF mass), or null outside the lexical candidates; see relevance.ts. */
  readonly lexicalScore: number | null;
  /** The passage's dense z-score against the background, or null outside the dense candidates. */
  readonly denseZ: number | null;
  /** Whether either side vouches for the passage as an answer. */
  readonly relevant: boolean;
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

/** How deep each side is searched before fusion: deeper than k, so that fusion has material. */
const CANDIDATE_DEPTH = 50;

/**
 * Answers questions from one loaded index. Hybrid search runs the dense and lexical sides and
 * fuses their rankings; when the index has no vectors or no model is loaded, it answers
 * lexically and says why.
 */
export class Retriever {
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

  async search(question: string, options: SearchOptions = {}): Promise<SearchResponse> {
    const started = performance.now();
    // A whole number from 1 to 50 whatever the caller passed: 2.5 or NaN would never equal hits.length.
    const k = Math.max(1, Math.min(Math.floor(options.k ?? 5), 50) || 1);
    const requested = options.mode ?? 'hybrid';
    const denseProblem = this.denseUnavailableReason();
    if (requested === 'dense' && denseProblem) {
      throw new QuelleError(ErrorCode.ModeUnavailable, `Dense search is not available: ${denseProblem}. Use --mode lexical.`);
    }
    const mode: SearchMode = requested === 'hybrid' && denseProblem ? 'lexical' : requested;
    const notice = mode !== requested ? `Answering in lexical mode: ${denseProblem}.` : null;
    const depth = Math.max(CANDIDATE_DEPTH, k * 5);

    const lexical = mode === 'dense' ? [] : withArticleContext(this.index.lexical.search(question, depth), (label) => this.index.passages[label]!);
    let dense: VectorHit[] = [];
    if (mode !== 'lexical') {
      const vector = await this.embedder!.embedQuery(question, options.signal);
      dense = this.index.vectors!.search(vector, depth);
    }

    const fusion = this.options.fusion ?? DEFAULT_FUSION;
    const ranked: { label: number; score: number }[] =
      mode === 'hybrid' ? fuseRankings([dense, lexical], fusion.k, [fusion.denseWeight, 1]) : mode === 'dense' ? dense : lexical;

    const thresholds = this.options.relevance ?? DEFAULT_RELEVANCE;
    const zScores = dense.length > 0 ? denseZScores(dense.map((hit) => hit.score)) : null;
    const zByLabel = new Map(zScores ? dense.map((hit, i) => [hit.label, zScores[i]!]) : []);
    const lexicalScores = lexicalRelevance(lexical.map((hit) => hit.score), this.index.lexical.idfMass(question));
    const lexicalByLabel = new Map(lexical.map((hit, i) => [hit.label, lexicalScores[i] ?? null]));

    const hits: SearchHit[] = [];
    const seenParagraphs = new Set<string>();
    for (const { label, score } of ranked) {
      const passage = this.index.passages[label];
      if (!passage) continue;
      // Parts of one split paragraph are one citation: the best-ranked part stands for it.
      const key = `${passage.articleId}#${passage.paragraph}`;
      if (seenParagraphs.has(key)) continue;
      seenParagraphs.add(key);
      const lexicalScore = lexicalByLabel.get(label) ?? null;
      const denseZ = zByLabel.get(label) ?? null;
      const relevant = (lexicalScore !== null && lexicalScore >= thresholds.minLexicalScore) || (denseZ !== null && denseZ >= thresholds.minDenseZ);
      hits.push({ rank: hits.length + 1, score, passage, excerpt: makeExcerpt(passage.text, question, options.excerptChars), lexicalScore, denseZ, relevant });
      if (hits.length === k) break;
    }
    const vectorsDamaged = mode !== requested && !this.index.vectors && Boolean(this.index.vectorsProblem);
    return { hits, declined: !hits.some((hit) => hit.relevant), mode, notice, ...(vectorsDamaged ? { vectorsDamaged } : {}), tookMs: performance.now() - started };
  }
}

/**
 * Evaluation: the metric arithmetic on hand-made outcomes, and the real eval CLI over the shared
 * German XQuAD set in lexical mode against the plain-BM25 reference.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { percentile, summarizeOutcomes, type EvalOutcome } from '../../src/retrieval/evaluate.ts';
import { PROJECT_ROOT, runCliCommand } from '../helpers/index-fixtures.ts';

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 · n) of the sorted values', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 91)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile([42], 50)).toBe(42);
    expect(percentile([3, 1], 50)).toBe(1);
  });

  it('is 0 for no values and does not reorder its input', () => {
    expect(percentile([], 50)).toBe(0);
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarizeOutcomes', () => {
  it('computes recall@1/5/10, MRR@10 and latency percentiles', () => {
    const outcomes: EvalOutcome[] = [
      { goldRank: 1, latencyMs: 1 },
      { goldRank: 2, latencyMs: 2 },
      { goldRank: 5, latencyMs: 3 },
      { goldRank: 10, latencyMs: 4 },
      { goldRank: 11, latencyMs: 5 },
      { goldRank: null, latencyMs: 6 },
      { goldRank: 1, latencyMs: 7 },
      { goldRank: 6, latencyMs: 100 },
    ];
    expect(summarizeOutcomes(outcomes)).toEqual({
      n: 8,
      'recall@1': 0.25,
      'recall@5': 0.5,
      'recall@10': 0.75,
      // (1 + 1/2 + 1/5 + 1/10 + 0 + 0 + 1 + 1/6) / 8 = 2.9667 / 8
      'mrr@10': 0.371,
      p50_ms: 4,
      p95_ms: 100,
    });
  });

  it('rounds recall and MRR to 3 digits and latencies to 2', () => {
    const metrics = summarizeOutcomes([
      { goldRank: 1, latencyMs: 0.123456 },
      { goldRank: 3, latencyMs: 0.123456 },
      { goldRank: null, latencyMs: 0.123456 },
    ]);
    expect(metrics['recall@1']).toBe(0.333);
    expect(metrics['recall@5']).toBe(0.667);
    expect(metrics['mrr@10']).toBe(0.444);
    expect(metrics.p50_ms).toBe(0.12);
  });

  it('is all zeros for no outcomes', () => {
    expect(summarizeOutcomes([])).toEqual({ n: 0, 'recall@1': 0, 'recall@5': 0, 'recall@10': 0, 'mrr@10': 0, p50_ms: 0, p95_ms: 0 });
  });
});

const XQUAD = path.resolve(PROJECT_ROOT, '..', 'shared', 'eval', 'xquad-de');
const XQUAD_ARTICLES = path.join(XQUAD, 'articles');
const XQUAD_QUESTIONS = path.join(XQUAD, 'questions.de.jsonl');
const hasXquad = existsSync(XQUAD_ARTICLES) && existsSync(XQUAD_QUESTIONS);
if (!hasXquad) console.warn(`Skipping the XQuAD-de evaluation: ${XQUAD_ARTICLES} or ${XQUAD_QUESTIONS} does not exist.`);

const CORPUS = path.resolve(PROJECT_ROOT, '..', 'shared', 'corpora', '10kgnad', 'articles');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.warn(`Skipping the XQuAD-de evaluation with distractors: ${CORPUS} does not exist.`);

const UNANSWERABLE = path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', 'unanswerable.jsonl');

describe('eval CLI on XQuAD-de (lexical)', () => {
  it.skipIf(!hasXquad)('beats the plain-BM25 reference, declines the unanswerable questions but few answerable ones, and prints the documented JSON', async () => {
    const { code, stdout, stderr } = await runCliCommand('eval', ['--seeds', XQUAD_ARTICLES, '--questions', XQUAD_QUESTIONS, '--mode', 'lexical', '--unanswerable', UNANSWERABLE, '--json']);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const { mode, ...metrics } = JSON.parse(lines[0]!) as Record<string, number> & { mode: string };
    expect(mode).toBe('lexical');
    expect(Object.keys(metrics).sort()).toEqual(['declined', 'mrr@10', 'n', 'p50_ms', 'p95_ms', 'recall@1', 'recall@10', 'recall@5', 'unanswerable_declined', 'unanswerable_n'].sort());
    for (const value of Object.values(metrics)) expect(typeof value).toBe('number');
    expect(metrics.n).toBeGreaterThan(500);
    // The targets (the plain-BM25 reference is 0.838 / 0.969); README, "Retrieval quality", has the current figures.
    expect(metrics['recall@1']).toBeGreaterThanOrEqual(0.9);
    expect(metrics['recall@5']).toBeGreaterThanOrEqual(0.98);
    expect(metrics['recall@10']).toBeGreaterThanOrEqual(metrics['recall@5']!);
    expect(metrics['mrr@10']).toBeGreaterThanOrEqual(metrics['recall@1']!);
    expect(metrics['mrr@10']).toBeLessThanOrEqual(metrics['recall@10']!);
    expect(metrics.p95_ms).toBeGreaterThanOrEqual(metrics.p50_ms!);
    // "Nothing relevant": at most 5% of the answerable questions, and most of the others. The
    // relevance threshold of issue 11 serves chat-style questions and single articles too, which
    // need a lower one than XQuAD's full questions: 65% of these 80 are declined (93.8% before).
    expect(metrics.declined).toBeLessThanOrEqual(0.05);
    expect(metrics.unanswerable_n).toBe(80);
    expect(metrics.unanswerable_declined).toBeGreaterThanOrEqual(0.6);
    // Progress and logs go to stderr, never into the JSON.
    expect(stderr).toMatch(/Indexed \d+ articles/);
  });

  it.skipIf(!hasXquad || !hasCorpus)('with all 10kGNAD articles as distractors: recall@1 ≥ 0.85 and recall@5 ≥ 0.95, few answerable questions declined', async () => {
    const { code, stdout, stderr } = await runCliCommand('eval', ['--seeds', XQUAD_ARTICLES, '--questions', XQUAD_QUESTIONS, '--distractors', CORPUS, '--mode', 'lexical', '--unanswerable', UNANSWERABLE, '--json']);
    expect(code, stderr).toBe(0);
    const metrics = JSON.parse(stdout.trim()) as Record<string, number>;
    expect(metrics.n).toBeGreaterThan(500);
    // The plain-BM25 reference with a crude stemmer is 0.776 / 0.898.
    expect(metrics['recall@1']).toBeGreaterThanOrEqual(0.85);
    expect(metrics['recall@5']).toBeGreaterThanOrEqual(0.95);
    expect(metrics.declined).toBeLessThanOrEqual(0.05);
    // 55% measured after issue 11 (85% before): see the first test.
    expect(metrics.unanswerable_declined).toBeGreaterThanOrEqual(0.5);
    expect(stderr).toMatch(/Indexed 10\d\d articles, \d+ passages/);
  });
});

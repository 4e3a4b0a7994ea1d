/**
 * The evaluation runner as pure functions, without a subprocess: question files (mixed answerable
 * and unanswerable rows, languages, line-numbered errors), splits and languages, a run through
 * the real Retriever on the seed article, the summary `eval --json` prints (with the mode used and
 * a fallback's reason), threshold calibration and fusion tuning.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import type { SearchIndex } from '../../src/index/search-index.ts';
import { evalSplitOf } from '../../src/retrieval/evaluate.ts';
import { proposeThresholds } from '../../src/retrieval/evaluation/calibrate.ts';
import { carriesLanguage, EvalSetError, filterEvalSet, parseEvalSet, type EvalSet } from '../../src/retrieval/evaluation/labelled-set.ts';
import { evaluationFailures, runEvaluation, summarizeEvaluation, type EvaluatedRetriever, type QuestionSignals } from '../../src/retrieval/evaluation/run-evaluation.ts';
import { tuneFusion } from '../../src/retrieval/evaluation/tune-fusion.ts';
import { DEFAULT_RELEVANCE } from '../../src/retrieval/relevance.ts';
import { Retriever, type SearchResponse } from '../../src/retrieval/retriever.ts';
import { copySeed, fixtureModelSettings, KOALITION_QUESTION, loadFixtureEmbedder, SEED_ID, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-evaluation-');

describe('parseEvalSet', () => {
  it('reads answerable rows and, in the same file, unanswerable rows marked as such, with their language', () => {
    const text = [
      '{"question": "Wo?", "article": "a", "paragraph": 2, "lang": "de", "style": "typo"}',
      '',
      '{"question": "Where?", "unanswerable": true, "lang": "en"}',
      '{"question": "Wann?", "article": "b", "paragraph": 1}',
    ].join('\n');
    expect(parseEvalSet(text, 'q.jsonl', 'questions')).toEqual({
      answerable: [
        { question: 'Wo?', article: 'a', paragraph: 2, lang: 'de' },
        { question: 'Wann?', article: 'b', paragraph: 1 },
      ],
      unanswerable: [{ question: 'Where?', lang: 'en' }],
    });
  });

  it('reads an unanswerable file, taking "language" for "lang" (the older file says so)', () => {
    expect(parseEvalSet('{"question": "Was?", "language": "de"}\n{"question": "What?"}\n', 'u.jsonl', 'unanswerable')).toEqual({
      answerable: [],
      unanswerable: [{ question: 'Was?', lang: 'de' }, { question: 'What?' }],
    });
  });

  it('names the file and line of a bad row, and what the row needs', () => {
    const error = (text: string, kind: 'questions' | 'unanswerable' = 'questions'): string => {
      try {
        parseEvalSet(text, 'q.jsonl', kind);
      } catch (caught) {
        expect(caught).toBeInstanceOf(EvalSetError);
        return (caught as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(error('{"question": "a", "article": "x", "paragraph": 1}\n{"question": "b"\n')).toBe('q.jsonl:2 is not valid JSON.');
    expect(error('\n\n{"question": "b", "article": "x", "paragraph": 0}')).toBe('q.jsonl:3 needs {"question": text, "article": text, "paragraph": number ≥ 1}.');
    expect(error('{"question": "b", "unanswerable": false}')).toBe('q.jsonl:1 needs {"question": text, "article": text, "paragraph": number ≥ 1} or {"question": text, "unanswerable": true}.');
    expect(error('{"text": "b"}', 'unanswerable')).toBe('q.jsonl:1 needs {"question": text}.');
    expect(error('\n \n')).toBe('q.jsonl holds no questions.');
  });
});

describe('filterEvalSet', () => {
  const set: EvalSet = {
    answerable: ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((article) => [
      { question: `${article} de`, article, paragraph: 1, lang: 'de' },
      { question: `${article} en`, article, paragraph: 1, lang: 'en' },
      { question: `${article} ?`, article, paragraph: 1 },
    ]),
    unanswerable: [{ question: 'x', lang: 'de' }, { question: 'y', lang: 'en' }, { question: 'z' }],
  };

  it('keeps one language: the rows that say it, not the rows without one', () => {
    const de = filterEvalSet(set, { split: 'all', lang: 'de' });
    expect(de.answerable.map((row) => row.question)).toEqual(['a de', 'b de', 'c de', 'd de', 'e de', 'f de']);
    expect(de.unanswerable).toEqual([{ question: 'x', lang: 'de' }]);
    expect(filterEvalSet(set, { split: 'all' })).toEqual(set);
  });

  it('splits answerable rows by article and unanswerable ones by question, combined with a language', () => {
    const dev = filterEvalSet(set, { split: 'dev', lang: 'en' });
    const test = filterEvalSet(set, { split: 'test', lang: 'en' });
    expect(dev.answerable.length + test.answerable.length).toBe(6);
    for (const row of dev.answerable) expect(evalSplitOf(row.article)).toBe('dev');
    for (const row of test.answerable) expect(evalSplitOf(row.article)).toBe('test');
    expect(dev.answerable.length).toBeGreaterThan(0);
    expect(test.answerable.length).toBeGreaterThan(0);
  });

  it('carriesLanguage says whether any row names its language', () => {
    expect(carriesLanguage(set)).toBe(true);
    expect(carriesLanguage({ answerable: [{ question: 'q', article: 'a', paragraph: 1 }], unanswerable: [] })).toBe(false);
  });
});

describe('runEvaluation on the seed article', () => {
  let index: SearchIndex;
  const set: EvalSet = {
    answerable: [
      { question: KOALITION_QUESTION, article: SEED_ID, paragraph: 2 },
      { question: 'Wer schlägt ein neutrales Land vor?', article: SEED_ID, paragraph: 4 },
      // Gold deliberately wrong: ¶1 (Wladiwostok) shares no word with the question, so it is not retrieved at all.
      { question: KOALITION_QUESTION, article: SEED_ID, paragraph: 1 },
    ],
    unanswerable: [{ question: 'Wie viele Beine hat eine Vogelspinne?' }],
  };

  beforeAll(async () => {
    const seeds = await copySeed(await tempDir('seeds-'));
    ({ index } = await runIndexer({ seedsDir: seeds, indexDir: await tempDir('index-'), mode: 'lexical', modelSettings: fixtureModelSettings, embedder: null }));
  });

  it('ranks the gold paragraphs, measures what is declined, and summarises as eval --json prints it', async () => {
    const run = await runEvaluation(new Retriever(index, null), set, { k: 10, mode: 'lexical' });
    expect(run.answerable.map((result) => result.goldRank)).toEqual([1, 1, null]);
    expect(run.answerable[0]!.top).toMatchObject({ article: SEED_ID, paragraph: 2 });
    expect(run.unanswerable.map((signals) => signals.declined)).toEqual([true]);
    expect(evaluationFailures(run).map((result) => result.item.paragraph)).toEqual([1]);

    const summary = summarizeEvaluation(run, { reportUnanswerable: true });
    expect(summary).toMatchObject({ n: 3, 'recall@1': 0.667, 'recall@5': 0.667, 'mrr@10': 0.667, declined: 0, unanswerable_n: 1, unanswerable_declined: 1, mode: 'lexical' });
    expect(summary).not.toHaveProperty('fallback_reason');
    expect(summarizeEvaluation(run, { reportUnanswerable: false })).not.toHaveProperty('unanswerable_n');
  });

  it('after a fallback reports the mode used and why: the model problem when known, else the retriever’s reason', async () => {
    const retriever = new Retriever(index, null);
    const run = await runEvaluation(retriever, set, { k: 10, mode: 'hybrid', modelProblem: 'Cannot load the embedding model from /nowhere.' });
    expect(run).toMatchObject({ requestedMode: 'hybrid', mode: 'lexical', fallbackReason: 'Cannot load the embedding model from /nowhere.' });
    expect(summarizeEvaluation(run, { reportUnanswerable: false })).toMatchObject({ mode: 'lexical', fallback_reason: 'Cannot load the embedding model from /nowhere.' });
    const withoutProblem = await runEvaluation(retriever, set, { k: 10, mode: 'hybrid' });
    expect(withoutProblem.fallbackReason).toMatch(/^the index was built in lexical mode/);
  });

  it('takes the mode from what the retriever answered, not from what was asked', async () => {
    const answering = (mode: 'dense' | 'lexical'): EvaluatedRetriever => ({
      denseUnavailableReason: () => null,
      search: async () => ({ hits: [], declined: true, mode, notice: null, tookMs: 0 }) satisfies SearchResponse,
    });
    expect((await runEvaluation(answering('dense'), set, { k: 10, mode: 'dense' })).fallbackReason).toBeNull();
    expect(await runEvaluation(answering('lexical'), set, { k: 10, mode: 'dense' })).toMatchObject({ mode: 'lexical', fallbackReason: 'the requested mode is not available' });
  });
});

describe('proposeThresholds', () => {
  const signals = (lexicalScore: number, denseZ: number): QuestionSignals => ({ lexicalScore, denseZ, declined: false });
  const answerable = Array.from({ length: 100 }, (_, i) => signals(1 + i / 10, 2 + i / 20));
  const unanswerable = [signals(0.5, 1), signals(1.5, 2.1), signals(12, 9)];

  it('per signal of the mode, the thresholds declining at most 3% and 5% of the answerable, with their effect on each kind', () => {
    const proposals = proposeThresholds(answerable, unanswerable, 'hybrid');
    expect(proposals.map((p) => [p.setting, p.share, Number(p.threshold.toFixed(3))])).toEqual([
      ['QUELLE_MIN_LEXICAL_SCORE', 0.03, 1.3],
      ['QUELLE_MIN_LEXICAL_SCORE', 0.05, 1.5],
      ['QUELLE_MIN_DENSE_Z', 0.03, 2.15],
      ['QUELLE_MIN_DENSE_Z', 0.05, 2.25],
    ]);
    expect(proposals[0]).toMatchObject({ answerableDeclined: 0.03 });
    expect(proposals[0]!.unanswerableDeclined).toBeCloseTo(1 / 3);
    expect(proposals[2]!.unanswerableDeclined).toBeCloseTo(2 / 3);
    expect(proposeThresholds(answerable, [], 'lexical').map((p) => [p.setting, p.unanswerableDeclined])).toEqual([
      ['QUELLE_MIN_LEXICAL_SCORE', null],
      ['QUELLE_MIN_LEXICAL_SCORE', null],
    ]);
    expect(proposeThresholds(answerable, unanswerable, 'dense').every((p) => p.setting === 'QUELLE_MIN_DENSE_Z')).toBe(true);
  });
});

describe('tuneFusion', () => {
  it('tries every setting of the grid through the Retriever and ranks them by MRR@10', async () => {
    const embedder = await loadFixtureEmbedder();
    const seeds = await copySeed(await tempDir('seeds-'));
    const { index } = await runIndexer({ seedsDir: seeds, indexDir: await tempDir('hybrid-'), mode: 'hybrid', modelSettings: fixtureModelSettings, embedder });
    const questions = [
      { question: KOALITION_QUESTION, article: SEED_ID, paragraph: 2 },
      { question: 'Wer schlägt ein neutrales Land vor?', article: SEED_ID, paragraph: 4 },
    ];
    const grid = { k: [1, 60], denseWeight: [0.1, 2] };
    const trials = await tuneFusion({ index, embedder, questions, k: 10, relevance: DEFAULT_RELEVANCE, grid });
    expect(trials.map((t) => `${t.fusion.k}/${t.fusion.denseWeight}`).sort()).toEqual(['1/0.1', '1/2', '60/0.1', '60/2']);
    const mrr = trials.map((t) => t.metrics['mrr@10']);
    expect(mrr).toEqual([...mrr].sort((a, b) => b - a));
    expect(trials.every((t) => t.metrics.n === 2)).toBe(true);
    // The lexical side alone ranks both gold paragraphs first; a dense weight of 0.1 lets it decide.
    expect(trials.find((t) => t.fusion.k === 1 && t.fusion.denseWeight === 0.1)!.metrics['mrr@10']).toBe(1);
  });
});

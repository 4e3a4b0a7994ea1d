/**
 * Smoke tests of the CLI commands as users run them (`npm run --silent index|ask|eval -- …`):
 * real child processes from the project root, temp index folders only, the fixture model.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copySeed, FIXTURE_MODEL_ID, KOALITION_QUESTION, runCliCommand, SEED_ID, SEED_TITLE, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-cli-');
let seedsDir: string;

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
});

const RESULT_KEYS = ['article', 'category', 'date', 'dense_score', 'excerpt', 'lexical_relevance', 'missing_specifics', 'paragraph', 'rank', 'relevant', 'score', 'text', 'title'];

describe('lexical index and ask', () => {
  let indexDir: string;

  beforeAll(async () => {
    indexDir = await tempDir('lexical-');
  });

  it('index --mode lexical prints the summary and exits 0', async () => {
    const { code, stdout, stderr } = await runCliCommand('index', ['--mode', 'lexical', '--seeds', seedsDir, '--index', indexDir]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Indexed 1 articles \(4 passages\) in /);
    expect(stdout).toContain(`mode lexical; index in ${indexDir}`);
    expect(stdout).toContain('added 1, changed 0, removed 0, unchanged 0, skipped 0; embedded 0 passages');
  });

  it('ask --json prints exactly one JSON document with ¶2 of the seed first and every documented key', async () => {
    const { code, stdout, stderr } = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'lexical', '--json', '--index', indexDir]);
    expect(code, stderr).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const output = JSON.parse(stdout) as { results: Record<string, unknown>[]; declined: boolean; mode: string; notice: string | null; took_ms: number; relevance: Record<string, unknown> };
    expect(Object.keys(output).sort()).toEqual(['declined', 'mode', 'notice', 'relevance', 'results', 'took_ms']);
    expect(output.relevance).toEqual({ min_lexical_score: 0.24, dense: { vouches: false, cause: 'lexical-mode', reason: 'lexical mode: only the lexical side decides' }, calibration: null });
    expect(output.declined).toBe(false);
    expect(output.mode).toBe('lexical');
    expect(output.notice).toBeNull();
    expect(typeof output.took_ms).toBe('number');
    const [first] = output.results;
    expect(Object.keys(first!).sort()).toEqual(RESULT_KEYS);
    expect(first).toMatchObject({ rank: 1, article: SEED_ID, paragraph: 2, title: SEED_TITLE, date: '2025-09-05', category: 'Politik', relevant: true, dense_score: null, missing_specifics: [] });
    expect(first!.lexical_relevance).toBeGreaterThanOrEqual(0.24);
    expect(first!.excerpt).toMatch(/\*\*Bereits im Vorfeld .*"Koalition der Willigen" in Paris .*\*\*/);
    expect(first!.text).toMatch(/^Bereits im Vorfeld/);
  });

  it('ask --json --all shows why a passage was declined: the question names a year its article does not hold', async () => {
    const { code, stdout, stderr } = await runCliCommand('ask', [`${KOALITION_QUESTION} 2019`, '--mode', 'lexical', '--json', '--all', '--index', indexDir]);
    expect(code, stderr).toBe(0);
    const output = JSON.parse(stdout) as { results: { paragraph: number; relevant: boolean; lexical_relevance: number; missing_specifics: string[] }[]; declined: boolean };
    expect(output.declined).toBe(true);
    const [first] = output.results;
    expect(first).toMatchObject({ paragraph: 2, relevant: false, missing_specifics: ['2019'] });
    // The words alone would have made it relevant: only the year declines it.
    expect(first!.lexical_relevance).toBeGreaterThanOrEqual(0.24);
  });

  it('ask prints readable results with the title and ¶2', async () => {
    const { code, stdout, stderr } = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'lexical', '--k', '3', '--index', indexDir]);
    expect(code, stderr).toBe(0);
    const [firstLine, excerptLine] = stdout.split('\n');
    expect(firstLine).toMatch(/^1\. \[\d+\.\d{4}\] /);
    expect(firstLine).toContain(SEED_TITLE);
    expect(firstLine).toContain('¶2');
    expect(excerptLine).toContain('**Bereits im Vorfeld');
    expect(stdout).toMatch(/\(lexical, [\d.]+ ms\)\n$/);
  });

  it('ask --mode hybrid on a lexical index answers lexically and notes why on stderr', async () => {
    const { code, stdout, stderr } = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'hybrid', '--json', '--index', indexDir]);
    expect(code, stderr).toBe(0);
    const output = JSON.parse(stdout) as { results: { paragraph: number }[]; mode: string; notice: string };
    expect(output.mode).toBe('lexical');
    expect(output.notice).toMatch(/built in lexical mode/);
    expect(stderr).toContain(`note: ${output.notice}`);
    expect(output.results[0]!.paragraph).toBe(2);
  });
});

describe('hybrid index and ask with the fixture model', () => {
  it('index builds a hybrid index, ask --mode hybrid finds ¶2', { timeout: 90_000 }, async () => {
    const indexDir = await tempDir('hybrid-');
    const built = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir, '--json']);
    expect(built.code, built.stderr).toBe(0);
    const summary = JSON.parse(built.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ mode: 'hybrid', model: FIXTURE_MODEL_ID, notice: null, articles: 1, passages: 4, embeddedPassages: 4, denseCalibrationReused: false });
    // The fixture model (a random bag of word pieces) fails the calibration: its dense side may not vouch.
    expect(summary.denseCalibration).toMatchObject({ modelId: FIXTURE_MODEL_ID, vouches: false, samples: { pseudoQuestions: 200, offTopic: 128, passages: 4 } });
    const again = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\n {2}dense relevance: the model may not vouch for answers here, the lexical side decides alone \(kept from the previous index \(same passages, same model\)\): the model matches only \d+% of the German off-topic questions with their English translation/);

    const asked = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'hybrid', '--json', '--index', indexDir]);
    expect(asked.code, asked.stderr).toBe(0);
    const output = JSON.parse(asked.stdout) as {
      results: { article: string; paragraph: number; score: number; dense_score: number }[];
      mode: string;
      notice: string | null;
      relevance: { dense: { vouches: boolean; cause: string }; calibration: { vouches: boolean; modelId: string } };
    };
    expect(output.mode).toBe('hybrid');
    expect(output.notice).toBeNull();
    expect(output.relevance.dense).toMatchObject({ vouches: false, cause: 'failed-calibration' });
    expect(output.relevance.calibration).toMatchObject({ vouches: false, modelId: FIXTURE_MODEL_ID });
    expect(output.results[0]!.dense_score).toBeGreaterThan(0);
    expect(output.results[0]).toMatchObject({ article: SEED_ID, paragraph: 2 });
    // Only ¶2 shares the question's rare words; the other paragraphs are left out as noise…
    expect(output.results).toHaveLength(1);
    // …unless asked for with --all.
    const all = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'hybrid', '--json', '--all', '--index', indexDir]);
    expect((JSON.parse(all.stdout) as { results: unknown[] }).results).toHaveLength(4);

    // A question the article cannot answer: "nothing relevant" instead of noise.
    const unanswerable = await runCliCommand('ask', ['Wie viele Beine hat eine Vogelspinne?', '--mode', 'hybrid', '--json', '--index', indexDir]);
    expect(unanswerable.code, unanswerable.stderr).toBe(0);
    const declined = JSON.parse(unanswerable.stdout) as { results: unknown[]; declined: boolean };
    expect(declined.declined).toBe(true);
    expect(declined.results).toEqual([]);
    const readable = await runCliCommand('ask', ['Wie viele Beine hat eine Vogelspinne?', '--mode', 'hybrid', '--index', indexDir]);
    expect(readable.stdout).toContain('Nothing relevant found');
  });

  it('index in hybrid mode with a missing model directory falls back to lexical and says why', async () => {
    const indexDir = await tempDir('fallback-');
    const missing = path.join(indexDir, 'no-such-model');
    const { code, stdout, stderr } = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir, '--mode', 'hybrid'], { EMBEDDING_MODEL_DIR: missing });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('mode lexical;');
    expect(stdout).toContain(`note: Building a lexical index only: Cannot load the embedding model from ${missing}`);
    expect(stdout).toMatch(/Fix EMBEDDING_MODEL_DIR, or use lexical mode/);
    expect(stderr).toContain(`warning: Building a lexical index only: Cannot load the embedding model from ${missing}`);
  });
});

describe('eval', () => {
  it('--calibrate prints, on stderr, the lexical thresholds for 3% and 5% of the answerable questions and their effect', async () => {
    const dir = await tempDir('calibrate-');
    const questions = path.join(dir, 'questions.jsonl');
    const unanswerable = path.join(dir, 'unanswerable.jsonl');
    await writeFile(questions, `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2}\n`);
    await writeFile(unanswerable, '{"question": "Wie viele Beine hat eine Vogelspinne?"}\n');
    const { code, stdout, stderr } = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'lexical', '--unanswerable', unanswerable, '--calibrate', '--json']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ n: 1, 'recall@1': 1, declined: 0, unanswerable_n: 1, unanswerable_declined: 1 });
    expect(stderr).toContain('calibration (lexical, 1 answerable, 1 unanswerable questions):');
    const lines = stderr.split('\n').filter((line) => line.includes('QUELLE_MIN_LEXICAL_SCORE'));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^ {2}QUELLE_MIN_LEXICAL_SCORE ≥ \d+\.\d{3}: declines 0\.0% of answerable, 100\.0% of unanswerable$/);
    expect(stderr).not.toContain('QUELLE_MIN_DENSE_Z');
  });

  it('--tune-fusion ranks every fusion setting by MRR@10 and prints the best as settings; it refuses lexical mode', async () => {
    const dir = await tempDir('tune-');
    const questions = path.join(dir, 'questions.jsonl');
    await writeFile(questions, `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2}\n{"question": "Wer schlägt ein neutrales Land vor?", "article": "${SEED_ID}", "paragraph": 4}\n`);
    const { code, stderr } = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'hybrid', '--tune-fusion', '--json']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('fusion settings by MRR@10 (2 questions; best 5 of 56):');
    const rows = stderr.split('\n').filter((line) => /^ {2}k +\d+ {2}dense weight \d\.\d\d {2}MRR@10 \d\.\d{3} {2}recall@1 \d\.\d{3} {2}recall@5 \d\.\d{3}$/.test(line));
    expect(rows).toHaveLength(6);
    const mrr = rows.slice(0, 5).map((line) => Number(/MRR@10 (\d\.\d{3})/.exec(line)![1]));
    expect(mrr).toEqual([...mrr].sort((a, b) => b - a));
    expect(stderr).toContain('current (QUELLE_RRF_K 3, QUELLE_RRF_DENSE_WEIGHT 1):');
    expect(stderr).toMatch(/^best: QUELLE_RRF_K=\d+ QUELLE_RRF_DENSE_WEIGHT=\d+(\.\d+)?$/m);

    const lexical = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'lexical', '--tune-fusion']);
    expect(lexical.code).toBe(2);
    expect(lexical.stderr).toContain('--tune-fusion tunes hybrid search: add --mode hybrid');
  });
});

describe('errors', () => {
  it.concurrent('an unknown flag exits 2 with the usage on stderr and nothing on stdout', async () => {
    const { code, stdout, stderr } = await runCliCommand('ask', [KOALITION_QUESTION, '--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("Unknown option '--bogus'");
    expect(stderr).toContain('Usage: npm run ask -- "question"');
  });

  it.concurrent('ask on a missing index exits 1 and tells to run npm run index', async () => {
    const indexDir = path.join(await tempDir('missing-'), 'index');
    const { code, stdout, stderr } = await runCliCommand('ask', [KOALITION_QUESTION, '--mode', 'lexical', '--index', indexDir]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`error: No index in ${indexDir}. Build one with \`npm run index\``);
  });

  it.concurrent('index --seeds /nonexistent exits 1 with a clear message', async () => {
    const indexDir = await tempDir('no-seeds-');
    const { code, stdout, stderr } = await runCliCommand('index', ['--seeds', '/nonexistent', '--mode', 'lexical', '--index', indexDir]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: Cannot read the seeds folder \/nonexistent \(ENOENT.*\)\. Create it .* or pass --seeds DIR\.\n$/);
  });

  it.concurrent('eval with a malformed questions file exits 2 naming the line', async () => {
    const dir = await tempDir('eval-');
    const questions = path.join(dir, 'questions.jsonl');
    await writeFile(questions, `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2}\n{"question": "kaputt"\n`);
    const broken = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'lexical', '--json']);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain(`${questions}:2 is not valid JSON.`);

    await writeFile(questions, `{"question": "${KOALITION_QUESTION}", "article": "${SEED_ID}", "paragraph": 2}\n\n{"question": "Wo?", "article": "${SEED_ID}", "paragraph": 0}\n`);
    const invalid = await runCliCommand('eval', ['--seeds', seedsDir, '--questions', questions, '--mode', 'lexical', '--json']);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toContain(`${questions}:3 needs {"question": text, "article": text, "paragraph": number ≥ 1}.`);
  });
});

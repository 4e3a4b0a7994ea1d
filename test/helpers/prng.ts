/**
 * Seeded randomness for tests, so that generated test data (and the fixture model's weights)
 * are the same on every run and every machine: mulberry32 is the product's own
 * (src/retrieval/calibration/seeded-random.ts).
 */
import { mulberry32 } from '../../src/retrieval/calibration/seeded-random.ts';

export { mulberry32 };

/** Floats in [0, 1) from mulberry32. */
export function uniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/**
 * mulberry32: a tiny seeded PRNG, so that what is drawn "at random" (the calibration's
 * pseudo-questions, generated test data) is the same on every run and every machine. Returns
 * unsigned 32-bit integers.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Exact k-nearest-neighbour search by a full scan of a row-major Float32Array of unit vectors:
 * the "exact" engine of the benchmark, and the ground truth that recall is measured against.
 */

export interface ScoredLabel {
  readonly label: number;
  readonly score: number;
}

/** Top `k` rows by dot product (= cosine for unit vectors), best first. */
export function exactSearch(base: Float32Array, dimension: number, query: Float32Array, k: number): ScoredLabel[] {
  const count = base.length / dimension;
  const want = Math.min(k, count);
  // A sorted array of the best `want` scores so far; the worst is at the end.
  const labels = new Int32Array(want).fill(-1);
  const scores = new Float64Array(want).fill(-Infinity);
  let worst = -Infinity;
  const unrolled = dimension - (dimension % 4);
  for (let n = 0, offset = 0; n < count; n++, offset += dimension) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i < unrolled; i += 4) {
      s0 += base[offset + i]! * query[i]!;
      s1 += base[offset + i + 1]! * query[i + 1]!;
      s2 += base[offset + i + 2]! * query[i + 2]!;
      s3 += base[offset + i + 3]! * query[i + 3]!;
    }
    for (; i < dimension; i++) s0 += base[offset + i]! * query[i]!;
    const score = s0 + s1 + s2 + s3;
    if (score <= worst) continue;
    let position = want - 1;
    while (position > 0 && scores[position - 1]! < score) {
      scores[position] = scores[position - 1]!;
      labels[position] = labels[position - 1]!;
      position--;
    }
    scores[position] = score;
    labels[position] = n;
    worst = scores[want - 1]!;
  }
  const out: ScoredLabel[] = [];
  for (let j = 0; j < want; j++) if (labels[j]! >= 0) out.push({ label: labels[j]!, score: scores[j]! });
  return out;
}

/**
 * Deterministic synthetic embeddings for the vector benchmark.
 *
 * Uniform random 384-d unit vectors are a poor stand-in for sentence embeddings: they have no
 * structure, every point is almost equidistant from every other, and HNSW needs far more work on
 * them than on real data. Real embeddings are clustered by topic, share a common direction (all
 * cosines are positive) and have a low intrinsic dimension: a few dozen directions carry most of
 * the variance. So the data here is a seeded mixture of Gaussian clusters:
 *
 *   - a common mean direction μ (weight MEAN_WEIGHT), which makes cosines of unrelated passages
 *     positive, as with e5;
 *   - CLUSTERS topic centres μ·w + s ⊙ g (g ~ N(0, I)), drawn once, with log-normal sizes;
 *   - a point is its centre plus NOISE · s ⊙ z (z ~ N(0, I)); the per-coordinate scale
 *     s_i ∝ (i + 1)^-0.5 gives variance ∝ 1 / (i + 1), an effective dimension (participation
 *     ratio) of about 26 out of 384 — in the range measured for sentence embeddings;
 *   - every vector is normalised to unit length and rounded to 6 decimals (how embeddings are
 *     kept in JSON stores; it also keeps Vectra's index.json under V8's string limit at 100k).
 *
 * Queries are held-out points (a separate random stream over the same clusters), each perturbed
 * by a further QUERY_NOISE · s ⊙ z and normalised: near the data distribution, never in it.
 * Base vectors come from one sequential stream, so the first 10k of the 100k set are the 10k set.
 * Cosine and nearest neighbours are invariant to rotation, so an axis-aligned spectrum is as good
 * as a rotated one and much cheaper to generate.
 */

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';

export const DIMENSION = 384;
export const DEFAULT_SEED = 20250905;
const CLUSTERS = 1024;
const MEAN_WEIGHT = 0.9;
const NOISE = 0.8;
const QUERY_NOISE = 0.2;
const DECIMALS = 1e6;
/** Variance of coordinate i ∝ (i + 1)^-SPECTRUM_DECAY. */
const SPECTRUM_DECAY = 0.85;

/** sfc32: a small, fast, well-distributed 32-bit generator; plenty for benchmark data. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Standard normal (Marsaglia's polar method). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * factor;
    return u * factor;
  }
}

interface Model {
  readonly scale: Float64Array;
  readonly centres: Float64Array[];
  /** Cumulative cluster weights, for sampling a cluster. */
  readonly cumulative: Float64Array;
}

function makeModel(seed: number): Model {
  const random = new Random(seed);
  const scale = new Float64Array(DIMENSION);
  let sum = 0;
  for (let i = 0; i < DIMENSION; i++) {
    scale[i] = (i + 1) ** (-SPECTRUM_DECAY / 2);
    sum += scale[i]! * scale[i]!;
  }
  // Σ s_i² = 1, so s ⊙ z has expected squared length 1.
  for (let i = 0; i < DIMENSION; i++) scale[i]! /= Math.sqrt(sum);
  const mean = new Float64Array(DIMENSION);
  let norm = 0;
  for (let i = 0; i < DIMENSION; i++) {
    mean[i] = random.normal();
    norm += mean[i]! * mean[i]!;
  }
  for (let i = 0; i < DIMENSION; i++) mean[i] = (mean[i]! / Math.sqrt(norm)) * MEAN_WEIGHT;
  const centres: Float64Array[] = [];
  const weights = new Float64Array(CLUSTERS);
  let total = 0;
  for (let c = 0; c < CLUSTERS; c++) {
    const centre = new Float64Array(DIMENSION);
    for (let i = 0; i < DIMENSION; i++) centre[i] = mean[i]! + scale[i]! * random.normal();
    centres.push(centre);
    weights[c] = Math.exp(random.normal());
    total += weights[c]!;
  }
  const cumulative = new Float64Array(CLUSTERS);
  let running = 0;
  for (let c = 0; c < CLUSTERS; c++) {
    running += weights[c]! / total;
    cumulative[c] = running;
  }
  return { scale, centres, cumulative };
}

function pickCluster(model: Model, random: Random): number {
  const u = random.next();
  let low = 0;
  let high = CLUSTERS - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (model.cumulative[mid]! < u) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Normalises `scratch` and writes it, rounded to 6 decimals, into `out` at `offset`. */
function emitUnit(scratch: Float64Array, out: Float32Array, offset: number): void {
  let norm = 0;
  for (let i = 0; i < DIMENSION; i++) norm += scratch[i]! * scratch[i]!;
  const inverse = 1 / Math.sqrt(norm);
  for (let i = 0; i < DIMENSION; i++) out[offset + i] = Math.round(scratch[i]! * inverse * DECIMALS) / DECIMALS;
}

/** The first `count` base vectors (row-major, `count × DIMENSION`). */
export function generateBase(count: number, seed = DEFAULT_SEED): Float32Array {
  const model = makeModel(seed);
  const random = new Random(seed + 1);
  const out = new Float32Array(count * DIMENSION);
  const scratch = new Float64Array(DIMENSION);
  for (let n = 0; n < count; n++) {
    const centre = model.centres[pickCluster(model, random)]!;
    for (let i = 0; i < DIMENSION; i++) scratch[i] = centre[i]! + NOISE * model.scale[i]! * random.normal();
    emitUnit(scratch, out, n * DIMENSION);
  }
  return out;
}

/** `count` queries: held-out points of the same mixture, perturbed, independent of the base size. */
export function generateQueries(count: number, seed = DEFAULT_SEED): Float32Array {
  const model = makeModel(seed);
  const random = new Random(seed + 2);
  const out = new Float32Array(count * DIMENSION);
  const scratch = new Float64Array(DIMENSION);
  for (let n = 0; n < count; n++) {
    const centre = model.centres[pickCluster(model, random)]!;
    for (let i = 0; i < DIMENSION; i++) {
      scratch[i] = centre[i]! + NOISE * model.scale[i]! * random.normal() + QUERY_NOISE * model.scale[i]! * random.normal();
    }
    emitUnit(scratch, out, n * DIMENSION);
  }
  return out;
}

/** Row `index` of a row-major matrix, as a view (no copy). */
export function row(matrix: Float32Array, index: number, dimension = DIMENSION): Float32Array {
  return matrix.subarray(index * dimension, (index + 1) * dimension);
}

/** The row as plain numbers with their 6-decimal values (what a JSON store would hold). */
export function rowAsNumbers(matrix: Float32Array, index: number, dimension = DIMENSION): number[] {
  const out = new Array<number>(dimension);
  const base = index * dimension;
  for (let i = 0; i < dimension; i++) out[i] = Math.round(matrix[base + i]! * DECIMALS) / DECIMALS;
  return out;
}

/** Writes a Float32Array as raw little-endian bytes, in chunks (files can exceed 2 GiB). */
export async function writeFloat32(file: string, data: Float32Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const stream = createWriteStream(file);
  const chunk = 64 * 1024 * 1024;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let start = 0; start < bytes.length; start += chunk) {
    if (!stream.write(bytes.subarray(start, Math.min(bytes.length, start + chunk)))) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

/** Reads a file written by `writeFloat32` (optionally only its first `floats` values). */
export async function readFloat32(file: string, floats?: number): Promise<Float32Array> {
  const size = (await stat(file)).size;
  const total = floats ?? size / 4;
  if (total * 4 > size) throw new Error(`${file} holds ${size / 4} floats, ${total} requested`);
  const out = new Float32Array(total);
  const bytes = new Uint8Array(out.buffer);
  let offset = 0;
  const stream = createReadStream(file, { end: total * 4 - 1, highWaterMark: 16 * 1024 * 1024 });
  for await (const piece of stream as AsyncIterable<Buffer>) {
    bytes.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

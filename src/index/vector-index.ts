import { createRequire } from 'node:module';
import type * as hnswlib from 'hnswlib-node';
import { describeError, ErrorCode, QuelleError } from '../errors.ts';

/** HNSW parameters; efSearch is not saved by hnswlib, so the manifest carries it. */
export interface HnswParameters {
  readonly m: number;
  readonly efConstruction: number;
  readonly efSearch: number;
}

/** From `npm run bench -- --sweep` and a 1M probe: efSearch 128 keeps recall@10 ≥ 0.98 up to 1M passages. */
export const DEFAULT_HNSW: HnswParameters = { m: 16, efConstruction: 200, efSearch: 128 };

/** A nearest-neighbour match with its cosine similarity (1 = same direction), not a distance. */
export interface VectorHit {
  readonly label: number;
  readonly score: number;
}

const require = createRequire(import.meta.url);

/** The native addon is loaded on first use, with an install hint when it is missing. */
function loadHnswlib(): typeof hnswlib {
  try {
    return require('hnswlib-node') as typeof hnswlib;
  } catch (cause) {
    throw new QuelleError(
      ErrorCode.ModeUnavailable,
      `The native module hnswlib-node could not be loaded (${describeError(cause)}). Run \`npm ci\` (it needs python3, make and g++), or use lexical mode.`,
      { cause },
    );
  }
}

/** The dot product of two vectors of one length: their cosine similarity when both are unit vectors, as embeddings are. */
export function dotProduct(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Cosine-similarity nearest-neighbour search over unit vectors, labelled 0..n-1. */
export class VectorIndex {
  private constructor(
    private readonly hnsw: hnswlib.HierarchicalNSW,
    readonly dimension: number,
    readonly parameters: HnswParameters,
  ) {}

  static create(dimension: number, capacity: number, parameters: HnswParameters = DEFAULT_HNSW): VectorIndex {
    const { HierarchicalNSW } = loadHnswlib();
    const hnsw = new HierarchicalNSW('cosine', dimension);
    // hnswlib refuses a capacity of 0; an empty corpus still gets a searchable (empty) index.
    hnsw.initIndex({ maxElements: Math.max(1, capacity), m: parameters.m, efConstruction: parameters.efConstruction, randomSeed: 100 });
    hnsw.setEf(parameters.efSearch);
    return new VectorIndex(hnsw, dimension, parameters);
  }

  static async load(file: string, dimension: number, parameters: HnswParameters): Promise<VectorIndex> {
    const { HierarchicalNSW } = loadHnswlib();
    const hnsw = new HierarchicalNSW('cosine', dimension);
    await hnsw.readIndex(file);
    hnsw.setEf(parameters.efSearch);
    return new VectorIndex(hnsw, dimension, parameters);
  }

  get size(): number {
    return this.hnsw.getCurrentCount();
  }

  add(vector: Float32Array, label: number): void {
    if (vector.length !== this.dimension) {
      throw new QuelleError(ErrorCode.IndexIncompatible, `Vector of dimension ${vector.length} added to an index of dimension ${this.dimension}.`);
    }
    this.hnsw.addPoint(Array.from(vector), label);
  }

  /** The stored vector of a label (hnswlib keeps normalised copies for cosine). */
  vector(label: number): Float32Array {
    return Float32Array.from(this.hnsw.getPoint(label));
  }

  /** The `k` nearest passages, best first; `k` is capped at the index size. */
  search(vector: Float32Array, k: number): VectorHit[] {
    const count = Math.min(k, this.size);
    if (count <= 0) return [];
    if (vector.length !== this.dimension) {
      throw new QuelleError(ErrorCode.IndexIncompatible, `Query vector has dimension ${vector.length}, the index ${this.dimension}; rebuild the index with the current model.`);
    }
    const { neighbors, distances } = this.hnsw.searchKnn(Array.from(vector), count);
    return neighbors.map((label, i) => ({ label, score: 1 - distances[i]! }));
  }

  async save(file: string): Promise<void> {
    await this.hnsw.writeIndex(file);
  }
}

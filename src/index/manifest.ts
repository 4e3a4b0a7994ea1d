import { z } from 'zod';

/**
 * The manifest describes one index generation. Loading rejects format versions it does not
 * know (with the fix), and checks every file against its recorded size and CRC-32, so a
 * truncated or damaged file is named instead of producing wrong answers.
 */
export const INDEX_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
export const PASSAGES_FILE = 'passages.json';
export const LEXICAL_FILE = 'lexical.json';
export const VECTORS_FILE = 'vectors.hnsw';

/**
 * How far the dense side of a hybrid index can be trusted to say "relevant", measured when the
 * index was built (retrieval/calibration/dense-calibration.ts says how). Cosines: `threshold` is
 * the one German questions must reach (English ones reach `threshold − englishOffset`), `unit`
 * the distance that counts as one unit of evidence in the hybrid decision.
 */
export const denseCalibrationSchema = z.object({
  version: z.number().int(),
  modelId: z.string(),
  /** Identifies the passages it was measured on: a build of the same passages with the same model reuses it. */
  corpus: z.string(),
  /** Whether the dense side may vouch for a passage; when not, `reason` says why. */
  vouches: z.boolean(),
  reason: z.string().nullable(),
  threshold: z.number(),
  englishOffset: z.number(),
  unit: z.number(),
  separation: z.object({
    /** How often a pseudo-question's best passage scores above an off-topic question's (0.5: no better than chance). */
    auc: z.number(),
    /** The share of German off-topic questions whose nearest English one is their translation. */
    translationsMatched: z.number(),
    /** The share of the off-topic questions that `threshold` declines. */
    offTopicDeclined: z.number(),
  }),
  samples: z.object({ pseudoQuestions: z.number().int().nonnegative(), offTopic: z.number().int().nonnegative(), passages: z.number().int().nonnegative() }),
  seconds: z.number().nonnegative(),
});

export type DenseCalibration = z.infer<typeof denseCalibrationSchema>;

const fileEntry = z.object({ bytes: z.number().int().nonnegative(), crc32: z.number().int().nonnegative() });

export const manifestSchema = z.object({
  format: z.literal('quelle-index'),
  formatVersion: z.number().int(),
  createdAt: z.string(),
  buildSeconds: z.number().nonnegative(),
  mode: z.enum(['hybrid', 'lexical']),
  /** Null in lexical mode: the index then holds no vectors. */
  model: z.object({ id: z.string(), dimension: z.number().int().positive() }).nullable(),
  hnsw: z
    .object({
      metric: z.literal('cosine'),
      m: z.number().int().positive(),
      efConstruction: z.number().int().positive(),
      efSearch: z.number().int().positive(),
    })
    .nullable(),
  analyzerVersion: z.number().int(),
  /** Hybrid indexes built since issue 11; absent in older manifests (the dense side then does not vouch until a rebuild). */
  denseCalibration: denseCalibrationSchema.nullable().optional(),
  counts: z.object({ articles: z.number().int().nonnegative(), passages: z.number().int().nonnegative() }),
  /** Article id → content hash: what a reindex compares to find changed articles. */
  articles: z.record(z.string(), z.string()),
  files: z.record(z.string(), fileEntry),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type IndexMode = Manifest['mode'];

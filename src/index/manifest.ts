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
  counts: z.object({ articles: z.number().int().nonnegative(), passages: z.number().int().nonnegative() }),
  /** Article id → content hash: what a reindex compares to find changed articles. */
  articles: z.record(z.string(), z.string()),
  files: z.record(z.string(), fileEntry),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type IndexMode = Manifest['mode'];

import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDirectory, writeSyncedOrRemove } from '../index/durable-files.ts';

/**
 * The vectors a build has computed, kept on disk as they are computed, so that a build that is
 * killed (or stopped, or fails) resumes where it was: the next build embeds only what is not in
 * it. One file in the index folder, for one model:
 *
 *     QUELLE-VECTOR-CACHE\n
 *     {"version":1,"model":"local:e5@q8","dimension":384}\n
 *     record*   — passage hash (16 bytes) · vector (dimension float32, little endian) · CRC-32 of both
 *
 * Records are appended and synced batch by batch. A record torn by a crash, or damaged, fails
 * its CRC and is ignored: the cache can lose a vector, never give a wrong one. When a build
 * opens it, it keeps only the vectors that build still needs (the file is rewritten when others
 * are in it: another model's, or passages since deleted); when a build completes, its vectors
 * are in the new generation and the file is removed.
 */
export const EMBEDDING_CACHE_FILE = 'embedding-cache.bin';

const MAGIC = 'QUELLE-VECTOR-CACHE\n';
const FORMAT_VERSION = 1;
const KEY_BYTES = 16;
/** Records read at a time when the file is opened. */
const READ_RECORDS = 4096;

interface CacheHeader {
  readonly version: number;
  readonly model: string;
  readonly dimension: number;
}

function headerBytes(model: string, dimension: number): Buffer {
  return Buffer.from(`${MAGIC}${JSON.stringify({ version: FORMAT_VERSION, model, dimension } satisfies CacheHeader)}\n`);
}

/** Passage hashes are 32 hex digits (chunk-article.ts); anything else is not cached. */
function keyOf(hash: string): Buffer | null {
  return /^[0-9a-f]{32}$/.test(hash) ? Buffer.from(hash, 'hex') : null;
}

export interface OpenedCache {
  readonly cache: EmbeddingCache;
  /** Vectors found for the passages asked for, by passage hash. */
  readonly found: Map<string, Float32Array>;
  /** Records dropped when it was opened: torn or damaged, another model's, or not needed. */
  readonly dropped: number;
}

export class EmbeddingCache {
  private writes: Promise<void> = Promise.resolve();
  private failed: unknown = null;

  private constructor(
    private readonly file: string,
    private handle: FileHandle | null,
    private readonly dimension: number,
  ) {}

  /**
   * Opens the cache of `indexDir` for a build with `model`: reads the vectors of the passages in
   * `wanted` (passage hashes), and keeps only those in the file. Call it holding the build lock.
   */
  static async open(indexDir: string, model: string, dimension: number, wanted: ReadonlySet<string>): Promise<OpenedCache> {
    const file = path.join(indexDir, EMBEDDING_CACHE_FILE);
    const header = headerBytes(model, dimension);
    const found = new Map<string, Float32Array>();
    const { records, intact } = await readRecords(file, header, dimension, (hash, vector) => {
      if (wanted.has(hash)) found.set(hash, vector);
    });
    const dropped = records - found.size;
    if (!intact || dropped > 0) await rewrite(file, header, found, dimension);
    const handle = await open(file, 'a');
    return { cache: new EmbeddingCache(file, handle, dimension), found, dropped };
  }

  /** Removes the cache of `indexDir` (a build completed: its vectors are in the new generation). */
  static async remove(indexDir: string): Promise<void> {
    await rm(path.join(indexDir, EMBEDDING_CACHE_FILE), { force: true });
  }

  /**
   * Appends vectors and syncs them to disk; resolves once they are durable. Appends run one
   * after another. A failed write (a full disk) fails this and every later append: the caller
   * decides whether the build goes on without the cache.
   */
  append(entries: ReadonlyArray<readonly [hash: string, vector: Float32Array]>): Promise<void> {
    const records: Buffer[] = [];
    for (const [hash, vector] of entries) {
      const key = keyOf(hash);
      if (key && vector.length === this.dimension) records.push(recordBytes(key, vector));
    }
    this.writes = this.writes.then(async () => {
      if (this.failed) throw this.failed;
      if (!this.handle) throw new Error(`${this.file} is closed`);
      try {
        await this.handle.write(Buffer.concat(records));
        await this.handle.datasync();
      } catch (error) {
        this.failed = error;
        throw error;
      }
    });
    return this.writes;
  }

  /** Waits for the appends in progress (their failures are the caller's to have seen) and closes the file. */
  async close(): Promise<void> {
    await this.writes.catch(() => {});
    await this.handle?.close();
    this.handle = null;
  }
}

function recordBytes(key: Buffer, vector: Float32Array): Buffer {
  const record = Buffer.alloc(KEY_BYTES + vector.length * 4 + 4);
  key.copy(record, 0);
  for (let i = 0; i < vector.length; i++) record.writeFloatLE(vector[i]!, KEY_BYTES + i * 4);
  record.writeUInt32LE(crc32(record.subarray(0, record.length - 4)), record.length - 4);
  return record;
}

/**
 * Reads every intact record of `file` into `onRecord`. `intact` is false when the file is missing
 * its header, has another header (model, dimension, version), a damaged record or a torn end.
 */
async function readRecords(
  file: string,
  header: Buffer,
  dimension: number,
  onRecord: (hash: string, vector: Float32Array) => void,
): Promise<{ records: number; intact: boolean }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: 0, intact: false };
    throw error;
  }
  try {
    const start = Buffer.alloc(header.length);
    const { bytesRead } = await handle.read(start, 0, header.length, 0);
    if (bytesRead < header.length || !start.equals(header)) return { records: 0, intact: false };
    const recordSize = KEY_BYTES + dimension * 4 + 4;
    const buffer = Buffer.alloc(recordSize * READ_RECORDS);
    let position = header.length;
    let records = 0;
    let intact = true;
    for (;;) {
      const { bytesRead: read } = await handle.read(buffer, 0, buffer.length, position);
      if (read === 0) break;
      const whole = Math.floor(read / recordSize);
      if (whole === 0) {
        intact = false; // a torn last record
        break;
      }
      for (let r = 0; r < whole; r++) {
        const record = buffer.subarray(r * recordSize, (r + 1) * recordSize);
        if (crc32(record.subarray(0, recordSize - 4)) !== record.readUInt32LE(recordSize - 4)) {
          intact = false;
          continue;
        }
        const vector = new Float32Array(dimension);
        for (let i = 0; i < dimension; i++) vector[i] = record.readFloatLE(KEY_BYTES + i * 4);
        onRecord(record.subarray(0, KEY_BYTES).toString('hex'), vector);
        records++;
      }
      position += whole * recordSize;
    }
    return { records, intact };
  } finally {
    await handle.close();
  }
}

/** Replaces `file` with `header` and `vectors`, durably (a temporary file renamed over it). */
async function rewrite(file: string, header: Buffer, vectors: ReadonlyMap<string, Float32Array>, dimension: number): Promise<void> {
  // `.tmp-`: what a killed rewrite leaves, the next build's lock removes (index-store.ts).
  const temporary = path.join(path.dirname(file), `.tmp-${path.basename(file)}.${process.pid}`);
  await writeSyncedOrRemove(temporary, 'w', async (handle) => {
    await handle.write(header);
    let chunk: Buffer[] = [];
    for (const [hash, vector] of vectors) {
      const key = keyOf(hash);
      if (!key || vector.length !== dimension) continue;
      chunk.push(recordBytes(key, vector));
      if (chunk.length === READ_RECORDS) {
        await handle.write(Buffer.concat(chunk));
        chunk = [];
      }
    }
    if (chunk.length > 0) await handle.write(Buffer.concat(chunk));
  });
  await rename(temporary, file);
  await syncDirectory(path.dirname(file));
}

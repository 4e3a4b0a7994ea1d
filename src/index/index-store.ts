import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import type { Passage } from '../articles/article.ts';
import { describeError, ErrorCode, QuelleError } from '../errors.ts';
import { fileChecksum, replaceFileAtomically, syncDirectory, syncFile, writeFileDurable } from './durable-files.ts';
import { LexicalIndex } from './lexical-index.ts';
import { INDEX_FORMAT_VERSION, LEXICAL_FILE, MANIFEST_FILE, manifestSchema, PASSAGES_FILE, VECTORS_FILE, type Manifest } from './manifest.ts';
import type { IndexedArticle, SearchIndex } from './search-index.ts';
import { VectorIndex } from './vector-index.ts';

/**
 * Index generations on disk. The index directory holds `CURRENT`, naming the live generation,
 * and one `gen-*` directory per generation. A save writes a new generation under a temporary
 * name, syncs it, renames it into place and only then switches `CURRENT` (itself replaced by
 * rename): a crash at any point leaves the previous generation loadable, and the leftovers are
 * removed by the next build.
 */
const CURRENT_FILE = 'CURRENT';
const LOCK_FILE = '.lock';
const GENERATION_PREFIX = 'gen-';
const TEMPORARY_PREFIX = '.tmp-';

const passagesFileSchema = z.object({
  articles: z.array(z.custom<IndexedArticle>((value) => typeof value === 'object' && value !== null)),
  passages: z.array(z.custom<Passage>((value) => typeof value === 'object' && value !== null && typeof (value as Passage).text === 'string')),
});

export interface SaveIndexInput {
  readonly manifest: Omit<Manifest, 'files' | 'formatVersion' | 'format'>;
  readonly articles: readonly IndexedArticle[];
  readonly passages: readonly Passage[];
  readonly lexical: LexicalIndex;
  readonly vectors: VectorIndex | null;
}

/** Saves a new generation and makes it current; returns the manifest as written. */
export async function saveIndex(root: string, input: SaveIndexInput): Promise<Manifest> {
  await mkdir(root, { recursive: true });
  const name = `${GENERATION_PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const temporary = path.join(root, `${TEMPORARY_PREFIX}${name}`);
  await mkdir(temporary);
  try {
    const files: Manifest['files'] = {};
    const write = async (file: string, data: string): Promise<void> => {
      await writeFileDurable(path.join(temporary, file), data);
      const bytes = Buffer.from(data);
      files[file] = { bytes: bytes.length, crc32: crc32(bytes) };
    };
    await write(PASSAGES_FILE, JSON.stringify({ articles: input.articles, passages: input.passages }));
    await write(LEXICAL_FILE, input.lexical.toJSON());
    if (input.vectors) {
      const vectorsPath = path.join(temporary, VECTORS_FILE);
      await input.vectors.save(vectorsPath);
      await syncFile(vectorsPath);
      await verifyWrittenVectors(vectorsPath, input.vectors);
      files[VECTORS_FILE] = await fileChecksum(vectorsPath);
    }
    const manifest: Manifest = { format: 'quelle-index', formatVersion: INDEX_FORMAT_VERSION, ...input.manifest, files };
    await writeFileDurable(path.join(temporary, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDirectory(temporary);
    await rename(temporary, path.join(root, name));
    await syncDirectory(root);
    await replaceFileAtomically(path.join(root, CURRENT_FILE), `${name}\n`);
    await removeStaleGenerations(root, name);
    return manifest;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw diskFull(root, error) ?? error;
  }
}

/** A full disk, said plainly (fs errors name neither the index nor what still serves), or null. */
function diskFull(root: string, error: unknown): Error | null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return null;
  const message = `Not enough disk space to save the index in ${root} (${describeError(error)}). The previous index is unchanged; free some space and build again.`;
  return Object.assign(new Error(message, { cause: error }), { code });
}

/**
 * hnswlib writes the vectors without checking for write errors: on a full disk it leaves a
 * truncated file and reports success, which the checksum would then vouch for. Reading the file
 * back (as loading will) turns that into an error while the previous generation is still current.
 */
async function verifyWrittenVectors(file: string, vectors: VectorIndex): Promise<void> {
  const kept = 'The previous index is unchanged; free some space and build again.';
  let written: VectorIndex;
  try {
    written = await VectorIndex.load(file, vectors.dimension, vectors.parameters);
  } catch (cause) {
    throw new Error(`Writing ${file} failed (is the disk full?): it cannot be read back (${describeError(cause)}). ${kept}`, { cause });
  }
  if (written.size !== vectors.size) throw new Error(`Writing ${file} failed (is the disk full?): it holds ${written.size} of ${vectors.size} vectors. ${kept}`);
}

/** Which generation is live, or null when the directory holds no index. */
async function currentGeneration(root: string): Promise<string | null> {
  try {
    const name = (await readFile(path.join(root, CURRENT_FILE), 'utf8')).trim();
    return name === '' ? null : name;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Whether `root` holds a current index generation. */
export async function hasIndex(root: string): Promise<boolean> {
  return (await currentGeneration(root)) !== null;
}

/** Loads the current generation, verifying every file; errors name the file and the fix. */
export async function loadIndex(root: string): Promise<SearchIndex> {
  const rebuild = 'Rebuild it with `npm run index -- --rebuild` (or /reindex in Discord).';
  const name = await currentGeneration(root);
  if (name === null || !/^gen-[\w-]+$/.test(name)) {
    throw new QuelleError(
      name === null ? ErrorCode.IndexMissing : ErrorCode.IndexCorrupt,
      name === null
        ? `No index in ${root}. Build one with \`npm run index\` (or /reindex in Discord).`
        : `${path.join(root, CURRENT_FILE)} does not name an index generation. ${rebuild}`,
    );
  }
  const dir = path.join(root, name);
  const corrupt = (file: string, problem: string, cause?: unknown): QuelleError =>
    new QuelleError(ErrorCode.IndexCorrupt, `Index file ${path.join(dir, file)} ${problem}. ${rebuild}`, { cause });

  let manifest: Manifest;
  try {
    const raw: unknown = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
    const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
    if (typeof version === 'number' && version !== INDEX_FORMAT_VERSION) {
      throw new QuelleError(
        ErrorCode.IndexIncompatible,
        `The index in ${dir} has format version ${version}; this version of Quelle reads version ${INDEX_FORMAT_VERSION}. ${rebuild}`,
      );
    }
    manifest = manifestSchema.parse(raw);
  } catch (error) {
    if (error instanceof QuelleError) throw error;
    throw corrupt(MANIFEST_FILE, `is missing or unreadable (${describeError(error).split('\n')[0]})`, error);
  }

  /** Checks a file's size and CRC-32, as read, against what the manifest recorded for it. */
  const verify = (file: string, actual: { bytes: number; crc32: number }): void => {
    const expected = manifest.files[file];
    if (!expected) throw corrupt(MANIFEST_FILE, `does not list ${file}`);
    if (actual.bytes !== expected.bytes) throw corrupt(file, `has ${actual.bytes} bytes, expected ${expected.bytes} (truncated or overwritten)`);
    if (actual.crc32 !== expected.crc32) throw corrupt(file, 'is damaged (checksum mismatch)');
  };

  const readVerified = async (file: string): Promise<Buffer> => {
    if (!manifest.files[file]) throw corrupt(MANIFEST_FILE, `does not list ${file}`);
    let data: Buffer;
    try {
      data = await readFile(path.join(dir, file));
    } catch (cause) {
      throw corrupt(file, 'is missing or unreadable', cause);
    }
    verify(file, { bytes: data.length, crc32: crc32(data) });
    return data;
  };

  const loadTexts = async (): Promise<{ stored: z.infer<typeof passagesFileSchema>; lexical: LexicalIndex }> => {
    let stored: z.infer<typeof passagesFileSchema>;
    try {
      stored = passagesFileSchema.parse(JSON.parse((await readVerified(PASSAGES_FILE)).toString('utf8')));
    } catch (error) {
      if (error instanceof QuelleError) throw error;
      throw corrupt(PASSAGES_FILE, 'cannot be parsed', error);
    }
    let lexical: LexicalIndex;
    try {
      const lexicalJson = (await readVerified(LEXICAL_FILE)).toString('utf8');
      // An index saved by another analyzer version or layout is rebuilt from the intact passages.
      lexical = LexicalIndex.restore(lexicalJson, stored.passages);
    } catch (error) {
      if (error instanceof QuelleError) throw error;
      throw corrupt(LEXICAL_FILE, 'cannot be parsed', error);
    }
    if (stored.passages.length !== manifest.counts.passages || lexical.size !== manifest.counts.passages) {
      throw corrupt(PASSAGES_FILE, `holds ${stored.passages.length} passages, the manifest ${manifest.counts.passages}`);
    }
    return { stored, lexical };
  };

  const loadVectors = async (): Promise<VectorIndex | null> => {
    if (manifest.mode !== 'hybrid') return null;
    if (!manifest.model || !manifest.hnsw) throw corrupt(MANIFEST_FILE, 'lacks the model or HNSW settings of a hybrid index');
    if (!manifest.files[VECTORS_FILE]) throw corrupt(MANIFEST_FILE, `does not list ${VECTORS_FILE}`);
    const file = path.join(dir, VECTORS_FILE);
    // Verified before hnswlib reads it: hnswlib trusts the sizes inside the file, and a damaged
    // one can make it allocate wildly or crash the process.
    const actual = await fileChecksum(file).catch((cause: unknown) => {
      throw corrupt(VECTORS_FILE, 'is missing or unreadable', cause);
    });
    verify(VECTORS_FILE, actual);
    let vectors: VectorIndex;
    try {
      vectors = await VectorIndex.load(file, manifest.model.dimension, manifest.hnsw);
    } catch (error) {
      throw corrupt(VECTORS_FILE, `cannot be loaded (${describeError(error)})`, error);
    }
    if (vectors.size !== manifest.counts.passages) throw corrupt(VECTORS_FILE, `holds ${vectors.size} vectors, the manifest ${manifest.counts.passages} passages`);
    return vectors;
  };

  // The vector file is read, checked and loaded by hnswlib in the thread pool while the event
  // loop parses the passages and the lexical index: at 100k passages that halves the load time.
  const [vectors, { stored, lexical }] = await Promise.all([loadVectors(), loadTexts()]);
  return { manifest, articles: stored.articles, passages: stored.passages, lexical, vectors };
}

/** Deletes generations other than `keep` and leftovers of interrupted saves. */
async function removeStaleGenerations(root: string, keep: string): Promise<void> {
  for (const entry of await readdir(root)) {
    if (entry === keep) continue;
    if (entry.startsWith(GENERATION_PREFIX) || entry.startsWith(TEMPORARY_PREFIX) || /^\.CURRENT\.\d+\.tmp$/.test(entry)) {
      await rm(path.join(root, entry), { recursive: true, force: true });
    }
    // A lock claim of a process killed before it could remove it.
    const claimant = /^\.lock\.(\d+)\.[0-9a-f]+$/.exec(entry)?.[1];
    if (claimant !== undefined && !isProcessAlive(Number(claimant))) await rm(path.join(root, entry), { force: true });
  }
}

/** A held build lock; `release` is idempotent. */
export interface IndexLock {
  release(): Promise<void>;
}

/**
 * Takes the index directory's build lock, so two builds never interleave, and removes what an
 * interrupted build left behind. A lock whose process is gone is taken over.
 */
export async function lockIndex(root: string): Promise<IndexLock> {
  await mkdir(root, { recursive: true });
  const lockPath = path.join(root, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Write the pid first and link it into place: the lock never exists without its pid, so
      // a racing build cannot mistake a lock being written for a stale one.
      const claim = `${lockPath}.${process.pid}.${randomBytes(3).toString('hex')}`;
      try {
        await writeFile(claim, `${process.pid}\n`);
        await link(claim, lockPath);
      } finally {
        await rm(claim, { force: true });
      }
      // Without knowing which generation is live, nothing is safe to delete.
      const current = await currentGeneration(root).then(
        (name) => ({ known: true, name }),
        () => ({ known: false, name: null }),
      );
      if (current.known) await removeStaleGenerations(root, current.name ?? '');
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await rm(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw diskFull(root, error) ?? error;
      const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && isProcessAlive(holder)) {
        throw new QuelleError(
          ErrorCode.IndexLocked,
          `Another index build (process ${holder}) is running in ${root}. Wait for it to finish, or delete ${lockPath} if that process no longer exists.`,
        );
      }
      // The previous holder died (kill -9, power loss): its lock is stale.
      await rm(lockPath, { force: true });
    }
  }
  throw new QuelleError(ErrorCode.IndexLocked, `Could not take the lock ${lockPath}; delete it if no build is running.`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Size on disk of the current generation, for stats and benchmarks. */
export async function indexDiskBytes(root: string): Promise<number> {
  const name = await currentGeneration(root);
  if (name === null) return 0;
  let total = 0;
  for (const entry of await readdir(path.join(root, name))) total += (await stat(path.join(root, name, entry))).size;
  return total;
}

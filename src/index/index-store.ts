import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import type { Passage } from '../articles/article.ts';
import { describeError, ErrorCode, QuelleError } from '../errors.ts';
import { acquireBuildLock, isLeftoverClaim, type BuildLock, type BuildLockOptions } from './build-lock.ts';
import { fileChecksum, replaceFileAtomically, syncDirectory, syncFile, writeFileDurable } from './durable-files.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { ANALYZER_VERSION, type Analyzer } from './analyzer.ts';
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
 *
 * Readers take no lock. A generation that stops being current is kept for
 * {@link GENERATION_GRACE_MS}, so that a process that has just read `CURRENT` can still open its
 * files; and a reader whose load fails while `CURRENT` changed under it loads the new one.
 */
const CURRENT_FILE = 'CURRENT';
const LOCK_FILE = '.lock';
const GENERATION_PREFIX = 'gen-';
const TEMPORARY_PREFIX = '.tmp-';

/**
 * How long a generation that stopped being current stays on disk. A reader opens every file of a
 * generation within its load (6 s at a million passages on 2 cores, see the README's
 * Performance section); ten times that leaves room for slow disks and busy machines. It is
 * removed by the first build (or lock) after that, so between builds the disk holds the previous
 * generation too — no more than every build needs anyway while it saves.
 */
export const GENERATION_GRACE_MS = 60_000;

/** How many times a load follows a `CURRENT` that changed while it loaded. */
const LOAD_ATTEMPTS = 3;

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
  return commitGeneration(root, async (write, files, temporary) => {
    await write(PASSAGES_FILE, JSON.stringify({ articles: input.articles, passages: input.passages }));
    await write(LEXICAL_FILE, input.lexical.toJSON());
    if (input.vectors) {
      const vectorsPath = path.join(temporary, VECTORS_FILE);
      await input.vectors.save(vectorsPath);
      await syncFile(vectorsPath);
      await verifyWrittenVectors(vectorsPath, input.vectors);
      files[VECTORS_FILE] = await fileChecksum(vectorsPath);
    }
    return input.manifest;
  });
}

/**
 * Writes a generation under a temporary name (`fill` writes its files, recording each in
 * `files`, and returns the manifest's other fields), syncs it, renames it into place and only
 * then switches `CURRENT`: a crash at any point leaves the previous generation loadable. The
 * generation it replaces starts its grace period.
 */
async function commitGeneration(
  root: string,
  fill: (write: (file: string, data: string) => Promise<void>, files: Manifest['files'], temporary: string) => Promise<SaveIndexInput['manifest']>,
): Promise<Manifest> {
  const name = `${GENERATION_PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  return installGeneration(root, name, async (temporary) => {
    const files: Manifest['files'] = {};
    const write = async (file: string, data: string): Promise<void> => {
      await writeFileDurable(path.join(temporary, file), data);
      const bytes = Buffer.from(data);
      files[file] = { bytes: bytes.length, crc32: crc32(bytes) };
    };
    const fields = await fill(write, files, temporary);
    const manifest: Manifest = { format: 'quelle-index', formatVersion: INDEX_FORMAT_VERSION, ...fields, files };
    await writeFileDurable(path.join(temporary, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  });
}

/**
 * Makes generation `name` current: `write` fills a temporary folder with its files (durably)
 * and returns its manifest; the folder is then renamed into place and `CURRENT` switched. The
 * caller holds the build lock. A failure at any point leaves the previous generation current.
 * Used by builds and by hosts installing a generation another host published.
 */
export async function installGeneration(root: string, name: string, write: (temporary: string) => Promise<Manifest>): Promise<Manifest> {
  if (!/^gen-[\w-]+$/.test(name)) throw new Error(`"${name}" is not an index generation name`);
  await mkdir(root, { recursive: true });
  const temporary = path.join(root, `${TEMPORARY_PREFIX}${name}`);
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary);
  let renamed = false;
  try {
    const manifest = await write(temporary);
    await syncDirectory(temporary);
    // A folder of this name that is not current was left by an interrupted install: nobody reads it.
    if ((await currentGeneration(root).catch(() => null)) !== name) await rm(path.join(root, name), { recursive: true, force: true });
    await rename(temporary, path.join(root, name));
    renamed = true;
    await syncDirectory(root);
    // The generation being replaced starts its grace period now (its mtime says since when).
    const previous = await currentGeneration(root).catch(() => null);
    if (previous !== null && previous !== name) await utimes(path.join(root, previous), new Date(), new Date()).catch(() => {});
    await replaceFileAtomically(path.join(root, CURRENT_FILE), `${name}\n`);
    await removeStaleGenerations(root, name);
    return manifest;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    // Renamed into place but never made current: nobody can be reading it.
    if (renamed && (await currentGeneration(root).catch(() => null)) !== name) await rm(path.join(root, name), { recursive: true, force: true });
    throw diskFull(root, error) ?? error;
  }
}

/**
 * Saves a lexical index that loading had to rebuild (another analyzer made the saved one) as a
 * new generation beside the unchanged passages and vectors, which are linked, not copied (a
 * generation's files never change after it is written). It is committed like any build, under
 * the build lock, and only if `generation` is still current: a build running now, or one that
 * switched generations meanwhile, writes or has written a fresh lexical index anyway. Returns
 * the new manifest, or null (with the reason logged) when it did not save.
 */
async function saveRebuiltLexical(root: string, generation: string, manifest: Manifest, lexical: LexicalIndex, logger: Logger): Promise<Manifest | null> {
  const notSaved = (error: unknown): null => {
    logger.warn({ reason: describeError(error) }, `The rebuilt lexical index was not saved (it serves from memory; the next build saves one): ${describeError(error)}`);
    return null;
  };
  let lock: IndexLock;
  try {
    lock = await lockIndex(root, { logger });
  } catch (error) {
    return notSaved(error);
  }
  try {
    if ((await currentGeneration(root)) !== generation) return null;
    const source = path.join(root, generation);
    return await commitGeneration(root, async (write, files, temporary) => {
      for (const file of [PASSAGES_FILE, VECTORS_FILE]) {
        const entry = manifest.files[file];
        if (!entry) continue;
        await linkOrCopy(path.join(source, file), path.join(temporary, file));
        files[file] = entry;
      }
      await write(LEXICAL_FILE, lexical.toJSON());
      const { files: _files, format: _format, formatVersion: _formatVersion, ...fields } = manifest;
      return { ...fields, analyzerVersion: ANALYZER_VERSION };
    });
  } catch (error) {
    return notSaved(error);
  } finally {
    await lock.release();
  }
}

/** Links a file of a generation into another; where the file system has no hard links, copies it and forces the copy to disk. */
async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch {
    await copyFile(source, target);
    await syncFile(target);
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
export async function currentGeneration(root: string): Promise<string | null> {
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

export interface LoadIndexOptions {
  /**
   * What to do with the vector file: `required` (the default) fails the load when it is damaged;
   * `optional` loads the rest and reports the damage in `vectorsProblem` (hybrid search then
   * answers lexically and says why); `skip` does not read it at all (lexical search never uses it).
   */
  readonly vectors?: 'required' | 'optional' | 'skip';
  /**
   * A lexical index saved by another analyzer is rebuilt from the passages; `save` (the default)
   * saves the rebuilt one as a new generation, so that it is rebuilt once, not at every load;
   * `keep` only serves it (a build, which saves its own, passes that).
   */
  readonly rebuiltLexical?: 'save' | 'keep';
  /** Says why the lexical index was rebuilt, and whether it was saved. */
  readonly logger?: Logger;
  /**
   * The analyzer to read the lexical index with: a process that serves an index already passes
   * its own. Without it the word lists are read and the prior computed again, about a second of
   * synchronous work that a bot swapping to another process's generation must not spend.
   */
  readonly analyzer?: Analyzer;
}

/**
 * Loads the current generation, verifying every file; errors name the file and the fix. A load
 * that fails while another process switches `CURRENT` is retried with the new generation.
 */
export async function loadIndex(root: string, options: LoadIndexOptions = {}): Promise<SearchIndex> {
  let name = await currentGeneration(root);
  for (let attempt = 1; ; attempt++) {
    let loaded: LoadedGeneration;
    try {
      loaded = await loadGeneration(root, name, options);
    } catch (error) {
      const now = await currentGeneration(root).catch(() => name);
      if (now === name || attempt >= LOAD_ATTEMPTS) throw error;
      name = now;
      continue;
    }
    const { index, lexicalRebuiltBecause } = loaded;
    if (lexicalRebuiltBecause === null || name === null) return index;
    const logger = options.logger ?? silentLogger;
    logger.warn({ reason: lexicalRebuiltBecause }, `The lexical index was rebuilt from the passages: ${lexicalRebuiltBecause}`);
    if ((options.rebuiltLexical ?? 'save') === 'keep') return index;
    const manifest = await saveRebuiltLexical(root, name, index.manifest, index.lexical, logger);
    if (manifest) logger.info({ generation: await currentGeneration(root).catch(() => null) }, 'Saved the rebuilt lexical index as a new index generation');
    return manifest ? { ...index, manifest } : index;
  }
}

interface LoadedGeneration {
  readonly index: SearchIndex;
  /** Why the lexical index was rebuilt from the passages, or null when it was read as saved. */
  readonly lexicalRebuiltBecause: string | null;
}

async function loadGeneration(root: string, name: string | null, options: LoadIndexOptions): Promise<LoadedGeneration> {
  const rebuild = 'Rebuild it with `npm run index -- --rebuild` (or /reindex in Discord).';
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

  const loadTexts = async (): Promise<{ stored: z.infer<typeof passagesFileSchema>; lexical: LexicalIndex; rebuiltBecause: string | null }> => {
    let stored: z.infer<typeof passagesFileSchema>;
    try {
      stored = passagesFileSchema.parse(JSON.parse((await readVerified(PASSAGES_FILE)).toString('utf8')));
    } catch (error) {
      if (error instanceof QuelleError) throw error;
      throw corrupt(PASSAGES_FILE, 'cannot be parsed', error);
    }
    let lexical: LexicalIndex;
    let rebuiltBecause: string | null;
    try {
      const lexicalJson = (await readVerified(LEXICAL_FILE)).toString('utf8');
      // An index saved by another analyzer version or layout is rebuilt from the intact passages.
      ({ index: lexical, rebuiltBecause } = LexicalIndex.restoreWithReason(lexicalJson, stored.passages, options.analyzer));
    } catch (error) {
      if (error instanceof QuelleError) throw error;
      throw corrupt(LEXICAL_FILE, 'cannot be parsed', error);
    }
    if (stored.passages.length !== manifest.counts.passages || lexical.size !== manifest.counts.passages) {
      throw corrupt(PASSAGES_FILE, `holds ${stored.passages.length} passages, the manifest ${manifest.counts.passages}`);
    }
    return { stored, lexical, rebuiltBecause };
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

  const vectorsWanted = options.vectors ?? 'required';
  const vectorsLoad: Promise<{ vectors: VectorIndex | null; vectorsProblem: string | null }> =
    vectorsWanted === 'skip'
      ? Promise.resolve({ vectors: null, vectorsProblem: null })
      : loadVectors().then(
          (vectors) => ({ vectors, vectorsProblem: null }),
          (error: unknown) => {
            if (vectorsWanted === 'required' || !(error instanceof QuelleError)) throw error;
            return { vectors: null, vectorsProblem: error.message };
          },
        );
  // The vector file is read, checked and loaded by hnswlib in the thread pool while the event
  // loop parses the passages and the lexical index: at 100k passages that halves the load time.
  const [{ vectors, vectorsProblem }, { stored, lexical, rebuiltBecause }] = await Promise.all([vectorsLoad, loadTexts()]);
  return { index: { manifest, articles: stored.articles, passages: stored.passages, lexical, vectors, vectorsProblem }, lexicalRebuiltBecause: rebuiltBecause };
}

/**
 * Deletes leftovers of interrupted saves and generations no reader can still need: those newer
 * than `keep` (renamed into place by a save that never switched `CURRENT`: never current) at
 * once, older ones once their grace period is over. With no current generation, all of them.
 */
async function removeStaleGenerations(root: string, keep: string): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(root)) {
    if (entry === keep) continue;
    const full = path.join(root, entry);
    if (entry.startsWith(TEMPORARY_PREFIX) || /^\.CURRENT\.\d+\.tmp$/.test(entry)) {
      await rm(full, { recursive: true, force: true });
    } else if (entry.startsWith(GENERATION_PREFIX)) {
      const retired = keep === '' || entry > keep || now - (await stat(full).catch(() => ({ mtimeMs: 0 }))).mtimeMs > GENERATION_GRACE_MS;
      if (retired) await rm(full, { recursive: true, force: true });
    } else if (await isLeftoverClaim(root, LOCK_FILE, entry)) {
      // A lock claim of a process killed before it could remove it.
      await rm(full, { force: true });
    }
  }
}

/** A held build lock; `release` is idempotent. */
export type IndexLock = BuildLock;

/**
 * Takes the index directory's build lock, so two builds never interleave, and removes what an
 * interrupted build left behind. A stale lock (its holder gone, its PID reused, or its heartbeat
 * too old where the holder cannot be checked: see build-lock.ts) is taken over with a warning;
 * a live one throws INDEX_LOCKED (an `IndexLockedError`) naming its holder.
 */
export async function lockIndex(root: string, options: BuildLockOptions = {}): Promise<IndexLock> {
  await mkdir(root, { recursive: true });
  let lock: BuildLock;
  try {
    lock = await acquireBuildLock(path.join(root, LOCK_FILE), options);
  } catch (error) {
    throw diskFull(root, error) ?? error;
  }
  try {
    // Without knowing which generation is live, nothing is safe to delete.
    const current = await currentGeneration(root).then(
      (name) => ({ known: true, name }),
      () => ({ known: false, name: null }),
    );
    if (current.known) await removeStaleGenerations(root, current.name ?? '');
  } catch (error) {
    await lock.release();
    throw error;
  }
  return lock;
}

/** Size on disk of the current generation, for stats and benchmarks. */
export async function indexDiskBytes(root: string): Promise<number> {
  const name = await currentGeneration(root);
  if (name === null) return 0;
  let total = 0;
  for (const entry of await readdir(path.join(root, name))) total += (await stat(path.join(root, name, entry))).size;
  return total;
}

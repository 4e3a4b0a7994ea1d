import { open } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describeError, ErrorCode, QuelleError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { IndexLockedError } from './build-lock.ts';
import { writeFileDurable } from './durable-files.ts';
import { currentGeneration, installGeneration, lockIndex } from './index-store.ts';
import { MANIFEST_FILE, manifestSchema, type Manifest } from './manifest.ts';

/**
 * How index generations reach processes on hosts that do not share the index folder. Every host
 * keeps its own folder (CURRENT and `gen-*`, see index-store.ts), and its processes swap to a new
 * generation by watching CURRENT as before; a distribution adds what crosses hosts: one build at
 * a time across the deployment, the generation a build publishes, and a signal when one lands.
 * Without one (no DATABASE_URL) the local folder is all there is.
 */

/** A generation as published: its name (`gen-*`) and its manifest, exactly as its file holds it. */
export interface PublishedGeneration {
  readonly name: string;
  readonly manifestText: string;
}

/** One file of a published generation, read in order. */
export type PublishedFileReader = (file: string) => AsyncIterable<Buffer>;

/** The deployment-wide build lock, while held: only its holder publishes. */
export interface DeploymentBuildLock {
  /**
   * Publishes generation `name` of the index folder `root` (its manifest and every file it
   * lists). Other hosts see it only once all of it is stored; an interrupted publish leaves
   * nothing they could fetch. Fails when the lock was lost meanwhile.
   */
  publish(root: string, name: string): Promise<void>;
  /** Idempotent. */
  release(): Promise<void>;
}

/** A running watch for published generations; `close` stops it. */
export interface PublicationWatch {
  close(): Promise<void>;
}

/** The storage boundary of index distribution; PostgreSQL implements it (src/storage/postgres-generations.ts). */
export interface IndexDistribution {
  /** Takes the deployment's build lock, or throws an {@link IndexLockedError} while another process holds it. */
  lockBuild(): Promise<DeploymentBuildLock>;
  /** The most recently published generation, or null when none is. */
  latest(): Promise<PublishedGeneration | null>;
  /**
   * Reads generation `name` from one consistent snapshot: `read` gets a reader of its files and
   * resolves when it is done with them. Resolves null when `name` is not (or no longer) published.
   */
  fetch<T>(name: string, read: (published: PublishedGeneration, file: PublishedFileReader) => Promise<T>): Promise<T | null>;
  /**
   * Calls `onPublished` with the name of each generation published from now on, and with null
   * when publications may have been missed (the connection was lost and is back).
   */
  watch(onPublished: (name: string | null) => void): Promise<PublicationWatch>;
  close(): Promise<void>;
}

/** What {@link syncPublishedGeneration} did. */
export type SyncOutcome =
  | { readonly kind: 'none-published' | 'up-to-date' | 'busy'; readonly name: string | null }
  | { readonly kind: 'installed'; readonly name: string };

/**
 * Makes the newest published generation current in `root`, unless it already is. Takes the
 * folder's build lock for that; when a build holds it ('busy'), that build (which holds the
 * deployment's lock too) brings the newest generation itself.
 */
export async function syncPublishedGeneration(root: string, distribution: IndexDistribution, logger: Logger): Promise<SyncOutcome> {
  const latest = await distribution.latest();
  if (latest === null) return { kind: 'none-published', name: null };
  if ((await currentGeneration(root).catch(() => null)) === latest.name) return { kind: 'up-to-date', name: latest.name };
  let lock;
  try {
    lock = await lockIndex(root, { logger });
  } catch (error) {
    if (error instanceof IndexLockedError) return { kind: 'busy', name: latest.name };
    throw error;
  }
  try {
    return await installLatestLocked(root, distribution);
  } finally {
    await lock.release();
  }
}

/**
 * {@link syncPublishedGeneration} for a caller that holds the folder's build lock: installs the
 * newest published generation unless it is current. With `keepNewerHere` (a build about to
 * start), a current generation made later than the published one is kept: a build of this host
 * whose publish failed, which this build will publish.
 */
export async function installLatestLocked(root: string, distribution: IndexDistribution, options: { keepNewerHere?: boolean } = {}): Promise<SyncOutcome> {
  const latest = await distribution.latest();
  if (latest === null) return { kind: 'none-published', name: null };
  const here = await currentGeneration(root).catch(() => null);
  // Generation names begin with their creation time, so they sort by it.
  if (here === latest.name || (options.keepNewerHere && here !== null && here > latest.name)) return { kind: 'up-to-date', name: here };
  const installed = await distribution.fetch(latest.name, (published, file) => installGeneration(root, published.name, (temporary) => writeVerified(temporary, published, file)));
  // Replaced by a newer one between the two reads: the next notification brings that one.
  if (installed === null) return { kind: 'up-to-date', name: await currentGeneration(root).catch(() => null) };
  return { kind: 'installed', name: latest.name };
}

/**
 * Writes each file the published manifest lists into `dir`, checking its size and CRC-32 as it
 * streams by, then the manifest itself. Anything that does not match fails the install: the
 * generation is never made current, and the one serving stays.
 */
async function writeVerified(dir: string, published: PublishedGeneration, readFile: PublishedFileReader): Promise<Manifest> {
  const damaged = (problem: string, cause?: unknown): QuelleError =>
    new QuelleError(
      ErrorCode.IndexCorrupt,
      `The published index generation ${published.name} ${problem}; it is not served, and the current index keeps serving. Run /reindex (or \`npm run index\`) on any host to publish a new one.`,
      cause === undefined ? undefined : { cause },
    );
  let manifest: Manifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(published.manifestText));
  } catch (error) {
    throw damaged(`has an unreadable manifest (${describeError(error).split('\n')[0]})`, error);
  }
  for (const [file, expected] of Object.entries(manifest.files)) {
    if (file === MANIFEST_FILE || file !== path.basename(file) || file.startsWith('.')) throw damaged(`lists a file named "${file}"`);
    const handle = await open(path.join(dir, file), 'wx');
    let bytes = 0;
    let checksum = 0;
    try {
      for await (const chunk of readFile(file)) {
        bytes += chunk.length;
        if (bytes > expected.bytes) throw damaged(`has more than the ${expected.bytes} bytes of ${file} its manifest lists`);
        checksum = crc32(chunk, checksum);
        await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (bytes !== expected.bytes) throw damaged(`holds ${bytes} bytes of ${file}, its manifest ${expected.bytes}`);
    if (checksum !== expected.crc32) throw damaged(`has a damaged ${file} (checksum mismatch)`);
  }
  await writeFileDurable(path.join(dir, MANIFEST_FILE), published.manifestText);
  return manifest;
}

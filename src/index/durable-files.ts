import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Writes a file and forces it to disk, so a crash after a later rename cannot leave it empty. */
export async function writeFileDurable(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens `file` with `flags`, lets `write` fill it, and syncs it; when anything fails the file is
 * closed and removed, so a failed write leaves no partial temporary file behind.
 */
export async function writeSyncedOrRemove(file: string, flags: string | number, write: (handle: FileHandle) => Promise<void>, mode?: number): Promise<void> {
  const handle = await open(file, flags, mode);
  try {
    await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(file, { force: true });
    throw error;
  }
  await handle.close();
}

/** Forces a file written by someone else (a native addon) to disk. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes renames inside a directory durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/** Replaces a small file atomically: write a temporary sibling, then rename over the target. */
export async function replaceFileAtomically(file: string, data: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFileDurable(temporary, data);
    await rename(temporary, file);
    await syncDirectory(path.dirname(file));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Bytes read at a time when checksumming a file. */
const CHECKSUM_CHUNK = 8 * 1024 * 1024;

/**
 * A worker that reads a file in chunks and returns its size and CRC-32. Plain JavaScript, so it
 * runs the same under tsx and after a build; the file never passes through the main thread.
 */
const CHECKSUM_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { crc32 } = require('node:zlib');
const fd = openSync(workerData.file, 'r');
try {
  const buffer = Buffer.allocUnsafe(workerData.chunk);
  let bytes = 0;
  let checksum = 0;
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, bytes);
    if (read === 0) break;
    checksum = crc32(buffer.subarray(0, read), checksum);
    bytes += read;
  }
  parentPort.postMessage({ bytes, crc32: checksum });
} finally {
  closeSync(fd);
}
`;

/**
 * Size and CRC-32 of a file, computed in a worker thread: a vector file is hundreds of megabytes
 * (gigabytes at a million passages), which would otherwise hold the event loop for the whole
 * read while the index's other files wait to be parsed, and read whole would sit in memory
 * twice over (hnswlib reads it again).
 */
export function fileChecksum(file: string): Promise<{ bytes: number; crc32: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CHECKSUM_WORKER, { eval: true, workerData: { file, chunk: CHECKSUM_CHUNK } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the checksum worker for ${file} exited with code ${code}`)));
  });
}

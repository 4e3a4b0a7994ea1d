/**
 * Damaged index files are detected when loading and reported as a QuelleError that names the
 * file and the fix, never as wrong answers or a native crash.
 */
import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, QuelleError } from '../../src/errors.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { LEXICAL_FILE, MANIFEST_FILE, PASSAGES_FILE, VECTORS_FILE } from '../../src/index/manifest.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import type { Logger } from '../../src/logger.ts';
import { copySeed, fixtureModelSettings, loadFixtureEmbedder, countingEmbedder, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-corrupt-');
const REBUILD = /Rebuild it with `npm run index -- --rebuild`/;

let pristine: string;
let seedsDir: string;

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
  pristine = await tempDir('pristine-');
  await runIndexer({ seedsDir, indexDir: pristine, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: await loadFixtureEmbedder() });
  await loadIndex(pristine); // the untouched copy loads
});

/** A fresh copy of the pristine hybrid index, and the path of its generation directory. */
async function copyOfIndex(): Promise<{ dir: string; gen: string }> {
  const dir = await tempDir('copy-');
  await cp(pristine, dir, { recursive: true });
  const generation = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
  return { dir, gen: path.join(dir, generation) };
}

async function loadError(dir: string): Promise<QuelleError> {
  const error = await loadIndex(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'loadIndex should have thrown').toBeInstanceOf(QuelleError);
  return error as QuelleError;
}

type Damage = (file: string) => Promise<void>;

const damages: Record<string, Damage> = {
  truncated: async (file) => {
    const bytes = await readFile(file);
    await truncate(file, Math.floor(bytes.length / 2));
  },
  emptied: async (file) => {
    await writeFile(file, '');
  },
  'byte-flipped': async (file) => {
    // Same length, one byte changed in the middle: only the checksum can tell.
    const bytes = await readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(file, bytes);
  },
};

describe.each([PASSAGES_FILE, LEXICAL_FILE, VECTORS_FILE])('%s', (file) => {
  it.each(Object.keys(damages))('%s → INDEX_CORRUPT naming the file and the rebuild', async (damage) => {
    const { dir, gen } = await copyOfIndex();
    await damages[damage]!(path.join(gen, file));
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(path.join(gen, file));
    expect(error.message).toMatch(REBUILD);
  });

  it('missing → INDEX_CORRUPT naming the file', async () => {
    const { dir, gen } = await copyOfIndex();
    await rm(path.join(gen, file));
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(path.join(gen, file));
    expect(error.message).toMatch(/missing or unreadable/);
    expect(error.message).toMatch(REBUILD);
  });
});

describe(MANIFEST_FILE, () => {
  async function expectManifestCorrupt(edit: (text: string) => string): Promise<QuelleError> {
    const { dir, gen } = await copyOfIndex();
    const file = path.join(gen, MANIFEST_FILE);
    await writeFile(file, edit(await readFile(file, 'utf8')));
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(REBUILD);
    return error;
  }

  it('truncated → INDEX_CORRUPT', async () => {
    await expectManifestCorrupt((text) => text.slice(0, Math.floor(text.length / 2)));
  });

  it('emptied → INDEX_CORRUPT', async () => {
    await expectManifestCorrupt(() => '');
  });

  it('byte-flipped in its structure (a key) → INDEX_CORRUPT', async () => {
    // '"mode"' → '"mome"': still JSON, but no longer a manifest.
    await expectManifestCorrupt((text) => text.replace('"mode"', '"mome"'));
  });

  it('byte-flipped into invalid JSON → INDEX_CORRUPT', async () => {
    await expectManifestCorrupt((text) => text.replace('{', '['));
  });

  it('missing → INDEX_CORRUPT', async () => {
    const { dir, gen } = await copyOfIndex();
    await rm(path.join(gen, MANIFEST_FILE));
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(path.join(gen, MANIFEST_FILE));
  });

  it('a changed checksum in the manifest is reported against the file it describes', async () => {
    const { dir, gen } = await copyOfIndex();
    const file = path.join(gen, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { files: Record<string, { crc32: number }> };
    // `>>> 0` keeps it an unsigned 32-bit checksum: `^` alone turns one with the top bit set negative.
    manifest.files[LEXICAL_FILE]!.crc32 = (manifest.files[LEXICAL_FILE]!.crc32 ^ 1) >>> 0;
    await writeFile(file, JSON.stringify(manifest));
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(path.join(gen, LEXICAL_FILE));
    expect(error.message).toMatch(/checksum/);
  });

  it('an unknown formatVersion → INDEX_INCOMPATIBLE naming the index and the rebuild', async () => {
    const { dir, gen } = await copyOfIndex();
    const file = path.join(gen, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...manifest, formatVersion: 99 }));
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexIncompatible);
    expect(error.message).toContain(gen);
    expect(error.message).toMatch(/format version 99/);
    expect(error.message).toMatch(REBUILD);
  });
});

describe('CURRENT', () => {
  it('naming a generation that does not exist → INDEX_CORRUPT naming the missing manifest', async () => {
    const { dir } = await copyOfIndex();
    await writeFile(path.join(dir, 'CURRENT'), 'gen-2001-01-01T00-00-00-000Z-000000\n');
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(path.join(dir, 'gen-2001-01-01T00-00-00-000Z-000000', MANIFEST_FILE));
    expect(error.message).toMatch(REBUILD);
  });

  it('holding garbage (a path outside the index) → INDEX_CORRUPT naming CURRENT', async () => {
    const { dir } = await copyOfIndex();
    await writeFile(path.join(dir, 'CURRENT'), '../../etc\n');
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexCorrupt);
    expect(error.message).toContain(path.join(dir, 'CURRENT'));
    expect(error.message).toMatch(REBUILD);
  });

  it('missing (or an empty directory) → INDEX_MISSING telling to run npm run index', async () => {
    const { dir } = await copyOfIndex();
    await rm(path.join(dir, 'CURRENT'));
    const error = await loadError(dir);
    expect(error.code).toBe(ErrorCode.IndexMissing);
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/npm run index/);
    expect((await loadError(await tempDir('empty-'))).code).toBe(ErrorCode.IndexMissing);
  });
});

describe('reindexing over a damaged index', () => {
  it('warns, rebuilds from scratch (re-embedding everything) and leaves a loadable index', async () => {
    const { dir, gen } = await copyOfIndex();
    await damages['byte-flipped']!(path.join(gen, VECTORS_FILE));
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (obj, msg) => void warnings.push(`${JSON.stringify(obj)} ${msg ?? ''}`) };
    const embedder = countingEmbedder(await loadFixtureEmbedder());
    const { summary } = await runIndexer({ seedsDir, indexDir: dir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder, logger });
    expect(summary.embeddedPassages).toBe(4);
    expect(embedder.embeddedTexts).toHaveLength(4);
    expect(warnings.join('\n')).toContain(VECTORS_FILE);
    expect((await loadIndex(dir)).vectors?.size).toBe(4);
  });
});

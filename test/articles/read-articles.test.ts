import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readArticles, type ReadArticlesResult } from '../../src/articles/read-articles.ts';
import { ErrorCode, QuelleError } from '../../src/errors.ts';

const GOOD = '05. September, 2025\n\nPolitik\n\nEin guter Titel\n\nEin Absatz mit Inhalt.\n\nNoch ein Absatz.\n';
const GOOD_MD = '# Markdown-Titel\n\nEin Absatz in Markdown.\n';
const MAX_BYTES = 1000;
/** A well-formed article, only too large for MAX_BYTES. */
const BIG = `Ein Titel\n\n${'Ein langer Satz im Text. '.repeat(100)}\n`;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'quelle-read-articles-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, content: string | Uint8Array): Promise<void> {
  await writeFile(path.join(dir, name), content);
}

function reasonFor(result: ReadArticlesResult, file: string): string | undefined {
  return result.skipped.find((entry) => entry.file === file)?.reason;
}

/** One kind of bad file each: its name, its content (or a folder), and what its reason must say. */
const BAD_FILES: { label: string; name: string; content: string | Uint8Array | 'folder'; reason: RegExp }[] = [
  { label: 'an empty file', name: 'leer.txt', content: '', reason: /^empty file$/ },
  { label: 'a file of only blank lines', name: 'blank.txt', content: '\n\n   \n\t\n', reason: /only blank lines/ },
  { label: 'a binary file', name: 'bild.txt', content: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]), reason: /binary file \(contains NUL bytes\)/ },
  // "Präsident" in Latin-1: 0xE4 is not valid UTF-8 on its own.
  { label: 'invalid UTF-8', name: 'latin1.txt', content: Buffer.from('Titel\n\nPr\xe4sident sagt etwas.\n', 'latin1'), reason: /not valid UTF-8.*save it as UTF-8/ },
  { label: 'a header without body', name: 'kopf.txt', content: '05.09.2025\n\nPolitik\n\nNur ein Titel\n', reason: /no body paragraphs after the title/ },
  { label: 'a too large file', name: 'gross.txt', content: BIG, reason: new RegExp(`^too large \\(${Buffer.byteLength(BIG)} bytes, limit ${MAX_BYTES} bytes\\); split it`) },
  { label: 'a folder named like an article', name: 'x.txt', content: 'folder', reason: /folder, not an article file/ },
  { label: 'invalid YAML front matter', name: 'yaml.md', content: '---\ntitle: [kaputt\n---\nEins.\n', reason: /invalid YAML front matter/ },
];

describe('readArticles', () => {
  it('reads .txt and .md articles in name order, with the file name relative to the folder', async () => {
    await put('b.txt', GOOD);
    await put('a.md', GOOD_MD);
    const result = await readArticles(dir);
    expect(result.skipped).toEqual([]);
    expect(result.articles.map((article) => [article.id, article.file, article.title])).toEqual([
      ['a', 'a.md', 'Markdown-Titel'],
      ['b', 'b.txt', 'Ein guter Titel'],
    ]);
    expect(result.articles[1]!.paragraphs).toEqual(['Ein Absatz mit Inhalt.', 'Noch ein Absatz.']);
  });

  it('accepts upper-case extensions', async () => {
    await put('GROSS.TXT', GOOD);
    const result = await readArticles(dir);
    expect(result.articles.map((article) => article.id)).toEqual(['GROSS']);
  });

  it.each(BAD_FILES)('skips $label with a reason and still reads the good file', async ({ name, content, reason }) => {
    await put('gut.txt', GOOD);
    if (content === 'folder') await mkdir(path.join(dir, name));
    else await put(name, content);
    const result = await readArticles(dir, { maxBytes: MAX_BYTES });
    expect(result.articles.map((article) => article.id)).toEqual(['gut']);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]!.file).toBe(name);
    expect(result.skipped[0]!.reason).toMatch(reason);
  });

  it('never throws for bad files: all of them in one folder are skipped, each with its own reason', async () => {
    await put('gut.txt', GOOD);
    await put('gut2.md', GOOD_MD);
    for (const { name, content } of BAD_FILES) {
      if (content === 'folder') await mkdir(path.join(dir, name));
      else await put(name, content);
    }
    const result = await readArticles(dir, { maxBytes: MAX_BYTES });
    expect(result.articles.map((article) => article.id)).toEqual(['gut', 'gut2']);
    expect(result.skipped.map((entry) => entry.file).sort()).toEqual(BAD_FILES.map((bad) => bad.name).sort());
    for (const { name, reason } of BAD_FILES) expect(reasonFor(result, name)).toMatch(reason);
  });

  it('states sizes of a MiB and more in MiB', async () => {
    await put('riesig.txt', `Ein Titel\n\n${'x'.repeat(2 * 1048576)}\n`);
    const result = await readArticles(dir, { maxBytes: 1048576 });
    expect(reasonFor(result, 'riesig.txt')).toBe('too large (2.0 MiB, limit 1.0 MiB); split it into articles');
  });

  it('reads a file exactly at the size limit', async () => {
    await put('gut.txt', GOOD);
    const result = await readArticles(dir, { maxBytes: Buffer.byteLength(GOOD) });
    expect(result.articles.map((article) => article.id)).toEqual(['gut']);
    expect(result.skipped).toEqual([]);
  });

  it('ignores files with other extensions and dot-files without reporting them', async () => {
    await put('gut.txt', GOOD);
    await put('daten.json', '{"title": "kein Artikel"}');
    await put('scan.pdf', '%PDF-1.7\n\x00\x01binary');
    await put('notizen', GOOD);
    await put('.versteckt.txt', GOOD);
    await put('.DS_Store', Uint8Array.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    const result = await readArticles(dir);
    expect(result.articles.map((article) => article.file)).toEqual(['gut.txt']);
    expect(result.skipped).toEqual([]);
  });

  it('skips the second file with an id already read (a.md before a.txt) and names the first', async () => {
    await put('a.txt', GOOD);
    await put('a.md', GOOD_MD);
    const result = await readArticles(dir);
    expect(result.articles.map((article) => article.file)).toEqual(['a.md']);
    expect(result.skipped).toEqual([{ file: 'a.txt', reason: 'same article id "a" as a.md; rename one of them' }]);
  });

  it('returns no articles and no skipped files for an empty folder', async () => {
    await expect(readArticles(dir)).resolves.toEqual({ articles: [], skipped: [] });
  });

  it('throws SEEDS_MISSING for a missing folder, saying which folder and what to do', async () => {
    const missing = path.join(dir, 'gibt-es-nicht');
    const error: unknown = await readArticles(missing).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(QuelleError);
    const quelleError = error as QuelleError;
    expect(quelleError.code).toBe(ErrorCode.SeedsMissing);
    expect(quelleError.code).toBe('SEEDS_MISSING');
    expect(quelleError.message).toContain(missing);
    expect(quelleError.message).toContain('Create it and put article files (.txt or .md) in it');
    expect(quelleError.message).toContain('--seeds');
  });

  it('throws SEEDS_MISSING when the seeds path is a file, not a folder', async () => {
    await put('gut.txt', GOOD);
    await expect(readArticles(path.join(dir, 'gut.txt'))).rejects.toMatchObject({ code: 'SEEDS_MISSING' });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
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

describe('readArticles: links and special files', () => {
  const OUTSIDE = 'a link to a file outside the seeds folder; copy the file into seeds/ instead';
  /** The seeds folder is `dir/seeds`; `dir` itself is outside it. */
  let seeds: string;
  const TOKEN_LINE = 'DISCORD_TOKEN=MTQwMDAwMDAwMDAwMDAwMDAwMA.Gx_y-Z.abc_def-ghij_klmn-opqrstuvwxyz_0123456789';
  /** A .env that parses as an article: its token line would be the title. */
  const ENV_FILE = `${TOKEN_LINE}\n\nDISCORD_CLIENT_ID=140000000000000000\n\nQUELLE_SEEDS_DIR=seeds\n`;

  beforeEach(async () => {
    seeds = path.join(dir, 'seeds');
    await mkdir(seeds);
    await writeFile(path.join(seeds, 'gut.txt'), GOOD);
    await writeFile(path.join(dir, '.env'), ENV_FILE);
  });

  /** Every word the articles read carry, to check that nothing of a file got in. */
  function allText(result: ReadArticlesResult): string {
    return JSON.stringify(result.articles);
  }

  it.each([
    ['a relative link to ../.env', async (): Promise<string> => '../.env'],
    ['an absolute link to the .env', async (): Promise<string> => path.join(dir, '.env')],
    ['a link through a link to the .env', async (): Promise<string> => {
      await symlink(path.join(dir, '.env'), path.join(dir, 'hop'));
      return '../hop';
    }],
  ])('skips %s with the reason, and reads nothing of it', async (_label, target) => {
    await symlink(await target(), path.join(seeds, 'notes.txt'));
    const result = await readArticles(seeds);
    expect(result.articles.map((article) => article.file)).toEqual(['gut.txt']);
    expect(result.skipped).toEqual([{ file: 'notes.txt', reason: OUTSIDE }]);
    expect(allText(result)).not.toContain('DISCORD');
  });

  it('skips a link through /proc/self/cwd, which resolves to wherever the reader runs', async () => {
    await symlink(`/proc/self/cwd/${path.relative(process.cwd(), path.join(dir, '.env'))}`, path.join(seeds, 'cwd.txt'));
    await symlink('/proc/self/cwd/package.json', path.join(seeds, 'package.md'));
    const result = await readArticles(seeds);
    expect(result.articles.map((article) => article.file)).toEqual(['gut.txt']);
    expect(result.skipped.map((entry) => [entry.file, entry.reason])).toEqual([
      ['cwd.txt', OUTSIDE],
      ['package.md', OUTSIDE],
    ]);
    expect(allText(result)).not.toContain('DISCORD');
  });

  it('reads a seeds folder that is itself a link (to a data folder): its real path is the boundary', async () => {
    const data = path.join(dir, 'data');
    await mkdir(data);
    await writeFile(path.join(data, 'artikel.txt'), GOOD);
    await symlink('../.env', path.join(data, 'notes.txt'));
    await symlink(data, path.join(dir, 'seeds-link'));
    const result = await readArticles(path.join(dir, 'seeds-link'));
    expect(result.articles.map((article) => [article.id, article.file])).toEqual([['artikel', 'artikel.txt']]);
    expect(result.skipped).toEqual([{ file: 'notes.txt', reason: OUTSIDE }]);
  });

  it('skips a link to another article in the folder as a duplicate: that article is read once, under its own name', async () => {
    await symlink('gut.txt', path.join(seeds, 'kopie.txt'));
    await symlink(path.join(seeds, 'gut.txt'), path.join(seeds, 'absolut.md'));
    const result = await readArticles(seeds);
    expect(result.articles.map((article) => article.file)).toEqual(['gut.txt']);
    expect(result.skipped).toEqual([
      { file: 'absolut.md', reason: 'a link to gut.txt, which is read under its own name; remove the link' },
      { file: 'kopie.txt', reason: 'a link to gut.txt, which is read under its own name; remove the link' },
    ]);
  });

  it('skips a link to a file inside the folder that is not read on its own (hidden, another extension, in a subfolder)', async () => {
    await writeFile(path.join(seeds, '.env'), ENV_FILE);
    await mkdir(path.join(seeds, 'archiv'));
    await writeFile(path.join(seeds, 'archiv', 'alt.txt'), GOOD_MD);
    await writeFile(path.join(seeds, 'entwurf.text'), GOOD_MD);
    await symlink('.env', path.join(seeds, 'env.txt'));
    await symlink('archiv/alt.txt', path.join(seeds, 'alt.txt'));
    await symlink('entwurf.text', path.join(seeds, 'entwurf.md'));
    const result = await readArticles(seeds);
    expect(result.articles.map((article) => article.file)).toEqual(['gut.txt']);
    expect(result.skipped).toEqual([
      { file: 'alt.txt', reason: `a link to ${path.join('archiv', 'alt.txt')} in the seeds folder; links are not read, copy or rename the file instead` },
      { file: 'entwurf.md', reason: 'a link to entwurf.text in the seeds folder; links are not read, copy or rename the file instead' },
      { file: 'env.txt', reason: 'a link to .env in the seeds folder; links are not read, copy or rename the file instead' },
    ]);
    expect(allText(result)).not.toContain('DISCORD');
  });

  it('skips a dangling link, a link loop and a link to itself, each with its reason', async () => {
    await symlink('gibt-es-nicht.txt', path.join(seeds, 'weg.txt'));
    await symlink('schleife-b.txt', path.join(seeds, 'schleife-a.txt'));
    await symlink('schleife-a.txt', path.join(seeds, 'schleife-b.txt'));
    await symlink('selbst.txt', path.join(seeds, 'selbst.txt'));
    const result = await readArticles(seeds);
    expect(result.articles.map((article) => article.file)).toEqual(['gut.txt']);
    const loop = 'a link that leads back to itself (a loop of links); remove it';
    expect(result.skipped).toEqual([
      { file: 'schleife-a.txt', reason: loop },
      { file: 'schleife-b.txt', reason: loop },
      { file: 'selbst.txt', reason: loop },
      { file: 'weg.txt', reason: 'a link to a file that does not exist; remove the link, or copy the file into seeds/ instead' },
    ]);
  });

  it('skips a FIFO, and a link to one, without opening it (reading a FIFO would wait for a writer forever)', { timeout: 10_000 }, async () => {
    execFileSync('mkfifo', [path.join(seeds, 'pipe.txt')]);
    execFileSync('mkfifo', [path.join(dir, 'outside-pipe')]);
    await symlink('../outside-pipe', path.join(seeds, 'pipe-link.txt'));
    const result = await readArticles(seeds);
    expect(result.articles.map((article) => article.file)).toEqual(['gut.txt']);
    expect(result.skipped).toEqual([
      { file: 'pipe-link.txt', reason: OUTSIDE },
      { file: 'pipe.txt', reason: 'a named pipe (FIFO), not a file; remove it' },
    ]);
  });

  it('skips a link to a device', async () => {
    await symlink('/dev/zero', path.join(seeds, 'null.txt'));
    const result = await readArticles(seeds);
    expect(result.skipped).toEqual([{ file: 'null.txt', reason: OUTSIDE }]);
  });

  it('reads UTF-16 files (little and big endian, with a BOM) with the right text', async () => {
    const text = '05. September, 2025\n\nPolitik\n\nÄnderung der Straßenverkehrsordnung\n\nDer Präsident äußerte sich „deutlich“.\n';
    await writeFile(path.join(seeds, 'le.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await writeFile(path.join(seeds, 'be.txt'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const result = await readArticles(seeds);
    expect(result.skipped).toEqual([]);
    const byFile = new Map(result.articles.map((article) => [article.file, article]));
    for (const file of ['le.txt', 'be.txt']) {
      expect(byFile.get(file)).toMatchObject({ title: 'Änderung der Straßenverkehrsordnung', date: '2025-09-05', category: 'Politik', paragraphs: ['Der Präsident äußerte sich „deutlich“.'] });
    }
  });
});

/**
 * `npm run articles` (issue #13): the same use cases as /article, from the command line. A file
 * is added under a generated id and indexed; list and show read it back; a refused file names
 * its line and changes nothing; remove takes it out of the index.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copySeed, runCliCommand, SEED_ID, useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-articles-cli-');

const ARTICLE = `---
title: Testartikel über die Seebühne
date: 2025-09-01
category: Kultur
url: https://example.org/seebuehne
---

Die Seebühne in Bregenz zeigt heuer eine neue Oper.

Die Premiere war ausverkauft.
`;

describe('npm run articles', () => {
  it('adds, lists, shows and removes an article, updating the index each time', async () => {
    const seeds = await copySeed(await tempDir('seeds-'));
    const index = await tempDir('index-');
    const file = path.join(await tempDir('in-'), 'seebuehne.md');
    await writeFile(file, ARTICLE);
    const dirs = ['--seeds', seeds, '--index', index];

    const added = await runCliCommand('articles', ['add', file, ...dirs, '--json']);
    expect(added.code, added.stderr).toBe(0);
    const change = JSON.parse(added.stdout) as { id: string; paragraphs: number; index: { ok: boolean; summary: { articles: number; added: string[] }; sample: { title: string; paragraph: number } } };
    expect(change.id).toMatch(/^2025-09-01-testartikel-ueber-die-seebuehne-[0-9a-f]{6}$/);
    expect(change.paragraphs).toBe(2);
    expect(change.index.ok).toBe(true);
    expect(change.index.summary.articles).toBe(2);
    expect(change.index.sample).toMatchObject({ title: 'Testartikel über die Seebühne', paragraph: 1 });
    expect(added.stderr).toContain(`Article added: ${change.id} by `);
    expect((await readdir(seeds)).sort()).toEqual([`${SEED_ID}.txt`, `${change.id}.md`].sort());

    const listed = await runCliCommand('articles', ['list', ...dirs]);
    expect(listed.stdout.split('\n')).toContain(`${change.id}\t2025-09-01\tTestartikel über die Seebühne`);

    const shown = await runCliCommand('articles', ['show', change.id, ...dirs]);
    expect(shown.stdout).toContain('2025-09-01 · Kultur · https://example.org/seebuehne');
    expect(shown.stdout).toContain('¶2 Die Premiere war ausverkauft.');

    const removed = await runCliCommand('articles', ['remove', change.id, ...dirs]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^Removed article .*\n {2}index: 1 articles, 4 passages; embedded 0 in/);
    expect(await readdir(seeds)).toEqual([`${SEED_ID}.txt`]);
  }, 60_000);

  it('refuses a file the parser cannot use, naming the line, and changes nothing', async () => {
    const seeds = await copySeed(await tempDir('seeds-'));
    const index = await tempDir('index-');
    const file = path.join(await tempDir('in-'), 'kaputt.md');
    await writeFile(file, ARTICLE.replace('url: https://example.org/seebuehne', 'url: javascript:alert(1)'));
    const result = await runCliCommand('articles', ['add', file, '--seeds', seeds, '--index', index]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: kaputt.md: the url in the front matter is not an http(s) address (such as https://example.com/article); fix or remove it (line 5).\n',
    );
    expect(await readdir(seeds)).toEqual([`${SEED_ID}.txt`]);
    expect(await readdir(index)).toEqual([]);
  });

  it('says what is wrong with the command', async () => {
    const result = await runCliCommand('articles', ['remove']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^"remove" takes 1 argument\(s\), got 0\.\n\nUsage: npm run articles/);
  });
});

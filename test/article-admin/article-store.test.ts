/**
 * The article store writes the seeds folder the way the indexer reads it safely: new files under
 * generated ids (never over an existing one), replacements by rename, regular files only, no
 * temporary file left behind, and links and special files left alone.
 */
import { execFileSync } from 'node:child_process';
import { lstat, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArticleStore, generateArticleId } from '../../src/article-admin/article-store.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';

const tempDir = useTempDirs('quelle-store-');

describe('generateArticleId', () => {
  it('makes a readable ASCII id from the date and title, with random hex', () => {
    expect(generateArticleId('Größe: Bekräftigt „Widerstand“ — 100 % ../../etc', '2025-09-05')).toMatch(/^2025-09-05-groesse-bekraeftigt-widerstand-100-etc-[0-9a-f]{6}$/);
    expect(generateArticleId('!!!', null, new Date('2026-01-02T03:00:00Z'))).toMatch(/^2026-01-02-[0-9a-f]{6}$/);
  });
});

describe('ArticleStore', () => {
  it('creates regular files under fresh ids, never over an existing file, and leaves no temporary file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'taken.md'), 'old');
    const store = new ArticleStore(dir);
    const ids = ['taken', 'fresh'];
    const created = await store.create('Titel\n\nText.\n', () => ids.shift()!);
    expect(created).toEqual({ id: 'fresh', file: 'fresh.md' });
    expect(await readFile(path.join(dir, 'taken.md'), 'utf8')).toBe('old');
    expect((await lstat(path.join(dir, 'fresh.md'))).isFile()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['fresh.md', 'taken.md']);
    await expect(store.create('x', () => '../escape')).rejects.toThrow(/does not match/);
    expect((await readdir(dir)).sort()).toEqual(['fresh.md', 'taken.md']);
  });

  it('replaces and removes only regular article files it lists, found by listing, never by a path from outside', async () => {
    const dir = await tempDir();
    const outside = path.join(await tempDir(), 'secret.txt');
    await writeFile(outside, 'TOKEN');
    await writeFile(path.join(dir, 'a.txt'), 'A');
    await symlink(outside, path.join(dir, 'link.txt'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.txt')]);
    const store = new ArticleStore(dir);
    expect([...(await store.list()).keys()]).toEqual(['a']);
    expect(await store.replace('link', 'X')).toBeNull();
    expect(await store.remove('pipe')).toBeNull();
    expect(await store.remove('../a')).toBeNull();
    expect(await readFile(outside, 'utf8')).toBe('TOKEN');
    expect(await store.replace('a', 'B')).toEqual({ file: 'a.txt' });
    expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('B');
    expect(await store.remove('a')).toEqual({ file: 'a.txt' });
    expect((await readdir(dir)).sort()).toEqual(['link.txt', 'pipe.txt']);
  });
});

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory, writeSyncedOrRemove } from '../index/durable-files.ts';
import { isArticleFileName } from '../articles/read-articles.ts';

/** The shape of every id Quelle generates, and of every id a command may name (see {@link ArticleStore.find}). */
const GENERATED_ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

/** Transliterations for readable ids ("Bekräftigt Größe" → "bekraeftigt-groesse"). */
const FOLD: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

/**
 * A new article id: the date, a few words of the title in ASCII and random hex
 * (`2025-09-05-putin-bekraeftigt-widerstand-3fa9c2`). Generated, never taken from a user or a
 * file name, so that no id can name a path; the title's words only make it readable.
 */
export function generateArticleId(title: string, date: string | null, now: Date = new Date()): string {
  const day = date ?? now.toISOString().slice(0, 10);
  const words = title
    .toLowerCase()
    .replace(/[äöüß]/g, (char) => FOLD[char]!)
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return [day, words, randomBytes(3).toString('hex')].filter(Boolean).join('-');
}

/**
 * The article files of the seeds folder, written the way a crash cannot half-write: a
 * temporary dot-file (which the indexer and the watcher ignore) is written and synced, then
 * linked (new: never over an existing file) or renamed (replace) into place, and the folder
 * synced. Only regular files are created, replaced or removed; links and special files are left
 * alone, and files are only ever found by listing the folder, never by joining a given name to it.
 */
export class ArticleStore {
  constructor(readonly dir: string) {}

  /** Article file names by id (regular `.txt` and `.md` files directly in the folder, in name order). */
  async list(): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    let names: string[];
    try {
      names = (await readdir(this.dir)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
      throw error;
    }
    for (const name of names.filter(isArticleFileName)) {
      const id = path.basename(name, path.extname(name));
      if (files.has(id)) continue; // the indexer reads the first of two files with one id
      const entry = await lstat(path.join(this.dir, name)).catch(() => null);
      if (entry?.isFile()) files.set(id, name);
    }
    return files;
  }

  /** The file name of article `id`, or null. The id is compared with the folder's entries, never used as a path. */
  async find(id: string): Promise<string | null> {
    return (await this.list()).get(id) ?? null;
  }

  /** Stores a new article under a fresh id made by `makeId`; returns the id and file name. */
  async create(text: string, makeId: () => string): Promise<{ id: string; file: string }> {
    const temporary = await this.writeTemporary(text);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const id = makeId();
        if (!GENERATED_ID.test(id)) throw new Error(`generated article id "${id}" does not match ${GENERATED_ID}`);
        const file = `${id}.md`;
        if ((await this.find(id)) !== null) continue;
        try {
          await link(temporary, path.join(this.dir, file));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
        await syncDirectory(this.dir);
        return { id, file };
      }
      throw new Error(`could not find a free article id in ${this.dir}`);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** Replaces article `id`'s text (the file keeps its name); null when there is no such article. */
  async replace(id: string, text: string): Promise<{ file: string } | null> {
    const file = await this.find(id);
    if (file === null) return null;
    const temporary = await this.writeTemporary(text);
    try {
      await rename(temporary, path.join(this.dir, file));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await syncDirectory(this.dir);
    return { file };
  }

  /** Deletes article `id`'s file; null when there is no such article. */
  async remove(id: string): Promise<{ file: string } | null> {
    const file = await this.find(id);
    if (file === null) return null;
    await unlink(path.join(this.dir, file));
    await syncDirectory(this.dir);
    return { file };
  }

  /** A new temporary file, created exclusively (never through a link), synced. */
  private async writeTemporary(text: string): Promise<string> {
    const temporary = path.join(this.dir, `.quelle-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    await writeSyncedOrRemove(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), (handle) => handle.writeFile(text), 0o644);
    return temporary;
  }
}

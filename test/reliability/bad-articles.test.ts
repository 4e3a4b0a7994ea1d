/**
 * Bad articles (issue #6): a fuzz over more than 1,000 generated files — binary, invalid UTF-8,
 * 50 MB, near-limit pathological Markdown, a single 100k-character line, header only, only blank
 * lines, deeply nested Markdown, special files and random mutations — is indexed (hybrid, with
 * the fixture model) without a crash, every unusable file is reported by name with a reason,
 * the rest is indexed and answers, all within a generous time bound.
 * The larger run through the real CLI is `test/reliability/bad-articles.script.ts`.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndex } from '../../src/index/index-store.ts';
import { runIndexer, type IndexSummary } from '../../src/indexer/run-indexer.ts';
import type { Logger } from '../../src/logger.ts';
import { Retriever } from '../../src/retrieval/retriever.ts';
import { fixtureModelSettings, loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { writeFuzzCorpus, type FuzzFile } from './fuzz-articles.ts';
import { tempDir } from './helpers.ts';
import { rm } from 'node:fs/promises';

const FILES = 1050;
/** Measured at about 10 s on 2 busy cores; the bound is for hangs (a quadratic parse took hours), not speed. */
const TIME_BOUND_S = 120;

let work: string;
let files: FuzzFile[];
let summary: IndexSummary;
let seconds: number;
const warnings: string[] = [];

beforeAll(async () => {
  work = await tempDir('fuzz-');
  files = await writeFuzzCorpus(path.join(work, 'seeds'), { count: FILES });
  const logger: Logger = { debug() {}, info() {}, error: (obj, msg) => void warnings.push(`error ${JSON.stringify(obj)} ${msg ?? ''}`), warn: (obj, msg) => void warnings.push(`${JSON.stringify(obj)} ${msg ?? ''}`) };
  const started = performance.now();
  ({ summary } = await runIndexer({
    seedsDir: path.join(work, 'seeds'),
    indexDir: path.join(work, 'index'),
    mode: 'hybrid',
    modelSettings: fixtureModelSettings,
    embedder: await loadFixtureEmbedder(),
    logger,
  }));
  seconds = (performance.now() - started) / 1000;
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe(`indexing ${FILES} fuzzed article files`, () => {
  it('never crashes and stays within the time bound', () => {
    const byKind = new Map<string, number>();
    for (const file of files) byKind.set(file.kind.replace(/^mutation:.*/, 'mutation'), (byKind.get(file.kind.replace(/^mutation:.*/, 'mutation')) ?? 0) + 1);
    console.log(
      `fuzz: ${files.length} files (${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')}); ` +
        `indexed ${summary.articles} articles / ${summary.passages} passages, skipped ${summary.skipped.length}, in ${seconds.toFixed(1)} s`,
    );
    expect(files.length).toBeGreaterThanOrEqual(1000);
    expect(seconds).toBeLessThan(TIME_BOUND_S);
  });

  it('accounts for every file exactly once: indexed or skipped with a reason', () => {
    const indexed = new Set([...summary.added, ...summary.changed]);
    const skipped = new Map(summary.skipped.map(({ file, reason }) => [file, reason]));
    expect(summary.unchanged).toBe(0);
    expect(indexed.size + skipped.size).toBe(files.length);
    for (const file of files) {
      const id = path.basename(file.name, path.extname(file.name));
      const wasSkipped = skipped.has(file.name);
      if (file.expect === 'skip') expect(wasSkipped, `${file.name} (${file.kind}) should be skipped`).toBe(true);
      if (file.expect === 'index') expect(indexed.has(id) && !wasSkipped, `${file.name} (${file.kind}) should be indexed`).toBe(true);
      if (wasSkipped) expect(skipped.get(file.name)!.length).toBeGreaterThan(3);
      else expect(indexed.has(id), `${file.name} (${file.kind}) is neither indexed nor skipped`).toBe(true);
    }
    // Hidden files and other extensions are not articles at all.
    expect(skipped.has('.hidden.txt') || skipped.has('notes.pdf') || indexed.has('notes')).toBe(false);
  });

  it('reports each skipped file by name in a warning, with the reasons a user can act on', () => {
    const log = warnings.join('\n');
    for (const { file } of summary.skipped) expect(log).toContain(`Skipped ${file}:`);
    const reasons = Object.fromEntries(summary.skipped.map(({ file, reason }) => [file, reason]));
    expect(reasons['huge-50mb.txt']).toMatch(/too large \(50\.\d MiB, limit 5\.0 MiB\)/);
    expect(reasons['empty.txt']).toMatch(/empty/);
    expect(reasons['utf16-odd.txt']).toMatch(/not valid UTF-16 text.*save it as UTF-8/);
    expect(reasons['outside-link.md']).toMatch(/a link to a file outside the seeds folder; copy the file into seeds\/ instead/);
    expect(reasons['a-folder.txt']).toMatch(/folder/);
    expect(reasons['dangling.txt']).toMatch(/a link to a file that does not exist/);
    if (files.some((file) => file.name === 'fifo.txt')) expect(reasons['fifo.txt']).toMatch(/named pipe \(FIFO\)/);
    expect(reasons['yaml-bomb.md']).toMatch(/front matter/);
    expect(reasons['dup.txt']).toMatch(/same article id/);
    const latin1 = files.find((file) => file.kind.startsWith('invalid UTF-8'))!;
    expect(reasons[latin1.name]).toMatch(/not valid UTF-8/);
  });

  it('leaves an index that loads and answers', async () => {
    const index = await loadIndex(path.join(work, 'index'));
    expect(index.manifest.counts.articles).toBe(summary.articles);
    const retriever = new Retriever(index, await loadFixtureEmbedder());
    const response = await retriever.search('Wo traf sich die Koalition der Willigen?', { k: 3 });
    expect(response.hits.length).toBeGreaterThan(0);
  });
});

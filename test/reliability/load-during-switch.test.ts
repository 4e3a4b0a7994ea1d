/**
 * Red-team scenario (issue #10, finding 5): loading the index while another process switches
 * generations. Before, the builder deleted the old generation right after switching `CURRENT`,
 * so a reader that had just read `CURRENT` found its files gone and reported a corrupt index
 * ("…lexical.json is missing or unreadable. Rebuild it…": 33 of 112 loads in a tight loop), and a
 * bot starting as a CLI build finished came up "index unavailable". Now the old generation stays
 * for a grace period and a reader whose load fails while `CURRENT` changed loads the new one.
 *
 * One process (the indexer, through runIndexer, lexical) builds again and again; this one loads
 * in a tight loop meanwhile: every load succeeds.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { fixtureModelSettings, useTempDirs } from '../helpers/index-fixtures.ts';
import { PROJECT_ROOT, TSX, writeCorpus } from './helpers.ts';

const BUILDS = 40;
const tempDir = useTempDirs('quelle-rel-switch-');
let seedsDir: string;
let indexDir: string;

beforeAll(async () => {
  seedsDir = await writeCorpus(path.join(await tempDir('seeds-'), 'seeds'), 150);
  indexDir = await tempDir('index-');
  await runIndexer({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });
}, 60_000);


const current = async (): Promise<string> => (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();

describe('loading while another process switches generations', () => {
  it(`every load in a tight loop succeeds while ${BUILDS} builds switch CURRENT`, { timeout: 120_000 }, async () => {
    const builder = spawn(TSX, [path.join('test', 'reliability', 'build-loop.ts'), seedsDir, indexDir, String(BUILDS)], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let builds = 0;
    let stderr = '';
    builder.stdout!.on('data', (chunk: Buffer) => (builds += (chunk.toString().match(/^built/gm) ?? []).length));
    builder.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let exited = false;
    const exit = new Promise<number | null>((resolve) => builder.once('exit', (code) => resolve(code)));
    void exit.then(() => (exited = true));

    let loads = 0;
    let overlapped = 0;
    const failures: string[] = [];
    const generations = new Set<string>();
    while (!exited) {
      const before = await current();
      try {
        const index = await loadIndex(indexDir);
        loads++;
        generations.add(index.manifest.createdAt);
        expect(index.passages.length).toBe(index.manifest.counts.passages);
      } catch (error) {
        failures.push((error as Error).message);
      }
      if ((await current()) !== before) overlapped++;
    }
    expect(await exit, stderr).toBe(0);
    console.log(`load during switch: ${loads + failures.length} loads, ${builds} switches, ${overlapped} loads overlapped a switch, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(builds).toBe(BUILDS);
    // The race was really run: loads saw many generations, and many overlapped a switch.
    expect(generations.size).toBeGreaterThanOrEqual(BUILDS / 2);
    expect(overlapped).toBeGreaterThanOrEqual(5);
  });
});

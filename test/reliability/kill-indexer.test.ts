/**
 * Crash safety against a real kill -9 (issue #6), fast variant: the indexer CLI rebuilding a
 * generated corpus over an existing index is killed at several points — during embedding,
 * during the lexical build, while the temporary generation is written, at the rename and at a
 * time in the middle of the run. After each, the previous index (or the new one, if CURRENT had
 * been switched) loads and answers, and the next start removes the leftovers; a final run that
 * is not killed leaves only CURRENT and its generation. The ≥ 20-point run over 10kGNAD is
 * `test/reliability/kill-indexer.script.ts`.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { SEED_QUESTION, tempDir, writeCorpus } from './helpers.ts';
import { currentGeneration, killIndexerAt, runIndexerToEnd, strayEntries, verifyAfterKill, type KillOutcome, type KillPoint } from './kill-harness.ts';

let work: string;
let seedsDir: string;
let indexDir: string;
let embedder: Embedder;
let fullRunMs = 0;
const outcomes: KillOutcome[] = [];

beforeAll(async () => {
  work = await tempDir('kill-');
  seedsDir = await writeCorpus(path.join(work, 'seeds'), 400);
  indexDir = path.join(work, 'index');
  embedder = await loadFixtureEmbedder();
  // The previous index, and how long a whole rebuild takes here.
  fullRunMs = (await runIndexerToEnd({ seedsDir, indexDir })).ms;
}, 120_000);

afterAll(async () => {
  if (outcomes.length) {
    console.log(`kill -9 (fast): full run ${(fullRunMs / 1000).toFixed(1)} s; ${outcomes.filter((o) => o.killed).length} kills survived`);
    for (const o of outcomes) console.log(`  ${o.label.padEnd(28)} ${o.killed ? `killed at ${(o.atMs / 1000).toFixed(2)} s` : 'not killed'} in ${o.landed}; loaded ${o.loaded}; leftovers [${o.leftovers.join(', ')}]`);
  }
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kill -9 of the indexer CLI during a rebuild', () => {
  const points = (): KillPoint[] => [
    { label: 'embedding, half done', trigger: { kind: 'progress', phase: 'embed', fraction: 0.5 } },
    { label: 'lexical build', trigger: { kind: 'progress', phase: 'insert', fraction: 1, delayMs: 20 } },
    { label: 'writing passages.json', trigger: { kind: 'tmp-gen', file: 'passages.json' } },
    { label: 'generation renamed', trigger: { kind: 'renamed' } },
    { label: 'CURRENT switched', trigger: { kind: 'switched' } },
    { label: 'at 45% of a full run', trigger: { kind: 'time', ms: Math.round(fullRunMs * 0.45) } },
  ];

  it('every kill leaves a loadable index that answers; the next start cleans up', { timeout: 120_000 }, async () => {
    for (const point of points()) {
      const previous = await currentGeneration(indexDir);
      const { killed, atMs, landed } = await killIndexerAt({ seedsDir, indexDir }, point);
      const verified = await verifyAfterKill(indexDir, previous, embedder, SEED_QUESTION);
      outcomes.push({ label: point.label, killed, atMs, landed, ...verified });
      expect(verified.hits, point.label).toBeGreaterThan(0);
    }
    // Kills land where they were aimed (the save-phase ones may land a step later, never earlier).
    const killed = outcomes.filter((o) => o.killed);
    expect(killed.length).toBeGreaterThanOrEqual(4);
    expect(killed.some((o) => o.landed.startsWith('save:'))).toBe(true);
    expect(killed.some((o) => !o.landed.startsWith('save:'))).toBe(true);
    // A kill after the switch leaves the new generation serving.
    expect(outcomes.find((o) => o.label === 'CURRENT switched')?.loaded).toBe('new');
  });

  it('a run after the kills completes and leaves only CURRENT, its generation and the one it replaced (for its grace period)', { timeout: 60_000 }, async () => {
    const previous = await currentGeneration(indexDir);
    await runIndexerToEnd({ seedsDir, indexDir, rebuild: false });
    expect(await strayEntries(indexDir)).toEqual([previous]);
  });
});

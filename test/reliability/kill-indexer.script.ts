/**
 * Crash safety, full run (issue #6): kill -9 the indexer CLI at ≥ 20 points spread over a
 * rebuild of ../shared/corpora/10kgnad — time-based (fractions of a measured run) and
 * phase-based (parse, loading, chunk, embed, insert, lexical, each file of the save, the rename
 * and the switch of CURRENT). After each kill the index loads and answers and the next start
 * removes the leftovers; a final uninterrupted run leaves only CURRENT and its generation (and,
 * for its grace period, the generation it replaced).
 *
 *   npx tsx test/reliability/kill-indexer.script.ts      (about 4 minutes on 2 cores)
 *
 * Skips with a message when ../shared is absent. Exits 1 if any kill point fails.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CORPUS_10KGNAD, loadTinyEmbedder, tempDir } from './helpers.ts';
import { currentGeneration, killIndexerAt, runIndexerToEnd, strayEntries, verifyAfterKill, type KillOutcome, type KillPoint } from './kill-harness.ts';

const QUESTION = 'Wie hat die Regierung auf die Proteste reagiert?';

if (!existsSync(CORPUS_10KGNAD)) {
  console.log(`kill-indexer: skipped — ${CORPUS_10KGNAD} is absent (the 10kGNAD corpus lives in ../shared).`);
  process.exit(0);
}

const work = await tempDir('kill-10k-');
const indexDir = path.join(work, 'index');
const seedsDir = CORPUS_10KGNAD;
let failures = 0;
try {
  const embedder = await loadTinyEmbedder();
  console.log('kill-indexer: building the previous index of 10kGNAD, then timing a rebuild …');
  await runIndexerToEnd({ seedsDir, indexDir });
  const { ms: fullMs, summary } = await runIndexerToEnd({ seedsDir, indexDir });
  const t = summary.timings;
  console.log(
    `  rebuild: ${(fullMs / 1000).toFixed(1)} s wall (${summary.passages} passages; parse ${t.parse!.toFixed(2)}, chunk ${t.chunk!.toFixed(2)}, ` +
      `embed ${t.embed!.toFixed(2)}, insert ${t.insert!.toFixed(2)}, lexical ${t.lexical!.toFixed(2)}, save ${t.save!.toFixed(2)} s)`,
  );

  const points: KillPoint[] = [
    ...[0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95].map((f) => ({ label: `time ${Math.round(f * 100)}%`, trigger: { kind: 'time', ms: Math.round(f * fullMs) } }) as const),
    { label: 'parse (lock + 100 ms)', trigger: { kind: 'lock', delayMs: 100 } },
    { label: 'load previous + model', trigger: { kind: 'lock', delayMs: Math.round(t.parse! * 1000 + 250) } },
    { label: 'chunk 50%', trigger: { kind: 'progress', phase: 'chunk', fraction: 0.5 } },
    ...[0.1, 0.3, 0.5, 0.7, 0.9].map((f) => ({ label: `embed ${f * 100}%`, trigger: { kind: 'progress', phase: 'embed', fraction: f } }) as const),
    { label: 'insert 50%', trigger: { kind: 'progress', phase: 'insert', fraction: 0.5 } },
    { label: 'lexical (early)', trigger: { kind: 'progress', phase: 'insert', fraction: 1, delayMs: 100 } },
    { label: 'lexical (late)', trigger: { kind: 'progress', phase: 'insert', fraction: 1, delayMs: Math.round(t.lexical! * 1000 * 0.7) } },
    { label: 'save: temporary generation', trigger: { kind: 'tmp-gen' } },
    { label: 'save: passages.json', trigger: { kind: 'tmp-gen', file: 'passages.json' } },
    { label: 'save: lexical.json', trigger: { kind: 'tmp-gen', file: 'lexical.json' } },
    { label: 'save: vectors.hnsw', trigger: { kind: 'tmp-gen', file: 'vectors.hnsw' } },
    { label: 'save: manifest.json', trigger: { kind: 'tmp-gen', file: 'manifest.json' } },
    { label: 'save: renamed', trigger: { kind: 'renamed' } },
    { label: 'save: CURRENT temp file', trigger: { kind: 'current-tmp' } },
    { label: 'save: CURRENT switched', trigger: { kind: 'switched' } },
  ];

  const outcomes: (KillOutcome & { error?: string })[] = [];
  for (const point of points) {
    const previous = await currentGeneration(indexDir);
    const { killed, atMs, landed } = await killIndexerAt({ seedsDir, indexDir }, point);
    try {
      const verified = await verifyAfterKill(indexDir, previous, embedder, QUESTION);
      if (verified.hits === 0) throw new Error('no answer');
      outcomes.push({ label: point.label, killed, atMs, landed, ...verified });
    } catch (error) {
      failures++;
      outcomes.push({ label: point.label, killed, atMs, landed, loaded: 'previous', hits: 0, leftovers: [], error: (error as Error).message });
    }
    const o = outcomes.at(-1)!;
    console.log(
      `  ${o.label.padEnd(28)} ${o.killed ? `killed at ${(o.atMs / 1000).toFixed(2).padStart(5)} s` : 'not killed     '} in ${o.landed}` +
        (o.error ? ` — FAILED: ${o.error}` : `; loaded ${o.loaded}, ${o.hits} hits; leftovers cleaned: [${o.leftovers.join(', ')}]`),
    );
  }
  // The generation the final run replaces stays for its grace period; nothing else may.
  const replaced = await currentGeneration(indexDir);
  await runIndexerToEnd({ seedsDir, indexDir, rebuild: false });
  const stray = (await strayEntries(indexDir)).filter((entry) => entry !== replaced);
  if (stray.length) {
    failures++;
    console.log(`  final run left ${stray.join(', ')}`);
  }
  const killed = outcomes.filter((o) => o.killed);
  const survived = killed.filter((o) => !o.error);
  const phases = new Map<string, number>();
  for (const o of killed) {
    const phase = o.landed.replace(/ \d+\/\d+$/, '').replace(/ \(.*\)$/, '');
    phases.set(phase, (phases.get(phase) ?? 0) + 1);
  }
  console.log(
    `kill-indexer: ${survived.length}/${killed.length} kill points survived (${points.length} aimed, ${points.length - killed.length} finished first); ` +
      `landed in: ${[...phases].map(([phase, n]) => `${phase} ×${n}`).join('; ')}; final run clean: ${stray.length === 0}`,
  );
  if (killed.length < 20) {
    failures++;
    console.log('kill-indexer: fewer than 20 kills landed');
  }
  await embedder.dispose();
} finally {
  await rm(work, { recursive: true, force: true });
}
process.exit(failures > 0 ? 1 : 0);

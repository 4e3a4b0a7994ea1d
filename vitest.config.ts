import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The suite in projects, so that the fast part runs alone (`npm run test:unit`) and `npm test`
 * (what CI runs) still runs everything:
 * - unit: modules, the CLI, the index on disk — seconds to a minute or two;
 * - e2e: the real discord.js client against the local Discord twin (test/discord-twin/);
 * - reliability: crashes, faults, load and security (test/reliability/, whose README maps them);
 * - eval: retrieval quality on the shared eval sets (the test halves; skipped without ../shared);
 * - model: the real e5 model converted by `npm run model:bundled` (minutes; skipped without its cache).
 */
const E2E = ['test/e2e/**/*.test.ts', 'test/discord-twin.test.ts', 'test/cli/bot-commands.test.ts'];
const RELIABILITY = ['test/reliability/**/*.test.ts'];
const EVAL = ['test/retrieval/eval-gates.test.ts', 'test/fixtures/eval/**/*.test.ts'];
const MODEL = ['test/model/bundled-model.test.ts', 'test/model/bundled-relevance.test.ts'];

const shared = {
  // Native addons (onnxruntime, hnswlib) are safest in forked processes.
  pool: 'forks' as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // Vitest's default (one worker fewer than the cores) ran the suite in one worker on CI's two
    // cores: 608 s in one run, over the 10 minutes `npm test` may take. Most files wait on child
    // processes, sockets and timers, so two share two cores well: 438 s on this machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { test: { ...shared, name: 'unit', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: [...E2E, ...RELIABILITY, ...EVAL, ...MODEL, '**/node_modules/**'] } },
      { test: { ...shared, name: 'e2e', include: E2E } },
      { test: { ...shared, name: 'reliability', include: RELIABILITY } },
      { test: { ...shared, name: 'eval', include: EVAL } },
      { test: { ...shared, name: 'model', include: MODEL } },
    ],
  },
});

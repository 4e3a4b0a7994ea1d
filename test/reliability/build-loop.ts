/**
 * Builds the same index again and again in a process of its own, each build switching `CURRENT`
 * to a new generation (for load-during-switch.test.ts). Usage: build-loop.ts SEEDS INDEX COUNT.
 * Prints one line per build.
 */
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';

const [seedsDir, indexDir, count] = process.argv.slice(2);
for (let build = 1; build <= Number(count); build++) {
  await runIndexer({ seedsDir: seedsDir!, indexDir: indexDir!, mode: 'lexical', modelSettings: resolveModelSettings() });
  process.stdout.write(`built ${build}\n`);
}

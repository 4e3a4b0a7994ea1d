/**
 * `npm run reliability`: runs every slow reliability script (test/reliability/*.script.ts) one
 * after another, each printing its figures, and exits 1 if any failed. The fast reliability
 * tests run in `npm test`. Pass script names to run only some: `npm run reliability -- memory`.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT, TSX } from './helpers.ts';

const here = path.join(PROJECT_ROOT, 'test', 'reliability');
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((name) => name.endsWith('.script.ts'))
  .filter((name) => only.length === 0 || only.some((wanted) => name.startsWith(wanted)))
  .sort();

const results: { script: string; code: number | null; seconds: number }[] = [];
for (const script of scripts) {
  console.log(`\n=== ${script}`);
  const started = performance.now();
  const child = spawn(TSX, [path.join(here, script)], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  results.push({ script, code, seconds: (performance.now() - started) / 1000 });
}
console.log('\n=== reliability scripts');
for (const { script, code, seconds } of results) console.log(`  ${code === 0 ? 'passed' : 'FAILED'}  ${script} (${seconds.toFixed(0)} s)`);
const failed = results.filter((result) => result.code !== 0).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

/**
 * Bad articles, full run (issue #6): the real indexer CLI over a larger fuzz corpus (3,000 files
 * by default, including near-5-MiB pathological Markdown, each ~3,000 passages to embed) must
 * exit 0, list every skipped file by name (on stdout, in its summary, and as a warning on
 * stderr), index the rest, and stay within the time bound.
 *
 *   npx tsx test/reliability/bad-articles.script.ts [--files 3000] [--bound 600]
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { writeFuzzCorpus } from './fuzz-articles.ts';
import { FIXTURE_MODEL, PROJECT_ROOT, tempDir, TSX } from './helpers.ts';

const { values } = parseArgs({ options: { files: { type: 'string', default: '3000' }, bound: { type: 'string', default: '600' } } });
const COUNT = Number(values.files);
const BOUND_S = Number(values.bound);

const work = await tempDir('fuzz-cli-');
let ok: boolean;
try {
  const seedsDir = path.join(work, 'seeds');
  const files = await writeFuzzCorpus(seedsDir, { count: COUNT, nearLimit: true, seed: 66 });
  const env: Record<string, string | undefined> = { ...process.env, EMBEDDING_MODEL_DIR: FIXTURE_MODEL, NODE_OPTIONS: undefined };
  const started = performance.now();
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      TSX,
      [path.join('src', 'cli', 'index.ts'), '--seeds', seedsDir, '--index', path.join(work, 'index'), '--mode', 'hybrid'],
      { cwd: PROJECT_ROOT, env, maxBuffer: 256 * 1024 * 1024, timeout: BOUND_S * 1000 * 2 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  const listed = new Set([...result.stdout.matchAll(/^ {2}skipped (.+?): /gm)].map((match) => match[1]!));
  const warned = new Set([...result.stderr.matchAll(/^warning: Skipped (.+?): /gm)].map((match) => match[1]!));
  const summary = /added (\d+), changed \d+, removed \d+, unchanged \d+, skipped (\d+); embedded (\d+) passages/.exec(result.stdout);
  const mustSkip = files.filter((file) => file.expect === 'skip').map((file) => file.name);
  const missing = mustSkip.filter((name) => !listed.has(name) || !warned.has(name));
  const indexed = Number(summary?.[1] ?? -1);
  const skipped = Number(summary?.[2] ?? -1);
  const kinds = new Map<string, number>();
  for (const file of files) kinds.set(file.kind.replace(/^mutation:.*/, 'mutation'), (kinds.get(file.kind.replace(/^mutation:.*/, 'mutation')) ?? 0) + 1);
  console.log(
    `bad-articles (CLI): ${files.length} files fuzzed (${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}; ` +
      `${(files.reduce((sum, file) => sum + file.bytes, 0) / 1048576).toFixed(0)} MiB) → exit ${result.code} in ${seconds.toFixed(1)} s (bound ${BOUND_S} s); ` +
      `indexed ${indexed}, skipped ${skipped} (${listed.size} listed on stdout, ${warned.size} warned on stderr), embedded ${summary?.[3] ?? '?'} passages`,
  );
  if (missing.length) console.log(`  not reported: ${missing.slice(0, 20).join(', ')}`);
  ok = result.code === 0 && missing.length === 0 && indexed + skipped === files.length && listed.size === skipped && warned.size === skipped && seconds < BOUND_S;
  if (result.code !== 0) console.log(result.stderr.slice(-3000));
} finally {
  await rm(work, { recursive: true, force: true });
}
if (!ok) console.log('bad-articles: FAILED');
process.exit(ok ? 0 : 1);

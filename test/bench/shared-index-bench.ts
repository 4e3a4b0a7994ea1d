/**
 * Reindex-to-served time across hosts (issue #15): two "hosts" (index-host.ts child processes
 * with their own folders, sharing one PostgreSQL) — A has the articles, B none. A builds and
 * publishes; B is told by NOTIFY, fetches the generation, checks it, installs it and serves it.
 * Each round changes one article on A and reindexes; the script prints, per round and as
 * medians: A's reindex up to its publish committing, and from that commit to B having fetched,
 * checked and installed the generation, and to B serving it (loaded and swapped in).
 *
 *   npm run bench:hosts -- [--articles N] [--rounds N]
 *
 * `npm run bench:hosts` starts a throwaway PostgreSQL (tools/postgres/); against a server of your
 * own, set QUELLE_TEST_DATABASE_URL and run `npx tsx test/bench/shared-index-bench.ts`. Articles come
 * from ../shared/corpora/10kgnad/articles when present (else generated); the model is the tiny
 * test model unless EMBEDDING_MODEL_DIR names another, so the vector file is small: the printed
 * index size says what was moved.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { IndexHost, servesForeign, type HostEvent } from '../helpers/index-hosts.ts';
import { CORPUS_10KGNAD, writeCorpus } from '../reliability/helpers.ts';
import { percentile, round } from './bench-support.ts';

const { values } = parseArgs({ options: { articles: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '3' } } });
const articles = Number(values.articles);
const rounds = Number(values.rounds);
const baseUrl = process.env.QUELLE_TEST_DATABASE_URL?.trim();
if (!baseUrl) {
  process.stderr.write('Needs a PostgreSQL server: run `npm run bench:hosts` (a throwaway one), or set QUELLE_TEST_DATABASE_URL.\n');
  process.exit(2);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const schema = `bench_${randomBytes(4).toString('hex')}`;
await adminQuery(`CREATE SCHEMA ${schema}`);
const url = new URL(baseUrl);
url.searchParams.set('options', `-c search_path=${schema}`);
const root = await mkdtemp(path.join(os.tmpdir(), 'quelle-bench-hosts-'));
const hosts: IndexHost[] = [];

try {
  const folders = (name: string) => ({
    seedsDir: path.join(root, name, 'seeds'),
    indexDir: path.join(root, name, 'index'),
    dataDir: path.join(root, name, 'data'),
    databaseUrl: url.toString(),
  });
  const a = folders('a');
  const b = folders('b');
  await mkdir(a.seedsDir, { recursive: true });
  await mkdir(b.seedsDir, { recursive: true });
  const corpus = await readdir(CORPUS_10KGNAD).catch(() => null);
  if (corpus) {
    for (const file of corpus.filter((name) => name.endsWith('.txt')).slice(0, articles)) await copyFile(path.join(CORPUS_10KGNAD, file), path.join(a.seedsDir, file));
  } else {
    await writeCorpus(a.seedsDir, articles);
  }
  const seeds = (await readdir(a.seedsDir)).sort();

  const [hostA, hostB] = await Promise.all([IndexHost.start('A', a), IndexHost.start('B', b)]);
  hosts.push(hostA, hostB);
  const at = (event: HostEvent): number => event.receivedAt!;

  const samples: { reindex: number; installed: number; served: number }[] = [];
  process.stdout.write(`${seeds.length} articles${corpus ? ' (10kGNAD)' : ' (generated)'}, ${os.cpus().length} cores, model ${process.env.EMBEDDING_MODEL_DIR ?? 'tiny test model'}\n`);
  process.stdout.write('round  index MiB  A reindex until published s  published → B installed s  published → B serving s\n');
  for (let round_ = 0; round_ <= rounds; round_++) {
    // Round 0 is the first build; the others change one article each.
    if (round_ > 0) await appendFile(path.join(a.seedsDir, seeds[round_ % seeds.length]!), `\nNachtrag ${round_}: Die Redaktion hat diesen Artikel ergänzt.\n`);
    const markA = hostA.events.length;
    const markB = hostB.events.length;
    const sent = performance.now();
    const done = await hostA.request('reindex', (event) => event.event === 'reindexed' || event.event === 'reindex-failed', 1_800_000);
    if (done.event !== 'reindexed') throw new Error(`reindex failed: ${String(done.message)}`);
    const generation = done.generation as string;
    const published = await hostA.waitFor((event) => event.event === 'log' && event.msg === 'Index generation published for the other hosts' && event.generation === generation, markA);
    const installed = await hostB.waitFor((event) => event.event === 'log' && event.msg === 'Installed an index generation published by another host' && event.generation === generation, markB, 600_000);
    const served = await hostB.waitFor(servesForeign(generation), markB, 600_000);
    let bytes = 0;
    for (const file of await readdir(path.join(a.indexDir, generation))) bytes += (await stat(path.join(a.indexDir, generation, file))).size;
    const sample = { reindex: (at(published) - sent) / 1000, installed: (at(installed) - at(published)) / 1000, served: (at(served) - at(published)) / 1000 };
    if (round_ > 0) samples.push(sample);
    process.stdout.write(
      `${round_ === 0 ? 'first' : String(round_).padStart(5)}  ${(bytes / 1024 / 1024).toFixed(1).padStart(9)}  ${sample.reindex.toFixed(2).padStart(26)}  ${sample.installed.toFixed(2).padStart(25)}  ${sample.served.toFixed(2).padStart(23)}\n`,
    );
    if ((await readFile(path.join(b.indexDir, 'CURRENT'), 'utf8')).trim() !== generation) throw new Error('B does not serve the generation it reported');
  }
  const median = (key: keyof (typeof samples)[number]): number => round(percentile(samples.map((sample) => sample[key]), 50), 2);
  process.stdout.write(
    `median of ${samples.length} one-article reindexes: A reindex until published ${median('reindex')} s; published → B installed ${median('installed')} s, → B serving ${median('served')} s\n`,
  );
} finally {
  await Promise.all(hosts.map((host) => host.stop()));
  await adminQuery(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
  await rm(root, { recursive: true, force: true });
}

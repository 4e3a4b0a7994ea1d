/**
 * How long from `/article add` to the first answer that cites the new article, with the index at
 * about 8k passages (the 1,026 10kGNAD articles plus the seed article), for hybrid search with
 * the fixture model and for lexical search. The real bot against the Discord twin; the watcher
 * on, as by default. A script that prints numbers, not a test.
 *
 *   npx tsx test/bench/article-latency.ts [--runs 5]
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ApplicationCommandOptionType, PermissionFlagsBits } from 'discord.js';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { ask, CORPUS_10KGNAD, FIXTURE_MODEL, loadTinyEmbedder, percentile, SEED_DIR, shownText, startHarness, undisposable } from '../reliability/helpers.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

if ((await readdir(CORPUS_10KGNAD).catch(() => null)) === null) {
  console.log(`skipped: ${CORPUS_10KGNAD} is absent`);
  process.exit(0);
}

const article = (i: number) => `---
title: Messartikel ${i} über die Wasserstoffzüge im Zillertal
date: 2025-11-${String(10 + i).padStart(2, '0')}
category: Verkehr
url: https://news.example.at/zillertal-${i}
---

Die Zillertalbahn Nummer ${i} stellt ihre Dieselzüge auf Wasserstoffantrieb um, wie der Betreiber am Montag mitteilte.

Der erste Zug der Serie ${i} soll im Frühjahr zwischen Jenbach und Mayrhofen fahren.
`;

const embedder = undisposable(await loadTinyEmbedder());
const results: string[] = [];
for (const mode of ['hybrid', 'lexical'] as const) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'quelle-latency-'));
  const seedsDir = path.join(work, 'seeds');
  const indexDir = path.join(work, 'embeddings');
  await cp(CORPUS_10KGNAD, seedsDir, { recursive: true });
  await cp(SEED_DIR, seedsDir, { recursive: true });
  const built = await runIndexer({ seedsDir, indexDir, mode, modelSettings: resolveModelSettings({ modelDir: FIXTURE_MODEL }), embedder });
  const h = await startHarness({ seedsDir, indexDir, embedder, env: { QUELLE_MODE: mode, QUELLE_WATCH: 'true' } });
  const moderator = h.twin.addMember({ username: 'mod', permissions: PermissionFlagsBits.ManageGuild });
  const toReply: number[] = [];
  const toCitation: number[] = [];
  try {
    for (let i = 1; i <= runs; i++) {
      const attachment = h.twin.uploadAttachment({ filename: `messung-${i}.md`, content: article(i) });
      const started = performance.now();
      const handle = await h.twin.sendCommand({
        name: 'article',
        user: moderator.id,
        options: [{ name: 'add', type: ApplicationCommandOptionType.Subcommand, options: [{ name: 'file', type: ApplicationCommandOptionType.Attachment, value: attachment }] }],
      });
      const reply = await handle.waitForEdit(() => true, 120_000);
      if (!reply.content.startsWith('Added article')) throw new Error(`not added: ${reply.content}`);
      toReply.push(performance.now() - started);
      for (;;) {
        const answer = await (await ask(h.twin, `Wann fährt der Wasserstoffzug der Serie ${i} im Zillertal?`, { results: 5 })).waitForFinal(30_000);
        if (shownText(answer).includes(`Messartikel ${i} über`)) break;
        if (performance.now() - started > 120_000) throw new Error(`article ${i} not cited within 120 s`);
      }
      toCitation.push(performance.now() - started);
      // Let the watcher's follow-up (which finds nothing changed) finish before the next run.
      while (h.bot.service.reindexRunning) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      while (h.bot.service.reindexRunning) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const last = h.logger.lines.filter((line) => line.includes('Reindex finished')).at(-1);
    if (last) console.log(`${mode}: the last add's build: ${/\{.*\}/.exec(last)?.[0] ?? last}`);
  } finally {
    await h.stop();
    await rm(work, { recursive: true, force: true });
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  results.push(
    `| ${mode}${mode === 'hybrid' ? ', fixture model' : ''} | ${built.summary.passages.toLocaleString('en')} | ${runs} | ${s(percentile(toReply, 50))} / ${s(Math.max(...toReply))} | ${s(percentile(toCitation, 50))} / ${s(Math.max(...toCitation))} |`,
  );
}
console.log('| mode | passages | runs | add → reply s (median / max) | add → first citation s (median / max) |');
console.log('|---|---|---|---|---|');
for (const line of results) console.log(line);

// The index follows the articles while the bot runs (issue #13): a bot started before there is
// an index serves the first one `npm run index` builds; a running bot serves generations other
// processes build; files copied into, changed in or deleted from seeds/ are indexed within
// seconds, in few builds, while questions keep being answered.

import { copyFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixtureEmbedder, runCliCommand } from '../helpers/index-fixtures.ts';
import { undisposable } from '../reliability/helpers.ts';
import { ask, SEED_QUESTION, shownText, startHarness, type Harness } from './bot-harness.ts';

const CORPUS = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpora', '10kgnad', 'articles');

let h: Harness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
});

const builds = (harness: Harness): number => harness.logger.lines.filter((line) => line.includes('Reindex finished; new index serving')).length;

async function answerTo(harness: Harness, question: string): Promise<string> {
  return shownText(await (await ask(harness.twin, question, { results: 5 })).waitForFinal(10_000));
}

/** Asks until the answer satisfies `check`, for at most `ms`. */
async function eventually(harness: Harness, question: string, check: (text: string) => boolean, ms = 10_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = await answerTo(harness, question);
    if (check(text)) return text;
    if (Date.now() - started > ms) throw new Error(`no matching answer within ${ms} ms; last:\n${text.slice(0, 400)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('serving generations other processes build', () => {
  it('a bot started before the first `npm run index` serves that index once it is saved, and later ones too', async () => {
    h = await startHarness({ buildIndex: false, env: { QUELLE_WATCH: 'false' } });
    expect(await answerTo(h, SEED_QUESTION)).toMatch(/index is unavailable/);

    const first = await runCliCommand('index', ['--seeds', h.seedsDir, '--index', h.indexDir]);
    expect(first.code, first.stderr).toBe(0);
    await h.logger.waitFor(/Serving an index built by another process/, 10_000);
    expect(await answerTo(h, SEED_QUESTION)).toContain('Putin bekräftigt Widerstand');

    // Another process adds an article; the running bot serves the new generation.
    await writeFile(path.join(h.seedsDir, 'zugspitze.txt'), 'Wetter\n\nSchneefall auf der Zugspitze\n\nAuf der Zugspitze fielen über Nacht 40 Zentimeter Neuschnee.\n');
    const second = await runCliCommand('index', ['--seeds', h.seedsDir, '--index', h.indexDir]);
    expect(second.code, second.stderr).toBe(0);
    await eventually(h, 'Wie viel Neuschnee fiel auf der Zugspitze?', (text) => text.includes('Schneefall auf der Zugspitze'));
    expect(h.bot.service.current!.index.manifest.counts.articles).toBe(2);
  }, 60_000);
});

describe('watching seeds/', () => {
  it('indexes new, changed and deleted files within seconds, ignoring temporary files', async () => {
    h = await startHarness({ embedder: undisposable(await loadFixtureEmbedder()), env: { QUELLE_WATCH: 'true' }, seedsWatcher: { quietMs: 300 } });
    const started = builds(h);
    await writeFile(path.join(h.seedsDir, '.zugspitze.txt.swp'), 'binary junk');
    await writeFile(path.join(h.seedsDir, 'zugspitze.txt~'), 'Wetter\n\nTemporär\n\nNicht indexieren.\n');
    await writeFile(path.join(h.seedsDir, 'zugspitze.txt'), 'Wetter\n\nSchneefall auf der Zugspitze\n\nAuf der Zugspitze fielen über Nacht 40 Zentimeter Neuschnee.\n');
    await eventually(h, 'Wie viel Neuschnee fiel auf der Zugspitze?', (text) => text.includes('40 Zentimeter'));
    expect(builds(h) - started).toBe(1);

    await writeFile(path.join(h.seedsDir, 'zugspitze.txt'), 'Wetter\n\nSchneefall auf der Zugspitze\n\nAuf der Zugspitze fielen über Nacht 75 Zentimeter Neuschnee.\n');
    await eventually(h, 'Wie viel Neuschnee fiel auf der Zugspitze?', (text) => text.includes('75 Zentimeter'));

    await rm(path.join(h.seedsDir, 'zugspitze.txt'));
    await eventually(h, 'Wie viel Neuschnee fiel auf der Zugspitze?', (text) => !text.includes('Schneefall auf der Zugspitze'));
    expect(h.bot.service.current!.index.articles.map((article) => article.id)).toEqual(['000_844079290e2bd696']);
  }, 60_000);

  it('coalesces a bulk copy into few builds and answers throughout', async () => {
    const corpus = await readdir(CORPUS).catch(() => null);
    if (corpus === null) return void console.warn(`skipped: ${CORPUS} is absent`);
    h = await startHarness({ embedder: undisposable(await loadFixtureEmbedder()), env: { QUELLE_WATCH: 'true' }, seedsWatcher: { quietMs: 500 } });
    const started = builds(h);
    const files = corpus.sort().slice(0, 100);
    const answering = (async () => {
      const answered: boolean[] = [];
      while (builds(h!) - started < 1 || h!.bot.service.reindexRunning) answered.push((await answerTo(h!, SEED_QUESTION)).includes('Putin'));
      return answered;
    })();
    for (const file of files) await copyFile(path.join(CORPUS, file), path.join(h.seedsDir, file));
    await eventually(h, SEED_QUESTION, () => h!.bot.service.current!.index.manifest.counts.articles === 101, 30_000);
    const answered = await answering;
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every(Boolean)).toBe(true);
    expect(builds(h) - started).toBeLessThanOrEqual(2);
  }, 90_000);
});

/**
 * Red-team scenario (issue #10, finding 4): /reindex while the model fails to load. Before, the
 * rebuild silently replaced the hybrid index with a lexical one and deleted its vectors (the
 * summary's footer just said "lexical"). Now a build that would replace a hybrid index without a
 * model is refused, with the model's reason and the fix, in the moderator's language; the
 * hybrid index keeps serving with its vectors. The model is tried again at reindex time: once it
 * loads, /reindex rebuilds the hybrid index and the bot searches by meaning again. Only lexical
 * mode asked for as such (`--mode lexical`) replaces a hybrid index with a lexical one.
 */
import { cp, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/bot/messages.ts';
import { resolveModelSettings } from '../../src/embedding/model-settings.ts';
import { loadIndex } from '../../src/index/index-store.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { copySeed, runCliCommand, useTempDirs } from '../helpers/index-fixtures.ts';
import { ask, FIXTURE_MODEL, SEED_QUESTION, startHarness, type Harness } from './helpers.ts';

const tempDir = useTempDirs('quelle-rel-model-');
let seedsDir: string;
let modelDir: string;

beforeAll(async () => {
  seedsDir = await copySeed(await tempDir('seeds-'));
  modelDir = path.join(await tempDir('model-'), 'model');
  await cp(FIXTURE_MODEL, modelDir, { recursive: true });
});

/** A hybrid index of the seeds, built with the model in `modelDir`. */
async function hybridIndex(): Promise<string> {
  const indexDir = await tempDir('index-');
  await runIndexer({ seedsDir, indexDir, mode: 'hybrid', modelSettings: resolveModelSettings({ modelDir }) });
  return indexDir;
}

/** Takes the model's weights away (a broken download, a hub that times out) until the returned function puts them back. */
async function breakModel(): Promise<() => Promise<void>> {
  await rename(path.join(modelDir, 'onnx'), path.join(modelDir, 'onnx-away'));
  return () => rename(path.join(modelDir, 'onnx-away'), path.join(modelDir, 'onnx'));
}

const current = async (indexDir: string): Promise<string> => (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();

describe('the indexer CLI without a model over a hybrid index', () => {
  it('refuses to replace it, says why and how to fix it; --mode lexical replaces it as asked', { timeout: 60_000 }, async () => {
    const indexDir = await hybridIndex();
    const before = await current(indexDir);
    const repair = await breakModel();
    try {
      const refused = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir], { EMBEDDING_MODEL_DIR: modelDir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`error: The embedding model cannot be loaded, and without it this build would replace the hybrid index in ${indexDir} with a lexical one and delete its vectors`);
      expect(refused.stderr).toContain(`Cannot load the embedding model from ${modelDir}`);
      expect(refused.stderr).toContain('--mode lexical');
      expect(await current(indexDir)).toBe(before);
      const kept = await loadIndex(indexDir);
      expect(kept.manifest.mode).toBe('hybrid');
      expect(kept.vectors?.size).toBe(kept.passages.length);

      const lexical = await runCliCommand('index', ['--seeds', seedsDir, '--index', indexDir, '--mode', 'lexical'], { EMBEDDING_MODEL_DIR: modelDir });
      expect(lexical.code).toBe(0);
      expect((await loadIndex(indexDir)).manifest.mode).toBe('lexical');
    } finally {
      await repair();
    }
  });
});

describe('/reindex while the model fails to load', () => {
  let h: Harness;
  let repair: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    const indexDir = await hybridIndex();
    repair = await breakModel();
    h = await startHarness({ seedsDir, indexDir, env: { EMBEDDING_MODEL_DIR: modelDir } });
  }, 60_000);

  afterAll(async () => {
    await repair?.();
    await h?.stop();
  });

  it('is refused in the moderator\'s language with the reason; the hybrid index keeps its vectors; once the model loads, /reindex rebuilds it hybrid', { timeout: 60_000 }, async () => {
    const before = await current(h.indexDir);
    const answer = await (await ask(h.twin, SEED_QUESTION)).waitForFinal(10_000);
    expect(answer.embeds[0]!.footer!.text).toContain(messagesFor('en').lexicalNotice);

    const reindex = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId, locale: 'de' });
    const refused = await reindex.waitForEdit((message) => message.embeds.length > 0 || /nicht neu aufgebaut|fehlgeschlagen/.test(message.content), 30_000);
    expect(refused.embeds).toEqual([]);
    expect(refused.content).toContain('Der Index wurde nicht neu aufgebaut: das Sprachmodell lässt sich nicht laden');
    expect(refused.content).toContain('Der bisherige Index bleibt mit seinen Vektoren in Betrieb');
    expect(refused.content).toContain('QUELLE_MODE=lexical');
    expect(refused.content).toContain(`Grund: Cannot load the embedding model from ${modelDir}`);
    // Discord users have no command line: the reason names settings, never CLI flags.
    expect(refused.content).not.toMatch(/(^|\s|\()--[a-z]/);
    expect(h.logger.lines.join('\n')).toContain('The embedding model still cannot be loaded');
    expect(await current(h.indexDir)).toBe(before);
    const kept = await loadIndex(h.indexDir);
    expect(kept.manifest.mode).toBe('hybrid');
    expect(kept.vectors?.size).toBe(kept.passages.length);

    // The model is back (the download finished): the next /reindex loads it and rebuilds hybrid.
    await repair!();
    repair = null;
    const again = await h.twin.sendCommand({ name: 'reindex', user: h.twin.ids.ownerId });
    const done = await again.waitForEdit((message) => message.embeds.length > 0 || /not rebuilt|failed/.test(message.content), 30_000);
    expect(done.embeds[0]?.footer?.text).toBe('hybrid · local:model@q8');
    expect(h.logger.lines.join('\n')).toContain('The embedding model loaded at reindex time');
    expect(h.bot.service.current!.denseUnavailableReason()).toBeNull();
    const hybrid = await (await ask(h.twin, SEED_QUESTION)).waitForFinal(10_000);
    expect(hybrid.embeds[0]!.footer!.text).toMatch(/^Search: hybrid · \d+ ms$/);
    expect(h.twin.violations).toEqual([]);
  });
});

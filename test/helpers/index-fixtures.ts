/**
 * Shared fixtures for the index, retrieval and CLI tests: temporary directories (always under
 * os.tmpdir(), removed after the file's tests), article folders, the tiny embedding model and a
 * wrapper that records what an embedder was asked to embed.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { resolveModelSettings, type ModelSettings } from '../../src/embedding/model-settings.ts';
import { loadTransformersEmbedder } from '../../src/embedding/transformers-embedder.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_MODEL_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'tiny-model');
export const SEED_ID = '000_844079290e2bd696';
export const SEED_FILE = path.join(PROJECT_ROOT, 'seeds', `${SEED_ID}.txt`);
export const SEED_TITLE = 'Putin bekräftigt Widerstand gegen Präsenz ausländischer Streitkräfte in der Ukraine';
export const KOALITION_QUESTION = 'Wo traf sich die Koalition der Willigen?';
/** The model id the fixture gets in manifests (`local:<dir name>@<dtype>`). */
export const FIXTURE_MODEL_ID = 'local:tiny-model@q8';

export const fixtureModelSettings: ModelSettings = resolveModelSettings({ modelDir: FIXTURE_MODEL_DIR });

/** Settings of a model directory that does not exist: loading it fails with advice. */
export const missingModelSettings: ModelSettings = resolveModelSettings({ modelDir: path.join(os.tmpdir(), 'quelle-no-such-model') });

let fixtureEmbedder: Promise<Embedder> | null = null;

/** The tiny fixture model, loaded once per test file (each file runs in its own process). */
export function loadFixtureEmbedder(): Promise<Embedder> {
  fixtureEmbedder ??= loadTransformersEmbedder(fixtureModelSettings);
  return fixtureEmbedder;
}

/** An embedder that delegates to `inner` and records every passage text it is asked to embed. */
export interface CountingEmbedder extends Embedder {
  readonly embeddedTexts: string[];
  reset(): void;
}

export function countingEmbedder(inner: Embedder, modelId = inner.modelId): CountingEmbedder {
  const embeddedTexts: string[] = [];
  return {
    modelId,
    dimension: inner.dimension,
    embeddedTexts,
    reset() {
      embeddedTexts.length = 0;
    },
    embedQuery: (text, signal) => inner.embedQuery(text, signal),
    async embedPassages(texts, options) {
      embeddedTexts.push(...texts);
      return inner.embedPassages(texts, options);
    },
    // The shared model is disposed by nobody: the process ends with the test file.
    dispose: async () => {},
  };
}

/**
 * Temporary directories for one test file, removed in afterAll. Call at the top level of a test
 * file (it registers the hook).
 */
export function useTempDirs(prefix = 'quelle-test-'): (name?: string) => Promise<string> {
  const created: string[] = [];
  afterAll(async () => {
    await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (name = '') => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}${name}`));
    created.push(dir);
    return dir;
  };
}

/** A seeds folder holding a copy of the seed article (so that other seeds never change counts). */
export async function copySeed(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await copyFile(SEED_FILE, path.join(dir, `${SEED_ID}.txt`));
  return dir;
}

export interface ArticleSpec {
  readonly title: string;
  readonly paragraphs: readonly string[];
  readonly date?: string;
  readonly category?: string;
}

/** Writes an article in the seed layout: date line, category line, title, body paragraphs. */
export async function writeArticle(dir: string, id: string, spec: ArticleSpec): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${id}.txt`);
  const blocks = [spec.date ?? '05. September, 2025', spec.category ?? 'Politik', spec.title, ...spec.paragraphs];
  await writeFile(file, `${blocks.join('\n\n')}\n`);
  return file;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Runs `tsx src/cli/<name>.ts …args` from the project root, as `npm run --silent <name> -- …`
 * does (the local tsx binary, without npm's own start-up and warnings). The environment points
 * the index and seeds at `env` overrides only; callers always pass `--index` to a temp dir.
 */
export function runCliCommand(name: 'index' | 'ask' | 'eval' | 'insights' | 'feedback' | 'articles', args: readonly string[], env: Record<string, string> = {}, options: RunScriptOptions = {}): Promise<CliResult> {
  return runScript(path.join('src', 'cli', `${name}.ts`), args, env, options);
}

export interface RunScriptOptions {
  /** Run as this user and group (a test running as root checks permission errors as `nobody`). */
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs `tsx <script> …args` from the project root with the fixture model and no colours, like {@link runCliCommand}. */
export function runScript(script: string, args: readonly string[], env: Record<string, string> = {}, options: RunScriptOptions = {}): Promise<CliResult> {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(childEnv)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete childEnv[key];
  Object.assign(childEnv, { EMBEDDING_MODEL_DIR: FIXTURE_MODEL_DIR, FORCE_COLOR: '0', NO_COLOR: '1' }, env);
  return new Promise((resolve) => {
    execFile(
      TSX,
      [script, ...args],
      { cwd: PROJECT_ROOT, env: childEnv, timeout: 60_000, maxBuffer: 16 * 1024 * 1024, ...options },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

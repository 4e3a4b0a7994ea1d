/**
 * Index-generation helpers for tests and scripts alike (no vitest imports, so that the
 * reliability scripts can use them too).
 */
import { readdir, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { GENERATION_GRACE_MS } from '../../src/index/index-store.ts';

/**
 * Moves every generation of `indexDir` but the current one past its grace period (their mtime
 * says when they stopped being current), as if GENERATION_GRACE_MS had gone by; returns them.
 */
export async function ageRetiredGenerations(indexDir: string): Promise<string[]> {
  const current = (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();
  const past = new Date(Date.now() - GENERATION_GRACE_MS - 60_000);
  const aged = (await readdir(indexDir)).filter((entry) => entry.startsWith('gen-') && entry !== current).sort();
  for (const entry of aged) await utimes(path.join(indexDir, entry), past, past);
  return aged;
}

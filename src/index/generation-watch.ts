import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** A running watch; `close` stops it. */
export interface GenerationWatch {
  close(): Promise<void>;
}

/** Changes of `CURRENT` within this time are reported once. */
const SETTLE_MS = 100;

/**
 * Calls `onChange` when the index folder's `CURRENT` file appears or changes, i.e. when any
 * process (the bot itself, `npm run index`, another bot) made a new generation current. The
 * folder is created if it is missing, so that a bot started before the first `npm run index`
 * sees that index arrive.
 */
export async function watchCurrentGeneration(indexDir: string, onChange: () => void, logger: Logger): Promise<GenerationWatch> {
  await mkdir(indexDir, { recursive: true });
  const root = path.resolve(indexDir);
  const current = path.join(root, 'CURRENT');
  let timer: NodeJS.Timeout | null = null;
  const changed = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, SETTLE_MS);
  };
  const watcher: FSWatcher = watch(root, {
    depth: 0,
    ignoreInitial: true,
    // Only CURRENT matters; generations and temporary files come and go in the same folder.
    ignored: (file) => path.resolve(file) !== root && path.resolve(file) !== current,
  });
  watcher.on('add', changed).on('change', changed);
  watcher.on('error', (error) => logger.warn({ error: describeError(error), indexDir }, 'Watching the index folder failed; a new index from another process is seen at the next /reindex'));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}

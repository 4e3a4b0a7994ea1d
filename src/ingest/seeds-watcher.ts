import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface SeedsWatcherOptions {
  /** Quiet time after the last change before a build is asked for (default 1 s). */
  readonly quietMs?: number;
  /** Longest wait from the first change to a build while changes keep coming (default 10 s). */
  readonly maxWaitMs?: number;
}

/** A running watch; `close` stops it (a pending flush is dropped). */
export interface SeedsWatcher {
  close(): Promise<void>;
}

/** Editors' and downloaders' temporary files, never articles. */
const TEMPORARY = /(^\.|~$|\.(tmp|temp|swp|swx|part|crdownload|partial|download)$|^#.*#$)/i;
const ARTICLE = /\.(txt|md)$/i;

/**
 * Watches the seeds folder (chokidar; not its subfolders, which the indexer does not read) and
 * calls `onChanges` with the article files that were added, changed or deleted. chokidar reports
 * every event; this collects the paths and flushes them on a trailing timer, once the folder has
 * been quiet for `quietMs` (or `maxWaitMs` after the first change of a long copy), so that a copy
 * of a thousand files asks for one build, not a thousand. Hidden and temporary files are ignored
 * (the bot's own writes go through such a file and are seen once, as the renamed article).
 */
export async function watchSeeds(
  seedsDir: string,
  onChanges: (files: ReadonlySet<string>) => void,
  logger: Logger,
  options: SeedsWatcherOptions = {},
): Promise<SeedsWatcher> {
  const quietMs = options.quietMs ?? 1000;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const root = path.resolve(seedsDir);
  let pending = new Set<string>();
  let quiet: NodeJS.Timeout | null = null;
  let firstAt = 0;
  let closed = false;

  const flush = (): void => {
    if (quiet) clearTimeout(quiet);
    quiet = null;
    if (closed || pending.size === 0) return;
    const files = pending;
    pending = new Set();
    onChanges(files);
  };
  const changed = (file: string): void => {
    const name = path.basename(file);
    if (path.dirname(path.resolve(file)) !== root || TEMPORARY.test(name) || !ARTICLE.test(name)) return;
    if (pending.size === 0) firstAt = Date.now();
    pending.add(name);
    if (quiet) clearTimeout(quiet);
    quiet = setTimeout(flush, Math.max(0, Math.min(quietMs, firstAt + maxWaitMs - Date.now())));
  };

  const watcher: FSWatcher = watch(root, {
    depth: 0,
    ignoreInitial: true,
    // Links are never read by the indexer; following them would watch what they point to.
    followSymlinks: false,
    ignored: (file, stats) => path.resolve(file) !== root && (TEMPORARY.test(path.basename(file)) || stats?.isDirectory() === true),
  });
  watcher.on('add', changed).on('change', changed).on('unlink', changed);
  watcher.on('error', (error) => {
    const code = (error as NodeJS.ErrnoException).code;
    logger.warn(
      { error: describeError(error), seedsDir },
      code === 'ENOSPC'
        ? 'Watching the seeds folder hit the system limit of watched files; raise fs.inotify.max_user_watches (sysctl) or set QUELLE_WATCH=false and use /reindex'
        : 'Watching the seeds folder failed; new files are indexed at the next /reindex',
    );
  });
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    async close() {
      closed = true;
      if (quiet) clearTimeout(quiet);
      await watcher.close();
    },
  };
}

import { Worker } from 'node:worker_threads';

/** A block of the extracted text: a paragraph, or a sub-heading. */
export interface ExtractedBlock {
  readonly heading: boolean;
  readonly text: string;
}

export type Extraction = { readonly ok: true; readonly title: string | null; readonly blocks: readonly ExtractedBlock[] } | { readonly ok: false; readonly reason: string };

export interface ExtractOptions {
  /** Readability gives up on pages with more elements than this (default 20,000). */
  readonly maxElemsToParse?: number;
  /** The extraction is stopped after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Heap limit of the worker (default 256 MB). */
  readonly maxMemoryMb?: number;
}

const WORKER = new URL('./extract-worker.mjs', import.meta.url);

/**
 * The article text of a web page, by Mozilla's Readability (the Firefox Reader View's) on a
 * linkedom document: navigation, comments, teasers and the like are dropped, and only text is
 * kept (no HTML, so nothing from the page can render). It runs in a worker thread that is
 * stopped after `timeoutMs` and cannot grow past `maxMemoryMb`.
 */
export function extractArticle(html: string, options: ExtractOptions = {}): Promise<Extraction> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, {
      workerData: { html, maxElemsToParse: options.maxElemsToParse ?? 20_000 },
      resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb ?? 256 },
    });
    let settled = false;
    const finish = (result: Extraction): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
      void worker.terminate();
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `extracting the text took longer than ${timeoutMs / 1000} s` }), timeoutMs);
    worker.once('message', (result: Extraction) => finish(result));
    worker.once('error', (error) => finish({ ok: false, reason: `the page could not be read (${error.message})` }));
    worker.once('exit', (code) => finish({ ok: false, reason: `the text extraction stopped (exit code ${code})` }));
  });
}

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLValidator } from 'fast-xml-parser';
import { stringify as toYaml } from 'yaml';
import { storeArticle } from '../../article-admin/add-article.ts';
import type { ArticleStore } from '../../article-admin/article-store.ts';
import type { AuditSink } from '../../article-admin/audit.ts';
import type { IndexUpdater } from '../../article-admin/index-updater.ts';
import { normaliseSourceUrl } from '../../articles/parse-article.ts';
import { describeError } from '../../errors.ts';
import { replaceFileAtomically } from '../../index/durable-files.ts';
import type { Logger } from '../../logger.ts';
import { fetchBounded } from '../bounded-fetch.ts';
import { extractArticle, type ExtractOptions } from './extract-article.ts';
import type { FeedStatus, FeedStatusSource } from './feed-status.ts';
import { HostQueue } from './host-queue.ts';
import { pageRefusal } from './page-policy.ts';

/** An item as the feed parser gives it. */
type FeedItem = ReturnType<typeof parseFeed>['items'][number];

/** Sent with every request, so that sites know who fetches (and whom to ask to stop). */
export const USER_AGENT = 'QuelleBot/0.1 (Discord news bot; reads the feeds its operator configured and their articles)';

/** Where the feeds' state (validators, items seen, failures) is kept, beside the index. */
export function feedStateFile(indexDir: string): string {
  return path.join(indexDir, 'feeds.json');
}

export interface FeedPollerOptions {
  readonly feeds: readonly string[];
  /** Time between polls (QUELLE_FEED_MINUTES). */
  readonly intervalMs: number;
  readonly store: ArticleStore;
  readonly audit: AuditSink;
  /** Brought up to date once after a poll that saved articles. */
  readonly index: IndexUpdater;
  readonly stateFile: string;
  readonly logger: Logger;
  readonly timeoutMs?: number;
  readonly maxFeedBytes?: number;
  readonly maxPageBytes?: number;
  readonly extract?: ExtractOptions;
  /** The clock (tests move it to the next poll). */
  readonly now?: () => Date;
}

/** What one poll did, for logs and tests. */
export interface PollReport {
  readonly saved: readonly { readonly feed: string; readonly id: string; readonly url: string }[];
  readonly skipped: number;
  readonly failures: readonly { readonly url: string; readonly reason: string }[];
}

interface FeedState {
  etag: string | null;
  lastModified: string | null;
  failures: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
}

interface PageFailure {
  failures: number;
  nextAttemptAt: string;
  lastError: string;
}

interface StoredState {
  version: 1;
  feeds: Record<string, FeedState>;
  /** Item URLs done with (saved, or a duplicate of a saved one), with the article id. */
  items: Record<string, string>;
  /** Content hashes of saved articles. */
  hashes: string[];
  pageFailures: Record<string, PageFailure>;
}

/** The longest wait after failures: a feed or page is tried at least once a day. */
const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;

/**
 * Polls RSS and Atom feeds and saves each new item's article as Markdown in the seeds folder
 * (front matter: title, date, category from the feed, url), then updates the index once.
 *
 * - Feeds are fetched with the stored ETag and Last-Modified (304: nothing new) and checked to
 *   be well-formed XML before @rowanmanning/feed-parser reads them.
 * - Each new item's page is fetched (time limit, size cap, one request at a time per host, a
 *   User-Agent naming the bot, never from a private address but on the feed's own host: see
 *   ./page-policy.ts) and its text extracted by Readability (./extract-article.ts).
 * - Items seen before, by URL or by the hash of their text, are skipped.
 * - A feed or a page that fails is reported (log, /stats) and tried again at the next poll,
 *   then less often (the interval doubling per failure, at most a day); nothing stops the bot.
 */
export class FeedPoller implements FeedStatusSource {
  private state: StoredState | null = null;
  private readonly savedCount = new Map<string, number>();
  private readonly hosts = new HostQueue();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<PollReport> | null = null;
  private readonly controller = new AbortController();

  constructor(private readonly options: FeedPollerOptions) {}

  /** Polls now and then every interval, until {@link stop}. */
  start(): void {
    const tick = (): void => {
      void this.pollOnce()
        .catch((error: unknown) => this.options.logger.error({ error: describeError(error) }, 'A feed poll failed'))
        .finally(() => {
          if (!this.controller.signal.aborted) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.controller.abort(new Error('the bot is stopping'));
    if (this.timer) clearTimeout(this.timer);
    await this.polling?.catch(() => {});
  }

  status(): readonly FeedStatus[] {
    return this.options.feeds.map((url) => {
      const feed = this.state?.feeds[url];
      const date = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);
      return {
        url,
        lastPollAt: date(feed?.lastPollAt),
        lastSuccessAt: date(feed?.lastSuccessAt),
        saved: this.savedCount.get(url) ?? 0,
        failures: feed?.failures ?? 0,
        lastError: feed?.lastError ?? null,
        nextPollAt: date(feed?.nextAttemptAt),
      };
    });
  }

  /** Polls every feed that is due; one poll at a time (a second call waits for the first). */
  async pollOnce(): Promise<PollReport> {
    while (this.polling) await this.polling.catch(() => {});
    this.polling = this.poll().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private async poll(): Promise<PollReport> {
    const state = await this.loadState();
    const report: { saved: PollReport['saved'][number][]; skipped: number; failures: PollReport['failures'][number][] } = { saved: [], skipped: 0, failures: [] };
    // Feeds on different hosts are fetched side by side; the host queue keeps one request per host.
    await Promise.all(this.options.feeds.map((url) => this.pollFeed(url, state, report)));
    await this.saveState(state);
    if (report.saved.length > 0) {
      try {
        await this.options.index.update();
      } catch (error) {
        this.options.logger.error({ error: describeError(error) }, 'Saved new feed articles, but the index could not be updated; the next build picks them up');
      }
    }
    this.options.logger.info({ saved: report.saved.length, skipped: report.skipped, failures: report.failures.length }, 'Feeds polled');
    return report;
  }

  private async pollFeed(url: string, state: StoredState, report: { saved: PollReport['saved'][number][]; skipped: number; failures: PollReport['failures'][number][] }): Promise<void> {
    const feed = (state.feeds[url] ??= { etag: null, lastModified: null, failures: 0, nextAttemptAt: null, lastError: null, lastPollAt: null, lastSuccessAt: null });
    const now = this.now();
    if (feed.nextAttemptAt && Date.parse(feed.nextAttemptAt) > now.getTime()) return;
    feed.lastPollAt = now.toISOString();
    let items: FeedItem[];
    try {
      items = await this.fetchFeed(url, feed);
    } catch (error) {
      const reason = describeError(error);
      feed.failures++;
      feed.lastError = reason;
      feed.nextAttemptAt = this.retryAt(feed.failures);
      report.failures.push({ url, reason });
      this.options.logger.warn({ feed: url, failures: feed.failures, nextAttemptAt: feed.nextAttemptAt, reason }, 'A feed failed; it is tried again later');
      return;
    }
    feed.failures = 0;
    feed.lastError = null;
    feed.nextAttemptAt = new Date(now.getTime() + this.options.intervalMs).toISOString();
    feed.lastSuccessAt = now.toISOString();
    const known = new Set((this.options.index.current()?.articles ?? []).map((article) => article.url).filter(Boolean));
    for (const item of items) {
      if (this.controller.signal.aborted) return;
      const itemUrl = item.url ? normaliseSourceUrl(item.url) : null;
      if (!itemUrl || state.items[itemUrl] !== undefined || known.has(itemUrl)) {
        report.skipped++;
        continue;
      }
      const failure = state.pageFailures[itemUrl];
      if (failure && Date.parse(failure.nextAttemptAt) > now.getTime()) continue;
      try {
        const saved = await this.saveItem(url, item, itemUrl, state);
        delete state.pageFailures[itemUrl];
        if (saved) {
          report.saved.push({ feed: url, id: saved, url: itemUrl });
          this.savedCount.set(url, (this.savedCount.get(url) ?? 0) + 1);
        } else {
          report.skipped++;
        }
      } catch (error) {
        const reason = describeError(error);
        const failures = (failure?.failures ?? 0) + 1;
        state.pageFailures[itemUrl] = { failures, nextAttemptAt: this.retryAt(failures), lastError: reason };
        feed.lastError = `${itemUrl}: ${reason}`;
        report.failures.push({ url: itemUrl, reason });
        this.options.logger.warn({ feed: url, page: itemUrl, failures, reason }, 'A feed item could not be saved; it is tried again later');
      }
    }
  }

  /** The feed's items; [] when it has not changed (304). Throws with the reason otherwise. */
  private async fetchFeed(url: string, feed: FeedState): Promise<FeedItem[]> {
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1' };
    if (feed.etag) headers['If-None-Match'] = feed.etag;
    if (feed.lastModified) headers['If-Modified-Since'] = feed.lastModified;
    const response = await this.hosts.run(url, () =>
      fetchBounded(url, { maxBytes: this.options.maxFeedBytes ?? 10 * 1048576, timeoutMs: this.options.timeoutMs ?? 15_000, headers, followRedirects: true, signal: this.controller.signal }),
    );
    if (response.status === 304) return [];
    const xml = Buffer.from(response.body).toString('utf8');
    // The feed parser reads broken XML leniently; a feed that is not well-formed is refused
    // instead, so that a half-written or garbled feed is reported, not half-read.
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw new Error(`the feed is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
    let items: FeedItem[];
    try {
      items = parseFeed(xml).items;
    } catch (error) {
      throw new Error(`the document is not an RSS or Atom feed (${describeError(error)})`, { cause: error });
    }
    feed.etag = response.headers.get('etag');
    feed.lastModified = response.headers.get('last-modified');
    return items;
  }

  /** Fetches, extracts and stores one item; the article id, or null for a duplicate by content. */
  private async saveItem(feedUrl: string, item: FeedItem, itemUrl: string, state: StoredState): Promise<string | null> {
    const feed = new URL(feedUrl);
    const response = await this.hosts.run(itemUrl, () =>
      fetchBounded(itemUrl, {
        allowUrl: (page) => pageRefusal(page, feed),
        maxBytes: this.options.maxPageBytes ?? 5 * 1048576,
        timeoutMs: this.options.timeoutMs ?? 15_000,
        headers: { 'User-Agent': USER_AGENT, Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1' },
        followRedirects: true,
        signal: this.controller.signal,
      }),
    );
    const type = response.headers.get('content-type') ?? '';
    if (type !== '' && !/html/i.test(type)) throw new Error(`the page is ${type.split(';')[0]}, not HTML`);
    const extraction = await extractArticle(Buffer.from(response.body).toString('utf8'), this.options.extract);
    if (!extraction.ok) throw new Error(extraction.reason);
    const title = (item.title ?? extraction.title ?? '').replace(/\s+/g, ' ').trim();
    if (title === '') throw new Error('the item has no title');
    const normalised = (text: string): string => text.toLocaleLowerCase('de').replace(/\s+/g, ' ').trim();
    // The page's own headline repeats the title: it is not a paragraph.
    const blocks = extraction.blocks.filter((block, i) => !(i === 0 && block.heading && normalised(block.text) === normalised(title)));
    if (!blocks.some((block) => !block.heading)) throw new Error('no article text found on the page');
    const hash = createHash('sha256').update(blocks.map((block) => normalised(block.text)).join('\n')).digest('hex').slice(0, 32);
    if (state.hashes.includes(hash)) {
      state.items[itemUrl] = 'duplicate';
      return null;
    }
    const front: Record<string, string> = { title, url: itemUrl };
    const date = item.published ?? item.updated;
    if (date) front.date = date.toISOString().slice(0, 10);
    const category = item.categories[0]?.label ?? item.categories[0]?.term;
    if (category) front.category = category.replace(/\s+/g, ' ').trim();
    // Text only, one block per paragraph; sub-headings as Markdown headings, which are not paragraphs.
    const body = blocks.map((block) => (block.heading ? `## ${block.text}` : escapeLeadingMarkdown(block.text))).join('\n\n');
    const text = `---\n${toYaml(front).trimEnd()}\n---\n\n${body}\n`;
    const stored = await storeArticle(
      { store: this.options.store, audit: this.options.audit, ...(this.options.now ? { now: this.options.now } : {}) },
      { kind: 'file', bytes: Buffer.from(text), name: 'feed.md' },
      { via: 'feed', feedUrl },
    );
    state.items[itemUrl] = stored.id;
    state.hashes.push(hash);
    return stored.id;
  }

  private retryAt(failures: number): string {
    const wait = Math.min(this.options.intervalMs * 2 ** (failures - 1), MAX_BACKOFF_MS);
    // A little early, so that the next poll (on its own timer) finds it due.
    return new Date(this.now().getTime() + wait - Math.min(1000, wait / 10)).toISOString();
  }

  private async loadState(): Promise<StoredState> {
    if (this.state) return this.state;
    const empty: StoredState = { version: 1, feeds: {}, items: {}, hashes: [], pageFailures: {} };
    try {
      const stored = JSON.parse(await readFile(this.options.stateFile, 'utf8')) as Partial<StoredState>;
      this.state = stored.version === 1 ? { ...empty, ...stored } : empty;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.logger.warn({ file: this.options.stateFile, error: describeError(error) }, 'The feeds state cannot be read; starting afresh (saved articles are still known by their URLs)');
      }
      this.state = empty;
    }
    return this.state;
  }

  private async saveState(state: StoredState): Promise<void> {
    try {
      await replaceFileAtomically(this.options.stateFile, `${JSON.stringify(state)}\n`);
    } catch (error) {
      this.options.logger.warn({ file: this.options.stateFile, error: describeError(error) }, 'The feeds state could not be saved; items may be fetched again');
    }
  }
}

/** A paragraph that starts like Markdown (a heading, a quote, a rule) is kept as text. */
function escapeLeadingMarkdown(text: string): string {
  return text.replace(/^([#>]|-{3,}|\*{3,}|_{3,})/, '\\$1');
}


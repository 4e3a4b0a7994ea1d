/**
 * News feeds (issue #13) against a local news site: 20 items are saved as articles with title,
 * date, category and URL, each body exactly the article text of its page (no navigation, ads,
 * comments, cookie banner or related-articles box), and indexed in one update. A feed answering
 * 500, a 50 MB page and malformed XML are each reported and skipped, and the next poll retries
 * them. Links to private addresses are not fetched. Requests carry the bot's User-Agent, go one at a time to the host, and ask conditionally.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArticleStore } from '../../src/article-admin/article-store.ts';
import type { ArticleAuditEvent } from '../../src/article-admin/audit.ts';
import { parseArticle } from '../../src/articles/parse-article.ts';
import { FeedPoller, USER_AGENT } from '../../src/ingest/feeds/feed-poller.ts';
import { LocalIndexUpdater } from '../../src/indexer/local-index-updater.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';
import { copySeed, fixtureModelSettings, useTempDirs } from '../helpers/index-fixtures.ts';
import { articlePage, generateArticles, rssFeed, startNewsSite, type NewsSite } from './news-site.ts';

const tempDir = useTempDirs('quelle-feeds-');
const INTERVAL = 30 * 60_000;
const articles = generateArticles(20);

let site: NewsSite;
let seedsDir: string;
let poller: FeedPoller;
let clock = new Date('2025-10-01T08:00:00Z');
const audits: ArticleAuditEvent[] = [];
const updater = { updates: 0 };
let index: LocalIndexUpdater;
let firstPoll: Awaited<ReturnType<FeedPoller['pollOnce']>>;

/** Requests to a path so far. */
const hits = (pathname: string): number => site.requests.filter((request) => request.path === pathname).length;

beforeAll(async () => {
  site = await startNewsSite();
  const base = site.base;
  site.routes.set('/feed.xml', (request) =>
    request.headers['if-none-match'] === '"v0"' ? { status: 304 } : { headers: { 'Content-Type': 'application/rss+xml', ETag: '"v0"' }, body: rssFeed(base, articles) },
  );
  articles.forEach((article, i) => site.routes.set(`/artikel/${article.slug}.html`, { headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: articlePage(article, articles.slice(i + 1, i + 4)) }));
  // Fails with 500 at first.
  site.routes.set('/ausfall.xml', { status: 500, body: 'Internal Server Error' });
  // Not well-formed: an item is never closed.
  site.routes.set('/kaputt.xml', { headers: { 'Content-Type': 'application/rss+xml' }, body: rssFeed(base, articles.slice(0, 1)).replace('</item>', '') });
  // A feed whose one item is a 50 MB page.
  site.routes.set('/riesig.xml', { headers: { 'Content-Type': 'application/rss+xml' }, body: rssFeed(base, [], [{ title: 'Riesige Seite', link: `${base}/riesig.html` }]) });
  site.routes.set('/riesig.html', { streamBytes: 50 * 1024 * 1024 });
  // A feed whose items lead to private addresses: by a local name, and by a redirect.
  const localName = base.replace('127.0.0.1', 'localhost');
  site.routes.set('/fremd.xml', {
    headers: { 'Content-Type': 'application/rss+xml' },
    body: rssFeed(base, [], [{ title: 'Intern', link: `${localName}/artikel/meldung-1.html` }, { title: 'Umgeleitet', link: `${base}/umleitung.html` }]),
  });
  site.routes.set('/umleitung.html', { status: 302, headers: { Location: 'http://10.255.255.1/intern' } });

  seedsDir = await copySeed(await tempDir('seeds-'));
  const indexDir = await tempDir('index-');
  index = new LocalIndexUpdater({ seedsDir, indexDir, mode: 'lexical', modelSettings: fixtureModelSettings });
  const counting = { update: async () => (updater.updates++, index.update()), current: () => index.current() };
  poller = new FeedPoller({
    feeds: [`${base}/feed.xml`, `${base}/ausfall.xml`, `${base}/kaputt.xml`, `${base}/riesig.xml`, `${base}/fremd.xml`],
    intervalMs: INTERVAL,
    store: new ArticleStore(seedsDir),
    audit: { record: async (event) => void audits.push(event) },
    index: counting,
    stateFile: path.join(indexDir, 'feeds.json'),
    logger: recordingLogger(),
    now: () => clock,
  });
  firstPoll = await poller.pollOnce();
}, 120_000);

afterAll(async () => {
  await poller?.stop();
  await site?.close();
});

describe('the first poll', () => {
  it('saves all 20 items as articles with title, date, category and URL, each body equal to its page article text', async () => {
    expect(firstPoll.saved).toHaveLength(20);
    for (const [i, article] of articles.entries()) {
      const url = `${site.base}/artikel/${article.slug}.html`;
      const saved = firstPoll.saved.find((entry) => entry.url === url);
      expect(saved, url).toBeDefined();
      const file = `${saved!.id}.md`;
      const parsed = parseArticle(file, await readFile(path.join(seedsDir, file), 'utf8'));
      expect(parsed.title).toBe(article.title);
      expect(parsed.date).toBe(article.published.toISOString().slice(0, 10));
      expect(parsed.category).toBe(article.category);
      expect(parsed.url).toBe(url);
      expect(parsed.paragraphs, `article ${i + 1}`).toEqual(article.paragraphs);
    }
  });

  it('indexes them in one update, and records each with the feed as the one who added it', () => {
    expect(updater.updates).toBe(1);
    const indexed = index.current()!.articles;
    expect(indexed).toHaveLength(21);
    const first = indexed.find((article) => article.title === articles[0]!.title)!;
    expect(first).toMatchObject({ date: '2025-09-01', url: `${site.base}/artikel/meldung-1.html` });
    expect(audits).toHaveLength(20);
    expect(audits.every((event) => event.action === 'add' && event.actor.via === 'feed' && event.actor.feedUrl === `${site.base}/feed.xml`)).toBe(true);
  });

  it('reports the 500, the malformed XML and the 50 MB page, and skips them', () => {
    const reasons = Object.fromEntries(firstPoll.failures.map((failure) => [failure.url, failure.reason]));
    expect(reasons[`${site.base}/ausfall.xml`]).toBe(`${site.base}/ausfall.xml answered HTTP 500`);
    expect(reasons[`${site.base}/kaputt.xml`]).toMatch(/^the feed is not well-formed XML \(line \d+: /);
    expect(reasons[`${site.base}/riesig.html`]).toBe(`${site.base}/riesig.html is larger than 5.0 MiB`);
    expect(firstPoll.failures).toHaveLength(5);
    const status = Object.fromEntries(poller.status().map((feed) => [feed.url, feed]));
    expect(status[`${site.base}/ausfall.xml`]).toMatchObject({ failures: 1, lastError: `${site.base}/ausfall.xml answered HTTP 500` });
    expect(status[`${site.base}/riesig.xml`]!.lastError).toMatch(/riesig\.html: .*larger than 5\.0 MiB/);
    expect(status[`${site.base}/feed.xml`]).toMatchObject({ failures: 0, lastError: null, saved: 20 });
  });

  it('names the bot in every request and sends one request at a time to the host', () => {
    expect(site.requests.every((request) => request.headers['user-agent'] === USER_AGENT)).toBe(true);
    expect(site.maxInFlight()).toBe(1);
  });
});

describe('pages at private addresses', () => {
  it("are never fetched, unless on the feed's own host: by a local name, or by a redirect", () => {
    const local = site.base.replace('127.0.0.1', 'localhost');
    const reasons = Object.fromEntries(firstPoll.failures.map((failure) => [failure.url, failure.reason]));
    expect(reasons[`${local}/artikel/meldung-1.html`]).toBe(
      `${local}/artikel/meldung-1.html is not fetched: localhost is a private or local address; a feed's links may only lead there on the feed's own host`,
    );
    expect(reasons[`${site.base}/umleitung.html`]).toMatch(/^http:\/\/10\.255\.255\.1\/intern is not fetched: 10\.255\.255\.1 is a private or local address/);
    expect(site.requests.some((request) => request.headers.host?.startsWith('localhost'))).toBe(false);
  });
});

describe('the next poll', () => {
  it('asks conditionally (304: nothing new), retries what failed, and skips items seen before by URL or by content', async () => {
    const before = { ausfall: hits('/ausfall.xml'), kaputt: hits('/kaputt.xml'), riesig: hits('/riesig.html') };
    // The failing feed recovers with one item seen before (same URL) and one whose text is a copy.
    const copy = { ...articles[1]!, slug: 'kopie', title: 'Dieselbe Meldung woanders' };
    site.routes.set(`/artikel/kopie.html`, { headers: { 'Content-Type': 'text/html' }, body: articlePage(copy, []) });
    site.routes.set('/ausfall.xml', { headers: { 'Content-Type': 'application/rss+xml' }, body: rssFeed(site.base, [articles[0]!, copy]) });
    clock = new Date(clock.getTime() + INTERVAL);

    const second = await poller.pollOnce();
    const conditional = site.requests.filter((request) => request.path === '/feed.xml');
    expect(conditional.at(-1)!.headers['if-none-match']).toBe('"v0"');
    expect(hits('/ausfall.xml')).toBe(before.ausfall + 1);
    expect(hits('/kaputt.xml')).toBe(before.kaputt + 1);
    expect(hits('/riesig.html')).toBe(before.riesig + 1);
    expect(second.saved).toEqual([]);
    expect(second.skipped).toBe(2);
    expect(second.failures.map((failure) => failure.url).sort()).toEqual(
      [`${site.base}/kaputt.xml`, `${site.base}/riesig.html`, `${site.base}/umleitung.html`, `${site.base.replace('127.0.0.1', 'localhost')}/artikel/meldung-1.html`].sort(),
    );
    expect(poller.status().find((feed) => feed.url.endsWith('/ausfall.xml'))).toMatchObject({ failures: 0, lastError: null });
    expect(updater.updates).toBe(1);
  }, 60_000);
});

/**
 * A local news site for the feed tests: an RSS feed and article pages generated from a seed, laid
 * out like real news pages (cookie banner, navigation, ad slots, a kicker and byline, related
 * articles, comments, a footer), served on 127.0.0.1. Each page's article text is known, so a
 * test can compare what was extracted with it. The server records every request (path, headers,
 * how many were in flight per host) and can be told to fail.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { uniform } from '../helpers/prng.ts';

const NOUNS = ['Gemeinderat', 'Bürgermeisterin', 'Landesregierung', 'Feuerwehr', 'Universität', 'Stadtwerke', 'Verkehrsverbund', 'Handelskammer', 'Polizei', 'Bezirksgericht', 'Musikverein', 'Sportklub'];
const VERBS = ['kündigte an', 'bestätigte', 'kritisierte', 'begrüßte', 'verschob', 'beschloss', 'prüfte', 'veröffentlichte'];
const OBJECTS = ['den Ausbau der Radwege', 'ein neues Budget', 'die Sanierung der Brücke', 'höhere Gebühren', 'eine Studie zur Luftqualität', 'den Bau einer Schule', 'neue Öffnungszeiten', 'ein Förderprogramm'];
const PLACES = ['in Graz', 'in Linz', 'am Bodensee', 'im Mühlviertel', 'in der Steiermark', 'in Innsbruck', 'im Burgenland', 'in Salzburg'];
const TAILS = ['am Dienstag', 'nach langer Debatte', 'mit knapper Mehrheit', 'für das kommende Jahr', 'überraschend', 'nach Angaben der Behörde'];
const CATEGORIES = ['Politik', 'Wirtschaft', 'Lokal', 'Kultur', 'Wissenschaft'];

/** One generated article: what the page shows as its text, and what the feed says of it. */
export interface SiteArticle {
  readonly slug: string;
  readonly title: string;
  readonly category: string;
  readonly published: Date;
  readonly paragraphs: readonly string[];
}

export function generateArticles(count: number, seed = 13): SiteArticle[] {
  const random = uniform(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sentence = (n: number): string => `Die ${pick(NOUNS)} ${pick(PLACES)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(TAILS)}, wie es am Ort ${n} hieß.`;
  return Array.from({ length: count }, (_, i) => {
    const paragraphs = Array.from({ length: 3 + Math.floor(random() * 4) }, (_p, p) =>
      Array.from({ length: 2 + Math.floor(random() * 3) }, (_s, s) => sentence(i * 100 + p * 10 + s)).join(' '),
    );
    return {
      slug: `meldung-${i + 1}`,
      title: `${pick(NOUNS)} ${pick(PLACES)}: Meldung Nummer ${i + 1}`,
      category: pick(CATEGORIES),
      published: new Date(Date.UTC(2025, 8, 1 + i, 8, 30)),
      paragraphs,
    };
  });
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A page as news sites build them: the article among everything else a page carries. */
export function articlePage(article: SiteArticle, related: readonly SiteArticle[]): string {
  const body = article.paragraphs
    .map((paragraph, i) => `<p>${escapeHtml(paragraph)}</p>${i === 1 ? '\n<div class="ad-slot ad-inline" data-ad-unit="mrec"><span class="ad-label">Anzeige</span><iframe src="https://ads.example/frame" title="Werbung"></iframe></div>' : ''}`)
    .join('\n');
  return `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>${escapeHtml(article.title)} | Tagesblatt</title>
<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/style.css"></head>
<body>
<div id="cookie-banner" class="cookie-consent" role="dialog"><p>Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren, Werbung anzuzeigen und die Zugriffe zu analysieren. Mit „Alle akzeptieren“ stimmen Sie der Verarbeitung durch uns und unsere 143 Partner zu.</p><button>Alle akzeptieren</button> <button>Einstellungen</button></div>
<header class="site-header"><a class="logo" href="/">Tagesblatt</a>
<nav class="main-nav"><ul>${CATEGORIES.map((category) => `<li><a href="/${category.toLowerCase()}">${category}</a></li>`).join('')}<li><a href="/abo">Abo</a></li></ul></nav>
<form class="search" action="/suche"><input name="q" placeholder="Suchen"></form></header>
<div class="ad-slot ad-leaderboard"><span class="ad-label">Anzeige</span><a href="https://ads.example/click"><img src="/banner.png" alt="Jetzt Angebot sichern"></a></div>
<main id="content">
<article class="article">
<header class="article-header"><p class="kicker">${escapeHtml(article.category)}</p><h1>${escapeHtml(article.title)}</h1>
<p class="byline">Von Maria Beispiel · <time datetime="${article.published.toISOString()}">${article.published.toISOString().slice(0, 10)}</time></p></header>
<div class="article-body">
${body}
</div>
<div class="share"><a href="https://social.example/share">Teilen</a> <a href="mailto:?subject=Artikel">E-Mail</a> <a href="#" class="print">Drucken</a></div>
</article>
<aside class="related-articles"><h2>Das könnte Sie auch interessieren</h2><ul>
${related.map((other) => `<li class="teaser"><a href="/artikel/${other.slug}.html"><h3>${escapeHtml(other.title)}</h3><p>${escapeHtml(other.paragraphs[0]!.slice(0, 90))} …</p></a></li>`).join('\n')}
</ul></aside>
<section id="comments" class="comments"><h2>Kommentare (3)</h2>
<div class="comment"><p class="comment-author">leser42 · vor 2 Stunden</p><p>Das hätte man schon vor Jahren machen sollen, aber wie immer wird erst gehandelt, wenn es zu spät ist. Typisch für unsere Gemeinde.</p></div>
<div class="comment"><p class="comment-author">Anna_K · vor 1 Stunde</p><p>Ich finde die Entscheidung richtig und hoffe, dass die Umsetzung diesmal schneller geht als beim letzten Projekt, das ewig gedauert hat.</p></div>
<div class="comment"><p class="comment-author">skeptiker · vor 30 Minuten</p><p>Wer soll das bezahlen? Am Ende zahlen wieder die Steuerzahler die Rechnung für diese Prestigeprojekte der Politik.</p></div>
<form class="comment-form"><textarea placeholder="Ihr Kommentar"></textarea><button>Senden</button></form>
</section>
</main>
<footer class="site-footer"><ul><li><a href="/impressum">Impressum</a></li><li><a href="/datenschutz">Datenschutz</a></li><li><a href="/agb">AGB</a></li></ul><p>© 2025 Tagesblatt Medien GmbH</p></footer>
</body></html>`;
}

/** An RSS 2.0 feed of the articles, linking to their pages on `base`. */
export function rssFeed(base: string, articles: readonly SiteArticle[], extraItems: readonly { title: string; link: string }[] = []): string {
  const items = [
    ...articles.map(
      (article) => `<item><title>${escapeHtml(article.title)}</title><link>${base}/artikel/${article.slug}.html</link><guid isPermaLink="true">${base}/artikel/${article.slug}.html</guid>
<pubDate>${article.published.toUTCString()}</pubDate><category>${escapeHtml(article.category)}</category><description>${escapeHtml(article.paragraphs[0]!.slice(0, 120))}</description></item>`,
    ),
    ...extraItems.map((item) => `<item><title>${escapeHtml(item.title)}</title><link>${item.link}</link><pubDate>${new Date(Date.UTC(2025, 9, 1)).toUTCString()}</pubDate></item>`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tagesblatt</title><link>${base}/</link><description>Nachrichten</description><language>de</language>
${items.join('\n')}
</channel></rss>`;
}

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

/** A route's answer: status, headers and body; a function may decide per request. */
export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Streams this many bytes of filler without a Content-Length (a page too large to keep). */
  streamBytes?: number;
}

export interface NewsSite {
  readonly base: string;
  readonly requests: RecordedRequest[];
  /**
   * The most requests that were ever waiting for their answer at once (to the one host): from a
   * request's arrival until its answer's headers are sent. A client that sends one request at a
   * time never has two waiting, however long it takes to read or drop a body.
   */
  readonly maxInFlight: () => number;
  routes: Map<string, Route | ((request: IncomingMessage) => Route)>;
  close(): Promise<void>;
}

export async function startNewsSite(): Promise<NewsSite> {
  const routes = new Map<string, Route | ((request: IncomingMessage) => Route)>();
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((request, response) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let answered = false;
    const settle = (): void => {
      if (!answered) inFlight--;
      answered = true;
    };
    const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => typeof response;
    response.writeHead = ((...args: unknown[]) => {
      settle();
      return writeHead(...args);
    }) as typeof response.writeHead;
    response.on('close', settle);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname, headers: request.headers });
    const entry = routes.get(url.pathname);
    const route = typeof entry === 'function' ? entry(request) : entry;
    // A little latency, so that overlapping requests would be seen.
    setTimeout(() => {
      if (!route) return void response.writeHead(404).end('not found');
      if (route.streamBytes) {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        const chunk = Buffer.alloc(1024 * 1024, 'a');
        let sent = 0;
        const pump = (): void => {
          while (sent < route.streamBytes! && !response.destroyed) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          response.end();
        };
        pump();
        return;
      }
      response.writeHead(route.status ?? 200, route.headers ?? {}).end(route.body ?? '');
    }, 5);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    routes,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

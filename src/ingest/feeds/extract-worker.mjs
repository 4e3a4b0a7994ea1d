// Extracts an article's text from a web page, in a worker thread so that the caller can stop it
// (Readability is synchronous and can spin on pathological pages) and bound its memory.
// Plain JavaScript: it runs the same under tsx, vitest and node.
import { parentPort, workerData } from 'node:worker_threads';
import { isProbablyReaderable, Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';

const BLOCKS = 'h1,h2,h3,h4,h5,h6,p,li,blockquote,pre';

// Readability keeps a short block beside the article's paragraphs when it looks like text: an
// ad slot's "Anzeige" label became a paragraph. Ad containers are named as such by news sites
// (class or id tokens, data-ad attributes), so they go before Readability reads the page, with
// what never holds article text (forms, frames, scripts).
const AD_TOKEN = /^(ad|ads|advert|advertisement|advertising|anzeige|werbung|sponsor|sponsored|promo)([-_].*)?$/i;
const NEVER_TEXT = 'script,style,noscript,iframe,form,button,template,svg';

function removeAds(document) {
  for (const element of [...document.querySelectorAll(NEVER_TEXT)]) element.remove();
  for (const element of [...document.querySelectorAll('[class],[id]')]) {
    const tokens = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`.split(/\s+/).filter(Boolean);
    const dataAd = element.getAttributeNames().some((name) => /^data-(ad|ads|advert)([-_]|$)/i.test(name));
    if (dataAd || tokens.some((token) => AD_TOKEN.test(token))) element.remove();
  }
}

function extract({ html, maxElemsToParse }) {
  const { document } = parseHTML(html);
  removeAds(document);
  if (!isProbablyReaderable(document)) return { ok: false, reason: 'the page does not look like an article (too little text in paragraphs)' };
  // Readability changes the document it reads; this one is ours alone.
  const article = new Readability(document, { maxElemsToParse }).parse();
  if (!article || !article.content) return { ok: false, reason: 'no article text found on the page' };
  // Only text is kept: the extracted HTML is parsed again and read block by block.
  const { document: content } = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`);
  const blocks = [];
  for (const element of content.querySelectorAll(BLOCKS)) {
    if (element.parentElement && element.parentElement.closest(BLOCKS)) continue; // inside a block already taken
    const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (text !== '') blocks.push({ heading: /^H[1-6]$/.test(element.tagName), text });
  }
  return { ok: true, title: article.title ?? null, blocks };
}

try {
  parentPort.postMessage(extract(workerData));
} catch (error) {
  parentPort.postMessage({ ok: false, reason: `the page could not be read (${error instanceof Error ? error.message : String(error)})` });
}

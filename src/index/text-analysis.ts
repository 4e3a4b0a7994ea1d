import snowball from 'snowball-stemmers';
import { deu, eng } from 'stopword';

/**
 * Turns text into the terms the lexical index matches on. German inflection ("Sicherheits-
 * garantien" vs "Sicherheitsgarantie") defeats exact word matching, so words are stemmed with
 * Snowball's German stemmer, which also folds umlauts (ä→a) and ß (→ss).
 * Bump ANALYZER_VERSION whenever the terms change: a stored lexical index made with other
 * terms is rebuilt rather than searched with mismatched ones.
 */
export const ANALYZER_VERSION = 1;

const STOPWORDS = new Set([...deu, ...eng].map((word) => word.toLowerCase()));
const germanStemmer = snowball.newStemmer('german');
const TOKEN = /[\p{L}\p{N}]+/gu;

/** Stems are cached: news text repeats its vocabulary, and stemming dominates indexing time. */
const stemCache = new Map<string, string | null>();
const STEM_CACHE_LIMIT = 200_000;

/** Splits text into raw word tokens (letters and digits), keeping their original case. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** The index term for one token, or null for stop words and noise. */
export function processTerm(token: string): string | null {
  const cached = stemCache.get(token);
  if (cached !== undefined) return cached;
  const term = computeTerm(token);
  if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
  stemCache.set(token, term);
  return term;
}

function computeTerm(token: string): string | null {
  const lower = token.toLowerCase();
  if (STOPWORDS.has(lower)) return null;
  if (lower.length > 40) return null;
  const folded = lower.replace(/ß/g, 'ss');
  return foldDiacritics(germanStemmer.stem(folded));
}

/** ä→a, é→e …: what the stemmer leaves of accents, so "Muller" finds "Müller". */
function foldDiacritics(term: string): string {
  return term.normalize('NFD').replace(/\p{M}/gu, '');
}

/** All index terms of a text, in order (stop words removed). */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const token of tokenize(text)) {
    const term = processTerm(token);
    if (term !== null) terms.push(term);
  }
  return terms;
}

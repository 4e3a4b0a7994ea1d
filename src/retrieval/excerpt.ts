import { splitSentences } from '../articles/split-sentences.ts';
import type { Analyzer } from '../index/analyzer.ts';

/**
 * An excerpt of a passage around the sentence that best matches the question. The parts are
 * kept apart so that each front end marks the match its own way (bold in Discord, ANSI in a
 * terminal, `**` in JSON).
 */
export interface Excerpt {
  readonly before: string;
  readonly match: string;
  readonly after: string;
}

export const DEFAULT_EXCERPT_CHARS = 700;
const ELLIPSIS = '…';

/** The sentence sharing the most (and the most specific) terms with the question; the first on ties. */
export function bestSentenceIndex(sentences: readonly string[], question: string, analyzer: Analyzer): number {
  const wanted = new Set(analyzer.analyze(question));
  let best = 0;
  let bestScore = 0;
  sentences.forEach((sentence, index) => {
    const seen = new Set<string>();
    let score = 0;
    for (const term of analyzer.analyze(sentence)) {
      if (!wanted.has(term) || seen.has(term)) continue;
      seen.add(term);
      // Longer terms are rarer and say more about the topic than short ones.
      score += Math.min(term.length, 12);
    }
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  });
  return best;
}

/**
 * Cuts `text` to at most `maxChars` characters around its best-matching sentence, adding whole
 * neighbouring sentences while they fit and marking cuts with an ellipsis.
 */
export function makeExcerpt(text: string, question: string, analyzer: Analyzer, maxChars = DEFAULT_EXCERPT_CHARS): Excerpt {
  const sentences = splitSentences(text);
  if (sentences.length === 0) return { before: '', match: truncate(text, maxChars), after: '' };
  const index = bestSentenceIndex(sentences, question, analyzer);
  // A match cut to fit must still leave room for the ellipses that mark the sentences left out.
  const cuts = (index > 0 ? 2 : 0) + (index < sentences.length - 1 ? 2 : 0);
  const match = truncate(sentences[index]!, Math.max(1, maxChars - cuts));
  // Room left for neighbours; the ellipsis reserved for a side is freed once that side is complete.
  let budget = maxChars - match.length - cuts;
  let first = index;
  let last = index;
  // Grow alternately after and before the match, so the context stays balanced.
  for (let grew = true; grew; ) {
    grew = false;
    const next = sentences[last + 1];
    const nextFrees = last + 2 === sentences.length ? 2 : 0;
    if (next !== undefined && next.length + 1 <= budget + nextFrees) {
      last++;
      budget -= next.length + 1 - nextFrees;
      grew = true;
    }
    const previous = sentences[first - 1];
    const previousFrees = first === 1 ? 2 : 0;
    if (previous !== undefined && previous.length + 1 <= budget + previousFrees) {
      first--;
      budget -= previous.length + 1 - previousFrees;
      grew = true;
    }
  }
  const before = sentences.slice(first, index).join(' ');
  const after = sentences.slice(index + 1, last + 1).join(' ');
  return {
    before: (first > 0 ? `${ELLIPSIS} ` : '') + (before ? `${before} ` : ''),
    match,
    after: (after ? ` ${after}` : '') + (last < sentences.length - 1 ? ` ${ELLIPSIS}` : ''),
  };
}

/** The excerpt as one string, with the matching sentence wrapped in `mark` (e.g. `**`). */
export function formatExcerpt(excerpt: Excerpt, open = '**', close = open): string {
  return `${excerpt.before}${open}${excerpt.match}${close}${excerpt.after}`;
}

function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > maxChars / 2 ? cut.slice(0, space) : cut}${ELLIPSIS}`;
}

import { createHash } from 'node:crypto';
import type { Article, Passage } from './article.ts';
import { splitSentences } from './split-sentences.ts';

/**
 * Passages are what gets embedded; the model reads at most 512 tokens, so a paragraph longer
 * than about 400 is split at sentence boundaries into parts that keep its paragraph number.
 */
export const DEFAULT_MAX_PASSAGE_TOKENS = 400;

/**
 * A cheap, tokenizer-free estimate of subword tokens: multilingual sentencepiece models produce
 * roughly one token per four characters of German, and at least one per word.
 */
export function estimateTokens(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.max(words, Math.ceil(text.length / 4));
}

/** One passage per body paragraph, numbered from 1; long paragraphs split into parts. */
export function chunkArticle(article: Article, maxTokens = DEFAULT_MAX_PASSAGE_TOKENS): Passage[] {
  const passages: Passage[] = [];
  article.paragraphs.forEach((paragraph, index) => {
    const parts = splitLongText(paragraph, maxTokens);
    parts.forEach((text, partIndex) => {
      const number = index + 1;
      passages.push({
        id: parts.length === 1 ? `${article.id}#${number}` : `${article.id}#${number}.${partIndex + 1}`,
        articleId: article.id,
        title: article.title,
        date: article.date,
        category: article.category,
        url: article.url,
        paragraph: number,
        part: partIndex + 1,
        parts: parts.length,
        text,
        hash: createHash('sha256').update(`${article.title}\n${text}`).digest('hex').slice(0, 32),
      });
    });
  });
  return passages;
}

/** Splits text at sentence boundaries (or, for run-on text, at word boundaries) to fit `maxTokens`. */
export function splitLongText(text: string, maxTokens: number): string[] {
  if (estimateTokens(text) <= maxTokens) return [text];
  const parts: string[] = [];
  let current = '';
  for (const sentence of splitSentences(text).flatMap((s) => splitRunOn(s, maxTokens))) {
    const candidate = current === '' ? sentence : `${current} ${sentence}`;
    if (current !== '' && estimateTokens(candidate) > maxTokens) {
      parts.push(current);
      current = sentence;
    } else {
      current = candidate;
    }
  }
  if (current !== '') parts.push(current);
  return parts;
}

/**
 * A "sentence" longer than the limit (a list, a table, a 100k-character line) cut into pieces.
 * Works through the text by offset: re-slicing and re-counting the whole remainder for every
 * piece was quadratic, and a near-limit 5 MiB run-on paragraph took minutes.
 */
function splitRunOn(sentence: string, maxTokens: number): string[] {
  if (estimateTokens(sentence) <= maxTokens) return [sentence];
  const maxChars = maxTokens * 4;
  const pieces: string[] = [];
  let at = 0;
  // More than maxChars characters are always more than maxTokens tokens (see estimateTokens).
  const restTooLong = (): boolean => sentence.length - at > maxChars || estimateTokens(sentence.slice(at)) > maxTokens;
  while (restTooLong()) {
    let piece = sentence.slice(at, at + maxChars);
    const words = piece.split(/\s+/);
    if (words.length > 1) {
      // Cut at the last space so that no word is split, unless the text has no spaces at all.
      const cut = piece.lastIndexOf(' ');
      if (cut > maxChars / 2) piece = piece.slice(0, cut);
    }
    if (estimateTokens(piece) > maxTokens) {
      // Too many short words: end after the maxTokens-th word, keeping the original spacing so
      // that the next piece starts at exactly the end of this one (rejoining changed its length).
      let end = 0;
      let count = 0;
      for (const word of piece.matchAll(/\S+/g)) {
        if (++count > maxTokens) break;
        end = word.index + word[0].length;
      }
      piece = piece.slice(0, end);
    }
    pieces.push(piece.trim());
    at += piece.length;
    while (at < sentence.length && /\s/.test(sentence[at]!)) at++;
  }
  const rest = sentence.slice(at).trim();
  if (rest !== '') pieces.push(rest);
  return pieces;
}

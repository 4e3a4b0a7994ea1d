import type { Passage } from '../../articles/article.ts';
import { splitSentences } from '../../articles/split-sentences.ts';
import type { Analyzer } from '../../index/analyzer.ts';
import { mulberry32 } from './seeded-random.ts';

/**
 * Questions a corpus answers, made from its own passages without labels: the positives of the
 * dense calibration (dense-calibration.ts). Each is a few content words of one sentence, in lower
 * case, in a shuffled order, the rest dropped — "wahlkampf hundstorfer slogan" rather than the
 * sentence: close to how members type in chat, and not trivially easy (a whole sentence would
 * find its own passage by its wording alone, and say nothing about questions in other words).
 */
export interface PseudoQuestion {
  readonly text: string;
  /** The passage it was drawn from. */
  readonly label: number;
}

/** How many content words a pseudo-question takes: 3, 4 or 5. */
const MIN_WORDS = 3;
const MAX_WORDS = 5;
/** Shorter words are mostly abbreviations and numbers' neighbours, which a question rarely names. */
const MIN_WORD_LENGTH = 3;

/**
 * Up to `count` pseudo-questions, drawn from the passages in the order of their content hashes
 * (so the sample does not depend on file names, and a passage keeps its questions while others
 * change): one sentence of each passage in that order, and more sentences of each in further
 * rounds when the corpus has fewer passages than `count` (one article gives many questions).
 */
export function pseudoQuestions(passages: readonly Passage[], analyzer: Analyzer, count: number): PseudoQuestion[] {
  const order = passages.map((passage, label) => ({ passage, label })).sort((a, b) => (a.passage.hash < b.passage.hash ? -1 : a.passage.hash > b.passage.hash ? 1 : a.label - b.label));
  const sentencesOf = new Map<number, string[][]>();
  const questions: PseudoQuestion[] = [];
  const maxRounds = Math.max(1, Math.ceil(count / Math.max(1, passages.length)) * 4);
  for (let round = 0; round < maxRounds && questions.length < count; round++) {
    let added = 0;
    for (const { passage, label } of order) {
      if (questions.length >= count) break;
      let sentences = sentencesOf.get(label);
      if (!sentences) sentencesOf.set(label, (sentences = contentWordsBySentence(passage.text, analyzer)));
      if (sentences.length === 0) continue;
      const random = mulberry32(Number.parseInt(passage.hash.slice(0, 8), 16) ^ Math.imul(round + 1, 0x9e3779b1));
      const words = sentences[(random() + round) % sentences.length]!;
      const take = MIN_WORDS + (random() % (MAX_WORDS - MIN_WORDS + 1));
      questions.push({ text: shuffled(words, random).slice(0, take).join(' '), label });
      added++;
    }
    if (added === 0) break;
  }
  return questions;
}

/** The distinct content words (not stop words, not numbers) of each sentence that has more than MIN_WORDS of them, in lower case. */
function contentWordsBySentence(text: string, analyzer: Analyzer): string[][] {
  return splitSentences(text)
    .map((sentence) => [...new Set(analyzer.tokenize(sentence).filter((token) => token.length >= MIN_WORD_LENGTH && !/^\p{N}+$/u.test(token) && analyzer.term(token) !== null).map((token) => token.toLowerCase()))])
    .filter((words) => words.length > MIN_WORDS);
}

/** A Fisher–Yates shuffle of a copy. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random() % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

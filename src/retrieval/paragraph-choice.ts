import { splitSentences } from '../articles/split-sentences.ts';
import type { Analyzer } from '../index/analyzer.ts';

/**
 * Which paragraph of an article answers. A question names the article's subject (to find the
 * article) and the detail it asks about (to find the paragraph); the answer is usually one
 * sentence that says both. A news article's lead paragraph repeats the subject's words across
 * its sentences and so matches most questions about the article, while the paragraph that
 * answers holds the question's terms together, in one sentence. Among one article's paragraphs,
 * each therefore gains by the share of the question's information its best sentence holds.
 */

/** A question term as the paragraph choice weighs it. */
export interface WeighedTerm {
  readonly term: string;
  /** Its weight in the question times its IDF: how much it tells. */
  readonly information: number;
}

/** A passage's sentence that holds the most of the question's information, and that share. */
export interface BestSentence {
  /**
   * Where the answer is looked for: the sentence and the one after it, which often answers with
   * a pronoun ("Er war damals 19."); the whole text when no sentence holds any of the question's terms.
   */
  readonly span: string;
  /** The share (0–1) of the question's information the sentence holds. */
  readonly share: number;
}

/**
 * How much a paragraph gains, against the other paragraphs of its article, per share of the
 * question's information in its best sentence: its score times 1 + SENTENCE_GAIN × share.
 * Tuned on the dev halves among 0.25, 0.5, 1, 1.5 and 2 (README, "Tuning record").
 */
export const SENTENCE_GAIN = 0.5;

/** The sentence of `text` that holds the most of the question's information (the first on ties): its share, and the span to look for the answer in. */
export function bestSentence(text: string, terms: readonly WeighedTerm[], analyzer: Analyzer): BestSentence {
  const information = new Map(terms.map(({ term, information }) => [term, information]));
  const total = terms.reduce((sum, term) => sum + term.information, 0);
  let best: BestSentence = { span: text, share: 0 };
  if (total <= 0) return best;
  const sentences = splitSentences(text);
  sentences.forEach((sentence, i) => {
    let held = 0;
    for (const term of new Set(analyzer.analyze(sentence))) held += information.get(term) ?? 0;
    if (held / total > best.share) best = { span: sentences[i + 1] === undefined ? sentence : `${sentence} ${sentences[i + 1]}`, share: held / total };
  });
  return best;
}

/**
 * Reranks each article's candidates among the places that article's candidates held, by score
 * times 1 + SENTENCE_GAIN × their best sentence's share: articles keep their places, since this
 * chooses the paragraph, not the article. An article with one candidate is left as it is.
 */
export function withParagraphChoice<T extends { readonly label: number; readonly score: number }>(
  candidates: readonly T[],
  articleOf: (label: number) => string,
  sentenceShare: (label: number) => number,
): T[] {
  const byArticle = new Map<string, { places: number[]; members: T[] }>();
  candidates.forEach((candidate, place) => {
    const article = articleOf(candidate.label);
    let group = byArticle.get(article);
    if (!group) byArticle.set(article, (group = { places: [], members: [] }));
    group.places.push(place);
    group.members.push(candidate);
  });
  const ranked = [...candidates];
  for (const { places, members } of byArticle.values()) {
    if (members.length < 2) continue;
    const rescored = members
      .map((member, position) => ({ member, gained: member.score * (1 + SENTENCE_GAIN * sentenceShare(member.label)), position }))
      .sort((a, b) => b.gained - a.gained || a.position - b.position);
    places.forEach((place, i) => (ranked[place] = rescored[i]!.member));
  }
  return ranked;
}

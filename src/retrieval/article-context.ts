/**
 * A second look at the lexical candidates: a passage whose article also has other paragraphs
 * among the best candidates is more likely about what the question asks than a passage that
 * matches the same words alone in an unrelated article: questions often leave the subject that
 * the article's other paragraphs share implicit, and a large corpus holds many passages that
 * share a question's common words by chance.
 */
export interface ScoredCandidate {
  readonly label: number;
  readonly score: number;
}

/** Where a passage comes from: its article, and its paragraph (the parts of a split paragraph share one). */
export interface PassageOrigin {
  readonly articleId: string;
  readonly paragraph: number;
}

/** How many of the best candidates count as evidence for their article. */
export const CONTEXT_DEPTH = 50;

/** The share of the best other paragraph's score that a passage gains; tuned on the XQuAD-de dev questions. */
export const CONTEXT_WEIGHT = 0.2;

/**
 * Adds to each candidate's score CONTEXT_WEIGHT times the best score of another paragraph of its
 * article among the first CONTEXT_DEPTH candidates, and ranks again, best first. The evidence
 * comes from a fixed number of candidates, so the ranking does not depend on how many are asked for.
 */
export function withArticleContext<T extends ScoredCandidate>(candidates: readonly T[], originOf: (label: number) => PassageOrigin): T[] {
  const evidence = new Map<string, { paragraph: number; score: number }[]>();
  for (const { label, score } of candidates.slice(0, CONTEXT_DEPTH)) {
    const { articleId, paragraph } = originOf(label);
    let paragraphs = evidence.get(articleId);
    if (!paragraphs) evidence.set(articleId, (paragraphs = []));
    paragraphs.push({ paragraph, score });
  }
  return candidates
    .map((candidate, position) => {
      const { articleId, paragraph } = originOf(candidate.label);
      let neighbour = 0;
      for (const other of evidence.get(articleId) ?? []) {
        if (other.paragraph !== paragraph && other.score > neighbour) neighbour = other.score;
      }
      return { candidate: { ...candidate, score: candidate.score + CONTEXT_WEIGHT * neighbour }, position };
    })
    .sort((a, b) => b.candidate.score - a.candidate.score || a.position - b.position)
    .map(({ candidate }) => candidate);
}

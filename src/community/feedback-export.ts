import type { LabelledQuestion, UnanswerableQuestion } from '../retrieval/evaluation/labelled-set.ts';
import type { CommunityStore, DeclinedUnvoted, HelpfulAnswer, WindowQuery } from '../storage/community-store.ts';

/**
 * Members' votes as evaluation data (`npm run feedback -- export`), in the format `npm run eval`
 * reads: one file, answerable rows `{"question", "article", "paragraph", "lang"}` and unanswerable
 * candidates `{"question", "lang", "unanswerable": true}`.
 *
 * - An answer members found helpful (more 👍 than 👎) gives an answerable row whose gold is the
 *   answer's **first citation**: the passage the answer put forward and the member read first. A
 *   👍 says the answer helped, not which of its excerpts did; the first is the one the answer
 *   stood behind, and eval's recall@1 then asks whether retrieval still ranks it first. The other
 *   citations are not labelled gold: they were shown as further reading, and treating them as
 *   answers would reward ranking them first.
 * - A declined question ("nothing relevant") that no member marked 👍 is an unanswerable
 *   candidate: the articles did not answer it then. Candidates are worth a look before they are
 *   trusted — a later article may answer them.
 * - Repeats are merged: one answerable row per question wording (case and spacing ignored), the
 *   one with the most net 👍 (the latest on a tie); a wording that some answer helped with is not
 *   also an unanswerable candidate.
 */
export type FeedbackAnswerableRow = LabelledQuestion & { readonly lang: string };
export type FeedbackUnanswerableRow = UnanswerableQuestion & { readonly lang: string; readonly unanswerable: true };

export interface FeedbackRows {
  readonly answerable: readonly FeedbackAnswerableRow[];
  readonly unanswerable: readonly FeedbackUnanswerableRow[];
}

const wording = (question: string): string => question.toLowerCase().replace(/\s+/g, ' ').trim();

/** The evaluation rows of the helpful answers and the declined questions without a 👍. */
export function feedbackRows(helpful: readonly HelpfulAnswer[], declined: readonly DeclinedUnvoted[]): FeedbackRows {
  const best = new Map<string, HelpfulAnswer>();
  for (const answer of helpful) {
    const key = wording(answer.question);
    const kept = best.get(key);
    const net = (a: HelpfulAnswer): number => a.up - a.down;
    if (!kept || net(answer) > net(kept) || (net(answer) === net(kept) && answer.createdAt >= kept.createdAt)) best.set(key, answer);
  }
  const answerable = [...best.values()]
    .sort((a, b) => a.createdAt - b.createdAt || (a.answerId < b.answerId ? -1 : 1))
    .map((answer): FeedbackAnswerableRow => ({ question: answer.question, article: answer.first.articleId, paragraph: answer.first.paragraph, lang: answer.language }));
  const seen = new Set(best.keys());
  const unanswerable: FeedbackUnanswerableRow[] = [];
  for (const item of declined) {
    const key = wording(item.question);
    if (seen.has(key)) continue;
    seen.add(key);
    unanswerable.push({ question: item.question, lang: item.language, unanswerable: true });
  }
  return { answerable, unanswerable };
}

/** Reads the rows from the store (optionally of one window or server). */
export async function exportFeedback(store: CommunityStore, query: WindowQuery = { since: 0 }): Promise<FeedbackRows> {
  return feedbackRows(await store.helpfulAnswers(query), await store.declinedWithoutHelpful(query));
}

/** The rows as JSON Lines: answerable ones first. */
export function feedbackJsonLines(rows: FeedbackRows): string {
  return [...rows.answerable, ...rows.unanswerable].map((row) => `${JSON.stringify(row)}\n`).join('');
}

import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type APIComponentInMessageActionRow } from 'discord.js';
import type { Vote } from '../community/community-log.ts';
import { customId, type CustomId } from './custom-id.ts';
import type { Messages } from './messages.ts';

/**
 * The buttons under an answer and their custom ids. Everything a button needs is in its id (the
 * answer's id in the database and a page or citation number), never in memory, so that the
 * buttons of an answer given before a restart still work:
 *
 *   answer:up:<answer id>            👍
 *   answer:down:<answer id>          👎
 *   answer:more:<answer id>:<page>   the next excerpts, privately (page 1 from the answer)
 *   answer:para:<answer id>:<rank>   the whole paragraph of the answer's citation <rank>
 *
 * An answer id has 20 characters, so an id stays far below Discord's 100.
 */
export const ANSWER_NAMESPACE = 'answer';

export type AnswerAction =
  | { readonly kind: 'vote'; readonly answerId: string; readonly vote: Vote }
  | { readonly kind: 'more'; readonly answerId: string; readonly page: number }
  | { readonly kind: 'paragraph'; readonly answerId: string; readonly rank: number };

/** Discord allows 5 buttons in a row, and an answer shows at most 5 citations. */
const ROW_MAX = 5;
/** Far more than an answer keeps (MAX_CITATIONS_KEPT): a larger number is not one of ours. */
const NUMBER_MAX = 1000;
const ANSWER_ID = /^[0-9A-Za-z_-]{1,40}$/;

export function answerCustomId(action: AnswerAction): string {
  switch (action.kind) {
    case 'vote':
      return customId(ANSWER_NAMESPACE, action.vote, action.answerId);
    case 'more':
      return customId(ANSWER_NAMESPACE, 'more', action.answerId, String(action.page));
    case 'paragraph':
      return customId(ANSWER_NAMESPACE, 'para', action.answerId, String(action.rank));
  }
}

/** What an answer button asks for, or null when the id is not one of them (the router then says it is no longer valid). */
export function parseAnswerCustomId(id: CustomId): AnswerAction | null {
  const [answerId, number, ...rest] = id.args;
  if (answerId === undefined || !ANSWER_ID.test(answerId) || rest.length > 0) return null;
  const positive = number === undefined || !/^\d{1,4}$/.test(number) ? null : Number(number);
  const valid = positive !== null && positive >= 1 && positive <= NUMBER_MAX;
  if ((id.action === 'up' || id.action === 'down') && number === undefined) return { kind: 'vote', answerId, vote: id.action };
  if (id.action === 'more' && valid) return { kind: 'more', answerId, page: positive };
  if (id.action === 'para' && valid) return { kind: 'paragraph', answerId, rank: positive };
  return null;
}

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

const button = (id: string, style: ButtonStyle.Primary | ButtonStyle.Secondary, label: string | null, emoji: string | null): APIButtonComponentWithCustomId => ({
  type: ComponentType.Button,
  custom_id: id,
  style,
  ...(label ? { label } : {}),
  ...(emoji ? { emoji: { name: emoji } } : {}),
});

const row = (components: APIButtonComponentWithCustomId[]): Row => ({ type: ComponentType.ActionRow, components });

/** Votes are acknowledged privately, with the counts; the answer itself stays as it was sent (it may sit in an archived thread). */
const voteButton = (answerId: string, vote: Vote): APIButtonComponentWithCustomId =>
  button(answerCustomId({ kind: 'vote', answerId, vote }), ButtonStyle.Secondary, null, vote === 'up' ? '👍' : '👎');

export interface AnswerButtonsInput {
  readonly answerId: string;
  /** Citations the answer shows (0 for "nothing relevant": votes only). */
  readonly shown: number;
  /** Whether further excerpts were kept for "More". */
  readonly more: boolean;
  readonly messages: Messages;
}

/**
 * The answer's buttons: 👍, 👎 and (with further excerpts) More in the first row; a "Full
 * paragraph" button per citation in the second (one labelled "Full paragraph" when there is one
 * citation, "Full text 1…5" when there are several, matching the numbers of the answer's fields).
 */
export function answerButtons({ answerId, shown, more, messages }: AnswerButtonsInput): Row[] {
  const t = messages.answerButtons;
  const first = [voteButton(answerId, 'up'), voteButton(answerId, 'down')];
  if (more) first.push(button(answerCustomId({ kind: 'more', answerId, page: 1 }), ButtonStyle.Primary, t.more, null));
  const rows = [row(first)];
  const citations = Math.min(shown, ROW_MAX);
  if (citations === 1) rows.push(row([button(answerCustomId({ kind: 'paragraph', answerId, rank: 1 }), ButtonStyle.Secondary, t.fullParagraph, '📄')]));
  if (citations > 1) {
    rows.push(row(Array.from({ length: citations }, (_, i) => button(answerCustomId({ kind: 'paragraph', answerId, rank: i + 1 }), ButtonStyle.Secondary, t.fullParagraphOf(i + 1), null))));
  }
  return rows;
}

/** A page of further excerpts: Back and Next while there are pages that way, and a "Full text" button per excerpt shown. */
export function moreButtons(input: { readonly answerId: string; readonly page: number; readonly pages: number; readonly ranks: readonly number[]; readonly messages: Messages }): Row[] {
  const t = input.messages.answerButtons;
  const paging: APIButtonComponentWithCustomId[] = [];
  if (input.page > 1) paging.push(button(answerCustomId({ kind: 'more', answerId: input.answerId, page: input.page - 1 }), ButtonStyle.Secondary, t.previous, null));
  if (input.page < input.pages) paging.push(button(answerCustomId({ kind: 'more', answerId: input.answerId, page: input.page + 1 }), ButtonStyle.Primary, t.next, null));
  const paragraphs = input.ranks.slice(0, ROW_MAX).map((rank) => button(answerCustomId({ kind: 'paragraph', answerId: input.answerId, rank }), ButtonStyle.Secondary, t.fullParagraphOf(rank), null));
  return [paging, paragraphs].filter((components) => components.length > 0).map(row);
}

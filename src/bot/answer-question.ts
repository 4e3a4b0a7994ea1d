import { performance } from 'node:perf_hooks';
import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord.js';
import { MAX_CITATIONS_KEPT } from '../community/community-log.ts';
import { describeError } from '../errors.ts';
import type { Surface } from '../storage/community-store.ts';
import { buildAnswerEmbed } from './answer-embed.ts';
import { answerButtons } from './answer-components.ts';
import type { BotServices } from './command.ts';
import type { Language } from './messages.ts';
import { messagesFor } from './messages.ts';
import { redactSecrets } from './redact.ts';

/** What is sent: the answer's embed and its buttons. */
export interface AnswerPayload {
  readonly embeds: APIEmbed[];
  readonly components: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/** A question as asked, checked by parseQuestion and the question guards. */
export interface QuestionToAnswer {
  /** As asked: shown in the answer's title and recorded. */
  readonly text: string;
  /** What is searched (the text without mentions). */
  readonly searchText: string;
  readonly language: Language;
  /** How many excerpts the answer shows (1–5); "More" pages through the others. */
  readonly results: number;
  readonly surface: Surface;
  readonly guildId: string | null;
  readonly channelId: string | null;
}

/**
 * Where an answer goes, which is all that differs between /ask (a reply, deferred when the answer
 * is slow), a mention (a reply to the message) and an answer channel (a thread).
 */
export interface AnswerDestination {
  /** Shows that an answer is coming: a deferral, typing, a thread. */
  prepare(): Promise<void>;
  /**
   * How long the answer may take before `prepare` runs; an answer ready sooner is sent without
   * it. /ask sets it: there the answer itself acknowledges the interaction, one round trip to
   * Discord instead of a deferral and an edit. Unset (or 0), `prepare` starts with the search.
   */
  readonly prepareAfterMs?: number;
  send(payload: AnswerPayload): Promise<void>;
}

/**
 * Further relevant excerpts searched for beyond those shown, kept for "More". Ten is what
 * evaluation ranks with (k = 10 searches each side 50 deep), so answers rank as measured.
 */
const SEARCHED = 10;

/**
 * The one answer use case, for every way of asking: search, record the answer (so that its
 * buttons work tomorrow), build the embed and the buttons, send. Recording comes before sending,
 * because the buttons carry the recorded answer's id; when recording fails (a full disk), the
 * answer is still sent, without buttons, and the failure is logged.
 */
export async function answerQuestion(question: QuestionToAnswer, destination: AnswerDestination, services: Pick<BotServices, 'service' | 'community' | 'logger'>): Promise<void> {
  // The deferral (or the typing, or the thread) and the answer start together: on Discord the
  // deferral's round trip (often 100 ms) would otherwise come before a search of 20 ms; and /ask
  // defers only when the answer is not ready in time. Nothing is sent until both are done, and a
  // failed deferral wins over a failed search, so an error reply goes where the member will see
  // it (respond-with-error.ts).
  const answer = composeAnswer(question, services);
  const [preparation, composed] = await Promise.allSettled([prepareUnlessAnswered(destination, answer), answer]);
  if (preparation.status === 'rejected') throw preparation.reason;
  if (composed.status === 'rejected') throw composed.reason;
  await destination.send(composed.value);
}

/** Runs `prepare` at once, or (with `prepareAfterMs`) only if the answer is not ready by then. */
async function prepareUnlessAnswered(destination: AnswerDestination, answer: Promise<unknown>): Promise<void> {
  const waitMs = destination.prepareAfterMs ?? 0;
  if (waitMs <= 0) return destination.prepare();
  let timer: NodeJS.Timeout | undefined;
  const answeredInTime = await Promise.race([
    answer.then(() => true, () => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(resolve, waitMs, false))),
  ]);
  clearTimeout(timer);
  if (!answeredInTime) await destination.prepare();
}

/** Search, record, and the embed and buttons to send. */
async function composeAnswer(question: QuestionToAnswer, { service, community, logger }: Pick<BotServices, 'service' | 'community' | 'logger'>): Promise<AnswerPayload> {
  const started = performance.now();
  const response = await service.ask(question.searchText, Math.min(MAX_CITATIONS_KEPT, Math.max(question.results, SEARCHED)));
  const latencyMs = performance.now() - started;
  const relevant = response.hits.filter((hit) => hit.relevant);
  const shown = Math.min(question.results, relevant.length);
  let answerId: string | null = null;
  try {
    answerId = await community.log.recordAnswer({
      question: question.text,
      language: question.language,
      surface: question.surface,
      guildId: question.guildId,
      channelId: question.channelId,
      response,
      shown,
      latencyMs,
    });
  } catch (error) {
    logger.error({ error: redactSecrets(describeError(error)), surface: question.surface }, 'Could not record an answer; it is sent without its buttons');
  }
  const messages = messagesFor(question.language);
  const embed = buildAnswerEmbed(question.text, { ...response, hits: relevant.slice(0, shown) }, question.language, messages);
  const components = answerId ? answerButtons({ answerId, shown, more: relevant.length > shown, messages }) : [];
  return { embeds: [embed], components };
}

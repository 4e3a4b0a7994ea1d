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
 * Where an answer goes, which is all that differs between /ask (a deferred reply), a mention (a
 * reply to the message) and an answer channel (a thread).
 */
export interface AnswerDestination {
  /** Shows that an answer is coming before the search starts: a deferral, typing, a thread. */
  prepare(): Promise<void>;
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
export async function answerQuestion(question: QuestionToAnswer, destination: AnswerDestination, { service, community, logger }: Pick<BotServices, 'service' | 'community' | 'logger'>): Promise<void> {
  // The deferral (or the typing, or the thread) and the search start together: on Discord the
  // deferral's round trip (often 100 ms) would otherwise come before a search of 20 ms. Nothing is
  // sent until both are done, and a failed deferral wins over a failed search, so an error reply
  // goes where the member will see it (respond-with-error.ts).
  const search = async () => {
    const started = performance.now();
    const response = await service.ask(question.searchText, Math.min(MAX_CITATIONS_KEPT, Math.max(question.results, SEARCHED)));
    return { response, latencyMs: performance.now() - started };
  };
  const [preparation, searched] = await Promise.allSettled([destination.prepare(), search()]);
  if (preparation.status === 'rejected') throw preparation.reason;
  if (searched.status === 'rejected') throw searched.reason;
  const { response, latencyMs } = searched.value;
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
  await destination.send({ embeds: [embed], components });
}

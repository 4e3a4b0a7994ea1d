import { MessageFlags, type APIEmbed, type MessageComponentInteraction } from 'discord.js';
import type { AnswerGone, CitedParagraph } from '../community/community-log.ts';
import type { Analyzer } from '../index/analyzer.ts';
import { makeExcerpt, type Excerpt } from '../retrieval/excerpt.ts';
import { buildCitationsEmbed, buildParagraphEmbed, type CitationView } from './answer-embed.ts';
import { moreButtons, parseAnswerCustomId, ANSWER_NAMESPACE, type AnswerAction } from './answer-components.ts';
import { NO_MENTIONS, type CommandContext } from './command.ts';
import { defineHandler } from './interaction-handler.ts';
import type { Messages } from './messages.ts';
import { safeText } from './safe-text.ts';

/** A whole paragraph fits an embed's description; longer ones are cut around the best sentence. */
const PARAGRAPH_CHARS = 3500;

/**
 * The buttons under an answer (./answer-components.ts): 👍/👎, "More" and "Full paragraph". Each
 * reads the answer from the database by the id its custom id carries, so the buttons of an answer
 * given before a restart work; everything is answered privately. Every action first defers (the
 * first read after a reindex builds the paragraph lookup), then edits its reply.
 */
export const answerButtonsHandler = defineHandler<AnswerAction>({
  kind: 'component',
  namespace: ANSWER_NAMESPACE,
  parse: parseAnswerCustomId,
  async run(interaction, action, context) {
    switch (action.kind) {
      case 'vote':
        return vote(interaction, action, context);
      case 'more':
        return more(interaction, action, context);
      case 'paragraph':
        return paragraph(interaction, action, context);
    }
  },
});

type Action<Kind extends AnswerAction['kind']> = Extract<AnswerAction, { kind: Kind }>;

async function vote(interaction: MessageComponentInteraction, action: Action<'vote'>, { community, messages }: CommandContext): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const result = await community.log.recordVote({ answerId: action.answerId, guildId: interaction.guildId, memberId: interaction.user.id, vote: action.vote });
  if (result.status !== 'recorded') return say(interaction, gone(result, community.logDays, messages));
  const helpful = result.vote === 'up';
  const t = messages.votes;
  const acknowledgement = result.previous === null ? t.recorded(helpful) : result.changed ? t.changed(helpful) : t.unchanged(helpful);
  await say(interaction, `${acknowledgement}\n${t.counts(result.up, result.down)}`);
}

async function more(interaction: MessageComponentInteraction, action: Action<'more'>, { community, service, messages, language }: CommandContext): Promise<void> {
  // "Back" and "Next" on the private page itself turn its page; "More" under an answer opens one.
  if (interaction.message.flags.has(MessageFlags.Ephemeral)) await interaction.deferUpdate();
  else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const found = await community.log.moreResults({ answerId: action.answerId, guildId: interaction.guildId, page: action.page });
  if (found.status !== 'found') return say(interaction, gone(found, community.logDays, messages), []);
  if (found.results.length === 0) return say(interaction, messages.more.none, []);
  const analyzer = service.current?.index.lexical.analyzer ?? null;
  const citations = found.results.map((cited) => ({ number: cited.citation.rank, view: citationView(cited, found.question, analyzer, messages) }));
  const embed = buildCitationsEmbed({
    title: messages.more.title(found.question === null ? null : safeText(found.question)),
    footer: messages.more.footer(found.page, found.pages),
    citations,
    language,
  });
  const components = moreButtons({ answerId: action.answerId, page: found.page, pages: found.pages, ranks: found.results.map((cited) => cited.citation.rank), messages });
  await show(interaction, embed, components);
}

async function paragraph(interaction: MessageComponentInteraction, action: Action<'paragraph'>, { community, service, messages, language }: CommandContext): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const found = await community.log.fullParagraph({ answerId: action.answerId, guildId: interaction.guildId, rank: action.rank });
  if (found.status === 'no-such-citation') return say(interaction, messages.citation.noSuch);
  if (found.status !== 'found') return say(interaction, gone(found, community.logDays, messages));
  const analyzer = service.current?.index.lexical.analyzer ?? null;
  const view = citationView(found.cited, found.question, analyzer, messages, PARAGRAPH_CHARS);
  const footer = found.question === null ? '' : messages.answerTitle(safeText(found.question));
  await show(interaction, buildParagraphEmbed({ citation: { number: action.rank, view }, footer, language }));
}

/** What a stored citation shows now: the paragraph as the index has it (its best sentence in bold), or a note that it is gone or changed. */
function citationView(cited: CitedParagraph, question: string | null, analyzer: Analyzer | null, messages: Messages, maxChars?: number): CitationView {
  const { citation, current } = cited;
  if (!current) return { title: citation.title, url: null, date: null, category: null, paragraph: citation.paragraph, excerpt: null, note: messages.citation.gone };
  return {
    title: current.title,
    url: current.url,
    date: current.date,
    category: current.category,
    paragraph: current.paragraph,
    excerpt: excerptOf(current.text, question, analyzer, maxChars),
    note: cited.changed ? messages.citation.changed : undefined,
  };
}

/** Without the question (not kept) or an index to analyse it with, the paragraph is shown plain (cut to fit by the embed). */
function excerptOf(text: string, question: string | null, analyzer: Analyzer | null, maxChars?: number): Excerpt {
  if (question === null || analyzer === null) return { before: '', match: '', after: text };
  return makeExcerpt(text, question, analyzer, maxChars);
}

function gone(result: AnswerGone, logDays: number, messages: Messages): string {
  return result.status === 'expired' ? messages.answerExpired(logDays) : messages.answerUnavailable;
}

/** Replaces the deferred reply (or the page being turned) with a note; `components: []` clears a page's buttons. */
async function say(interaction: MessageComponentInteraction, content: string, components?: []): Promise<void> {
  await interaction.editReply({ content, embeds: [], ...(components ? { components } : {}), allowedMentions: NO_MENTIONS });
}

async function show(interaction: MessageComponentInteraction, embed: APIEmbed, components: ReturnType<typeof moreButtons> = []): Promise<void> {
  await interaction.editReply({ content: '', embeds: [embed], components, allowedMentions: NO_MENTIONS });
}

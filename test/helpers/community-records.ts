/** Records for the community store's tests: an answer with three citations, at a fixed time, in one server. */
import type { AnswerRecord, CitationRecord } from '../../src/storage/community-store.ts';

export const T0 = Date.UTC(2026, 10, 1, 12);
export const GUILD = '111111111111111111';
export const OTHER_GUILD = '222222222222222222';

export function citation(rank: number, articleId = 'seed', paragraph = rank): CitationRecord {
  return { rank, articleId, paragraph, title: `Title of ${articleId}`, score: 10 - rank, paragraphHash: `hash${rank}` };
}

export function answer(id: string, overrides: Partial<AnswerRecord> = {}): AnswerRecord {
  return {
    id,
    createdAt: T0,
    guildId: GUILD,
    channelId: '333333333333333333',
    surface: 'slash',
    language: 'de',
    mode: 'lexical',
    declined: false,
    latencyMs: 12.4,
    question: `Frage ${id}?`,
    shown: 2,
    citations: [citation(1), citation(2), citation(3)],
    ...overrides,
  };
}

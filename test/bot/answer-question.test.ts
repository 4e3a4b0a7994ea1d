import { describe, expect, it, vi } from 'vitest';
import { answerQuestion, type AnswerPayload, type QuestionToAnswer } from '../../src/bot/answer-question.ts';
import type { BotServices } from '../../src/bot/command.ts';

const question: QuestionToAnswer = { text: 'Wo traf sich die Koalition?', searchText: 'Wo traf sich die Koalition?', language: 'de', results: 1, surface: 'slash', guildId: '1', channelId: '2' };
const hit = (paragraph: number) => ({
  rank: paragraph,
  score: 1,
  relevant: true,
  passage: { id: `a#${paragraph}`, articleId: 'a', paragraph, part: 1, title: 'Koalition', date: null, category: null, url: null, text: 'Text.' },
  excerpt: { before: '', match: 'Text.', after: '' },
});

function services(recordAnswer: () => Promise<string>) {
  const ask = vi.fn(async (_text: string, _k: number) => ({ hits: [hit(1), hit(2), hit(3)], declined: false, mode: 'lexical', notice: null, tookMs: 3, vectorsDamaged: false }));
  const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
  return { ask, logger, deps: { service: { ask }, community: { log: { recordAnswer: vi.fn(recordAnswer) } }, logger } as unknown as Pick<BotServices, 'service' | 'community' | 'logger'> };
}

describe('answerQuestion', () => {
  it('prepares, searches deeper than it shows (for More), records, then sends the embed with the buttons of the recorded answer', async () => {
    const steps: string[] = [];
    const { ask, deps } = services(async () => (steps.push('record'), 'AZ8kq3fG0c1234567890'));
    let sent: AnswerPayload | null = null;
    await answerQuestion(question, { prepare: async () => void steps.push('prepare'), send: async (payload) => void (steps.push('send'), (sent = payload)) }, deps);
    expect(steps).toEqual(['prepare', 'record', 'send']);
    expect(ask.mock.calls[0]![1]).toBe(10);
    expect(sent!.embeds[0]!.fields).toHaveLength(1);
    const ids = sent!.components.flatMap((row) => row.components.map((button) => ('custom_id' in button ? button.custom_id : '')));
    expect(ids).toContain('answer:more:AZ8kq3fG0c1234567890:1');
  });

  it('still answers, without buttons, when the answer cannot be recorded, and logs why', async () => {
    const { deps, logger } = services(async () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    let sent: AnswerPayload | null = null;
    await answerQuestion(question, { prepare: async () => {}, send: async (payload) => void (sent = payload) }, deps);
    expect(sent!.embeds[0]!.fields).toHaveLength(1);
    expect(sent!.components).toEqual([]);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ error: expect.stringContaining('SQLITE_FULL') }), expect.stringContaining('without its buttons'));
  });

  it('searches while the deferral is on its way, and sends only once both are done', async () => {
    const { ask, deps } = services(async () => 'AZ8kq3fG0c1234567890');
    let deferred!: () => void;
    const deferral = new Promise<void>((resolve) => (deferred = resolve));
    const sent = vi.fn(async () => {});
    const answered = answerQuestion(question, { prepare: () => deferral, send: sent }, deps);
    // The deferral has not come back, yet the search has started.
    await vi.waitFor(() => expect(ask).toHaveBeenCalledTimes(1));
    expect(sent).not.toHaveBeenCalled();
    deferred();
    await answered;
    expect(sent).toHaveBeenCalledTimes(1);
  });

  it('a failed deferral wins over a failed search, and nothing is sent or recorded', async () => {
    const { ask, deps } = services(async () => 'AZ8kq3fG0c1234567890');
    ask.mockRejectedValueOnce(new Error('index unavailable'));
    const sent = vi.fn(async () => {});
    const prepare = async (): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('Unknown interaction');
    };
    await expect(answerQuestion(question, { prepare, send: sent }, deps)).rejects.toThrow('Unknown interaction');
    expect(sent).not.toHaveBeenCalled();
    expect((deps.community.log.recordAnswer as ReturnType<typeof vi.fn>)).not.toHaveBeenCalled();
  });

  describe('with prepareAfterMs (/ask)', () => {
    it('sends an answer ready in time without preparing: the answer is the acknowledgement', async () => {
      const { deps } = services(async () => 'AZ8kq3fG0c1234567890');
      const prepare = vi.fn(async () => {});
      const sent = vi.fn(async (_payload: AnswerPayload) => {});
      await answerQuestion(question, { prepare, prepareAfterMs: 60_000, send: sent }, deps);
      expect(prepare).not.toHaveBeenCalled();
      expect(sent).toHaveBeenCalledTimes(1);
      expect(sent.mock.calls[0]![0].embeds[0]!.fields).toHaveLength(1);
    });

    it('prepares once the time is up when the answer is slow, and sends the answer after that', async () => {
      vi.useFakeTimers();
      try {
        const { ask, deps } = services(async () => 'AZ8kq3fG0c1234567890');
        let finishSearch!: () => void;
        const searchDone = new Promise<void>((resolve) => (finishSearch = resolve));
        const original = ask.getMockImplementation()!;
        ask.mockImplementationOnce(async (text, k) => (await searchDone, original(text, k)));
        const steps: string[] = [];
        const answered = answerQuestion(question, { prepare: async () => void steps.push('prepare'), prepareAfterMs: 1000, send: async () => void steps.push('send') }, deps);
        await vi.advanceTimersByTimeAsync(999);
        expect(steps).toEqual([]);
        await vi.advanceTimersByTimeAsync(1);
        expect(steps).toEqual(['prepare']);
        finishSearch();
        await answered;
        expect(steps).toEqual(['prepare', 'send']);
      } finally {
        vi.useRealTimers();
      }
    });

    it('throws a search that fails in time without preparing, so the error is a reply of its own', async () => {
      const { ask, deps } = services(async () => 'AZ8kq3fG0c1234567890');
      ask.mockRejectedValueOnce(new Error('index unavailable'));
      const prepare = vi.fn(async () => {});
      await expect(answerQuestion(question, { prepare, prepareAfterMs: 60_000, send: vi.fn() }, deps)).rejects.toThrow('index unavailable');
      expect(prepare).not.toHaveBeenCalled();
    });
  });

  it('a failed search is thrown once the deferral is done, so the error can edit the deferred reply', async () => {
    const { ask, deps } = services(async () => 'AZ8kq3fG0c1234567890');
    ask.mockRejectedValueOnce(new Error('index unavailable'));
    let prepared = false;
    const prepare = async (): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      prepared = true;
    };
    await expect(answerQuestion(question, { prepare, send: vi.fn() }, deps)).rejects.toThrow('index unavailable');
    expect(prepared).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { answerButtons, answerCustomId, moreButtons, parseAnswerCustomId, type AnswerAction } from '../../src/bot/answer-components.ts';
import { CUSTOM_ID_MAX, parseCustomId } from '../../src/bot/custom-id.ts';
import { messagesFor } from '../../src/bot/messages.ts';

const ANSWER = 'AZ8kq3fG0c1234567890';
const de = messagesFor('de');
const parse = (raw: string) => parseAnswerCustomId(parseCustomId(raw)!);
const ids = (rows: ReturnType<typeof answerButtons>) => rows.map((row) => row.components.map((button) => ('custom_id' in button ? button.custom_id : '')));

describe('answer custom ids', () => {
  it('round-trip every action, within Discord’s 100 characters', () => {
    const actions: AnswerAction[] = [
      { kind: 'vote', answerId: ANSWER, vote: 'up' },
      { kind: 'vote', answerId: ANSWER, vote: 'down' },
      { kind: 'more', answerId: ANSWER, page: 3 },
      { kind: 'paragraph', answerId: ANSWER, rank: 15 },
    ];
    for (const action of actions) {
      const id = answerCustomId(action);
      expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
      expect(parse(id)).toEqual(action);
    }
  });

  it('decline what is not one of theirs: unknown actions, extra or missing parts, numbers out of range', () => {
    for (const raw of [`answer:maybe:${ANSWER}`, `answer:up:${ANSWER}:1`, 'answer:more', `answer:more:${ANSWER}`, `answer:more:${ANSWER}:0`, `answer:para:${ANSWER}:1001`, `answer:para:${ANSWER}:-1`, 'answer:up:bad id!']) {
      expect(parse(raw), raw).toBeNull();
    }
  });
});

describe('answer buttons', () => {
  it('put 👍, 👎 and More in the first row and one Full paragraph per citation in the second', () => {
    expect(ids(answerButtons({ answerId: ANSWER, shown: 3, more: true, messages: de }))).toEqual([
      [`answer:up:${ANSWER}`, `answer:down:${ANSWER}`, `answer:more:${ANSWER}:1`],
      [1, 2, 3].map((rank) => `answer:para:${ANSWER}:${rank}`),
    ]);
    const single = answerButtons({ answerId: ANSWER, shown: 1, more: false, messages: de });
    expect(ids(single)).toEqual([[`answer:up:${ANSWER}`, `answer:down:${ANSWER}`], [`answer:para:${ANSWER}:1`]]);
    expect(single[1]!.components[0]).toMatchObject({ label: 'Ganzer Absatz' });
  });

  it('give a declined answer only the votes', () => {
    expect(ids(answerButtons({ answerId: ANSWER, shown: 0, more: false, messages: de }))).toEqual([[`answer:up:${ANSWER}`, `answer:down:${ANSWER}`]]);
  });

  it('page with Back and Next only where there is a page that way', () => {
    expect(ids(moreButtons({ answerId: ANSWER, page: 1, pages: 1, ranks: [4], messages: de }))).toEqual([[`answer:para:${ANSWER}:4`]]);
    expect(ids(moreButtons({ answerId: ANSWER, page: 2, pages: 3, ranks: [7, 8], messages: de }))[0]).toEqual([`answer:more:${ANSWER}:1`, `answer:more:${ANSWER}:3`]);
  });
});

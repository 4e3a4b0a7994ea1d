import { describe, expect, it } from 'vitest';
import { forumQuestion, routeMessage, threadName, type RoutableMessage } from '../../src/bot/message-questions.ts';

const BOT = '100000000000000001';
const ANSWER_CHANNEL = '200000000000000001';
const FORUM = '200000000000000002';
const OTHER = '200000000000000003';
const channels = new Set([ANSWER_CHANNEL, FORUM]);

function message(options: { id?: string; channelId?: string; bot?: boolean; author?: string; system?: boolean; mentioned?: boolean; thread?: { parentId: string; name?: string } }): RoutableMessage {
  const id = options.id ?? '300000000000000001';
  return {
    id,
    system: options.system ?? false,
    author: { id: options.author ?? '400000000000000001', bot: options.bot ?? false },
    channelId: options.channelId ?? ANSWER_CHANNEL,
    channel: { isThread: () => options.thread !== undefined, parentId: options.thread?.parentId ?? null, name: options.thread?.name ?? 'general' },
    mentions: { users: { has: (user: string) => (options.mentioned ?? false) && user === BOT } },
  };
}

describe('routeMessage', () => {
  it('answers a new message in an answer channel, and a forum post’s starter message', () => {
    expect(routeMessage(message({}), BOT, channels)).toEqual({ kind: 'channel' });
    const post = message({ id: '500000000000000001', channelId: '500000000000000001', thread: { parentId: FORUM, name: 'Titel' } });
    expect(routeMessage(post, BOT, channels)).toEqual({ kind: 'forum-post', title: 'Titel', forumId: FORUM });
  });

  it('never answers a bot, itself or a system message, even when they mention it', () => {
    expect(routeMessage(message({ bot: true, mentioned: true }), BOT, channels)).toBeNull();
    expect(routeMessage(message({ author: BOT }), BOT, channels)).toBeNull();
    expect(routeMessage(message({ system: true, mentioned: true }), BOT, channels)).toBeNull();
  });

  it('answers replies in threads and messages in other channels only when they mention it', () => {
    const reply = { id: '500000000000000009', channelId: '500000000000000001', thread: { parentId: ANSWER_CHANNEL } };
    expect(routeMessage(message(reply), BOT, channels)).toBeNull();
    expect(routeMessage(message({ ...reply, mentioned: true }), BOT, channels)).toEqual({ kind: 'mention' });
    expect(routeMessage(message({ channelId: OTHER }), BOT, channels)).toBeNull();
    expect(routeMessage(message({ channelId: OTHER, mentioned: true }), BOT, channels)).toEqual({ kind: 'mention' });
    // A post in a forum that is not an answer channel is conversation too.
    expect(routeMessage(message({ id: '5', channelId: '5', thread: { parentId: OTHER } }), BOT, channels)).toBeNull();
  });
});

describe('forum questions and thread names', () => {
  it('joins a post’s title and text, unless the text repeats the title or is empty', () => {
    expect(forumQuestion('Koalition der Willigen', 'Wo traf sie sich?')).toBe('Koalition der Willigen — Wo traf sie sich?');
    expect(forumQuestion('Koalition', 'Koalition: wo traf sie sich?')).toBe('Koalition: wo traf sie sich?');
    expect(forumQuestion('Wo traf sich die Koalition?', '  ')).toBe('Wo traf sich die Koalition?');
    expect(forumQuestion('T', 'x'.repeat(400)).length).toBe(300);
  });

  it('names a thread after its question on one line, at most 100 characters', () => {
    expect(threadName('Wo traf\nsich die Koalition?', 'Frage')).toBe('Wo traf sich die Koalition?');
    expect(threadName('x'.repeat(150), 'Frage')).toHaveLength(100);
    expect(threadName('\u200b', 'Frage')).toBe('Frage');
  });
});

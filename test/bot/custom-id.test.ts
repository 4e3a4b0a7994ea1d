import { describe, expect, it } from 'vitest';
import { CUSTOM_ID_MAX, customId, parseCustomId } from '../../src/bot/custom-id.ts';

describe('custom ids', () => {
  it('round-trip namespace, action and arguments', () => {
    const id = customId('feedback', 'vote', '1234567890123456789', 'up');
    expect(id).toBe('feedback:vote:1234567890123456789:up');
    expect(parseCustomId(id)).toEqual({ namespace: 'feedback', action: 'vote', args: ['1234567890123456789', 'up'] });
    expect(parseCustomId(customId('article', 'add'))).toEqual({ namespace: 'article', action: 'add', args: [] });
  });

  it('refuse to build what Discord or the parser would not take back', () => {
    expect(() => customId('feedback', 'vote', 'a:b')).toThrow(/may not contain ":"/);
    expect(() => customId('Feedback', 'vote')).toThrow(/namespace "Feedback"/);
    expect(() => customId('feedback', 'vote', 'x'.repeat(CUSTOM_ID_MAX))).toThrow(/characters; Discord allows 100/);
    expect(customId('a', 'b', 'x'.repeat(CUSTOM_ID_MAX - 4))).toHaveLength(CUSTOM_ID_MAX);
  });

  it('parse only ids of this shape', () => {
    expect(parseCustomId('')).toBeNull();
    expect(parseCustomId('legacy-button')).toBeNull();
    expect(parseCustomId('Article:add')).toBeNull();
    expect(parseCustomId(`a:b:${'x'.repeat(CUSTOM_ID_MAX)}`)).toBeNull();
    expect(parseCustomId('a:b:\u0000')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/bot/command.ts';
import { Cooldowns } from '../../src/bot/cooldowns.ts';
import { firstDenial, QUESTION_GUARDS } from '../../src/bot/guards.ts';
import { messagesFor } from '../../src/bot/messages.ts';

const en = messagesFor('en');
const asker = { user: { id: '400000000000000001' } };
const context = (indexLoaded: boolean, cooldowns: Cooldowns) => ({ service: { current: indexLoaded ? {} : null }, cooldowns, messages: en }) as unknown as CommandContext;

describe('the question guards (/ask, mentions and answer channels declare the same list)', () => {
  it('let a first question through and make the member wait before the next', () => {
    const cooldowns = new Cooldowns(5);
    expect(firstDenial(QUESTION_GUARDS, asker, context(true, cooldowns))).toBeNull();
    expect(firstDenial(QUESTION_GUARDS, asker, context(true, cooldowns))).toBe(en.cooldown(5));
    expect(firstDenial(QUESTION_GUARDS, { user: { id: '400000000000000002' } }, context(true, cooldowns))).toBeNull();
  });

  it('refuse without an index first, so that the refusal does not start the member’s wait', () => {
    const cooldowns = new Cooldowns(5);
    expect(firstDenial(QUESTION_GUARDS, asker, context(false, cooldowns))).toBe(en.indexUnavailable);
    expect(firstDenial(QUESTION_GUARDS, asker, context(true, cooldowns))).toBeNull();
  });
});

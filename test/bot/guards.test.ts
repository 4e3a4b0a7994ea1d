import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/bot/command.ts';
import { Cooldowns, DatabaseCooldowns, type QuestionCooldowns } from '../../src/bot/cooldowns.ts';
import { firstDenial, QUESTION_GUARDS } from '../../src/bot/guards.ts';
import { messagesFor } from '../../src/bot/messages.ts';
import { openCommunityDatabase } from '../../src/storage/open-store.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';

const en = messagesFor('en');
const asker = { user: { id: '400000000000000001' } };
const context = (indexLoaded: boolean, cooldowns: QuestionCooldowns) => ({ service: { current: indexLoaded ? {} : null }, cooldowns, messages: en }) as unknown as CommandContext;
const tempDir = useTempDirs('quelle-guards-');

describe('the question guards (/ask, mentions and answer channels declare the same list)', () => {
  it('let a first question through and make the member wait before the next', async () => {
    const cooldowns = new Cooldowns(5);
    expect(await firstDenial(QUESTION_GUARDS, asker, context(true, cooldowns))).toBeNull();
    expect(await firstDenial(QUESTION_GUARDS, asker, context(true, cooldowns))).toBe(en.cooldown(5));
    expect(await firstDenial(QUESTION_GUARDS, { user: { id: '400000000000000002' } }, context(true, cooldowns))).toBeNull();
  });

  it('refuse without an index first, so that the refusal does not start the member’s wait', async () => {
    const cooldowns = new Cooldowns(5);
    expect(await firstDenial(QUESTION_GUARDS, asker, context(false, cooldowns))).toBe(en.indexUnavailable);
    expect(await firstDenial(QUESTION_GUARDS, asker, context(true, cooldowns))).toBeNull();
  });

  it('with the cooldowns in the database, a member who asks through two processes gets one answer and one wait', async () => {
    const dataDir = await tempDir();
    // Two connections to one database, as two shard processes on one host have.
    const [first, second] = await Promise.all([openCommunityDatabase({ dataDir, databaseUrl: null, create: true }), openCommunityDatabase({ dataDir, databaseUrl: null, create: true })]);
    try {
      const inFirst = context(true, new DatabaseCooldowns(() => first, 5));
      const inSecond = context(true, new DatabaseCooldowns(() => second, 5));
      expect(await firstDenial(QUESTION_GUARDS, asker, inFirst)).toBeNull();
      expect(await firstDenial(QUESTION_GUARDS, asker, inSecond)).toBe(en.cooldown(5));
      expect(await firstDenial(QUESTION_GUARDS, { user: { id: '400000000000000002' } }, inSecond)).toBeNull();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

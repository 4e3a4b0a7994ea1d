/**
 * The interaction router (issue #13) dispatches every kind of interaction, and answers every
 * failure privately: autocomplete gets at most 25 suggestions (none when a guard denies it or
 * it fails); modal submissions and components go to the handler that claims their custom id,
 * after its guards; an id nobody claims gets a private "no longer valid".
 */
import { PermissionFlagsBits, PermissionsBitField, type Interaction } from 'discord.js';
import { describe, expect, it, vi } from 'vitest';
import type { BotServices, Command } from '../../src/bot/command.ts';
import { customId } from '../../src/bot/custom-id.ts';
import { requireModerator } from '../../src/bot/guards.ts';
import { defineHandler } from '../../src/bot/interaction-handler.ts';
import { createInteractionRouter } from '../../src/bot/interaction-router.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';

type Kind = 'command' | 'autocomplete' | 'modal' | 'component';

/** The least of an interaction the router reads, recording what is sent back. */
function fakeInteraction(kind: Kind, options: { customId?: string; commandName?: string; moderator?: boolean; locale?: string } = {}) {
  const sent: { method: string; payload: unknown }[] = [];
  const record = (method: string) => vi.fn(async (payload?: unknown) => void sent.push({ method, payload }));
  const interaction = {
    locale: options.locale ?? 'en-US',
    user: { id: '42' },
    commandName: options.commandName ?? 'demo',
    customId: options.customId ?? '',
    deferred: false,
    replied: false,
    options: { data: [], getFocused: () => 'typed' },
    inGuild: () => true,
    memberPermissions: new PermissionsBitField(options.moderator ? PermissionFlagsBits.ManageGuild : 0n),
    member: { roles: [] },
    isChatInputCommand: () => kind === 'command',
    isAutocomplete: () => kind === 'autocomplete',
    isModalSubmit: () => kind === 'modal',
    isMessageComponent: () => kind === 'component',
    isFromMessage: () => false,
    reply: record('reply'),
    respond: record('respond'),
    followUp: record('followUp'),
  };
  return { interaction: interaction as unknown as Interaction, sent };
}

const services = { logger: recordingLogger(), config: { moderatorRoleIds: [] } } as unknown as BotServices;
const moderatorsOnly = requireModerator(() => 'moderators only');

function command(autocomplete: Command['autocomplete']): Command {
  return { data: { name: 'demo', description: 'demo' }, guards: [moderatorsOnly], execute: async () => {}, autocomplete };
}

describe('autocomplete', () => {
  it('answers with at most 25 suggestions', async () => {
    const route = createInteractionRouter({ ...services, commands: [command(async () => Array.from({ length: 40 }, (_, i) => ({ name: `n${i}`, value: `v${i}` })))] });
    const { interaction, sent } = fakeInteraction('autocomplete', { moderator: true });
    await route(interaction);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe('respond');
    expect(sent[0]!.payload).toHaveLength(25);
  });

  it('answers with none when a guard denies it or the command fails', async () => {
    const failing = createInteractionRouter({ ...services, commands: [command(async () => Promise.reject(new Error('boom')))] });
    const denied = fakeInteraction('autocomplete', { moderator: false });
    await failing(denied.interaction);
    expect(denied.sent).toEqual([{ method: 'respond', payload: [] }]);
    const failed = fakeInteraction('autocomplete', { moderator: true });
    await failing(failed.interaction);
    expect(failed.sent).toEqual([{ method: 'respond', payload: [] }]);
  });
});

describe('modal submissions and components', () => {
  const runs: unknown[] = [];
  const handlers = [
    defineHandler<string>({
      kind: 'component',
      namespace: 'vote',
      guards: [moderatorsOnly],
      parse: (id) => (id.action === 'up' && id.args.length === 1 ? id.args[0]! : null),
      run: async (_interaction, messageId) => void runs.push(messageId),
    }),
    defineHandler<null>({
      kind: 'modal',
      namespace: 'vote',
      parse: () => null,
      run: async () => void runs.push('never'),
    }),
    defineHandler<true>({
      kind: 'modal',
      namespace: 'broken',
      parse: () => true,
      run: async () => {
        throw new Error('database gone');
      },
    }),
  ];
  const route = createInteractionRouter({ ...services, commands: [], handlers });

  it('runs the handler that claims the custom id, with what it parsed', async () => {
    const { interaction, sent } = fakeInteraction('component', { customId: customId('vote', 'up', '123'), moderator: true });
    await route(interaction);
    expect(runs).toEqual(['123']);
    expect(sent).toEqual([]);
  });

  it("answers a guard's denial privately", async () => {
    const { interaction, sent } = fakeInteraction('component', { customId: customId('vote', 'up', '123') });
    await route(interaction);
    expect(sent).toEqual([{ method: 'reply', payload: expect.objectContaining({ content: 'moderators only', flags: 64 }) }]);
  });

  it('answers an id nobody claims (unknown namespace, another kind, declined by parse) as no longer valid, in the user language', async () => {
    for (const [kind, id] of [['component', 'legacy-button'], ['component', customId('poll', 'up')], ['modal', customId('vote', 'up', '1')]] as const) {
      const { interaction, sent } = fakeInteraction(kind, { customId: id, locale: 'de', moderator: true });
      await route(interaction);
      expect(sent, id).toEqual([{ method: 'reply', payload: expect.objectContaining({ content: 'Dieses Formular oder dieser Knopf gilt nicht mehr. Bitte starte den Befehl erneut.', flags: 64 }) }]);
    }
    expect(runs).toEqual(['123']);
  });

  it('answers a failing handler privately with a reference', async () => {
    const { interaction, sent } = fakeInteraction('modal', { customId: customId('broken', 'go') });
    await route(interaction);
    expect(sent).toEqual([{ method: 'reply', payload: expect.objectContaining({ content: expect.stringMatching(/^Something went wrong\. .*\(Ref: [0-9a-f]{8}\)$/), flags: 64 }) }]);
  });

  it('refuses two handlers of one kind and namespace', () => {
    expect(() => createInteractionRouter({ ...services, commands: [], handlers: [handlers[0]!, handlers[0]!] })).toThrow(/share a kind and namespace/);
  });
});

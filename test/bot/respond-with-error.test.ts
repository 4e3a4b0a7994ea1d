import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { describe, expect, it, vi } from 'vitest';
import { respondWithError } from '../../src/bot/respond-with-error.ts';

const CONTENT = 'Da ist etwas schiefgegangen. (Ref: abc123) @everyone';

/** An interaction in a given state that records the calls made on it, in order. */
function fakeInteraction(state: { deferred: boolean; replied: boolean; ephemeral: boolean | null }, options: { deleteFails?: boolean; component?: boolean } = {}) {
  const calls: string[] = [];
  const record = (name: string, result: () => Promise<unknown> = () => Promise.resolve({})) =>
    vi.fn((..._args: unknown[]) => {
      calls.push(name);
      return result();
    });
  const interaction = {
    ...state,
    reply: record('reply'),
    deferReply: record('deferReply'),
    editReply: record('editReply'),
    deleteReply: record('deleteReply', () => (options.deleteFails ? Promise.reject(new Error('Unknown Message')) : Promise.resolve())),
    followUp: record('followUp'),
    isMessageComponent: () => options.component === true,
    isModalSubmit: () => false,
  };
  return { interaction, asInteraction: interaction as unknown as RepliableInteraction, calls };
}

const EPHEMERAL_PAYLOAD = { content: CONTENT, flags: MessageFlags.Ephemeral, allowedMentions: expect.objectContaining({ parse: [] }) };

describe('respondWithError', () => {
  it('replies ephemerally when nothing was sent yet', async () => {
    const { interaction, asInteraction, calls } = fakeInteraction({ deferred: false, replied: false, ephemeral: null });
    await respondWithError(asInteraction, CONTENT);
    expect(calls).toEqual(['reply']);
    expect(interaction.reply).toHaveBeenCalledWith(EPHEMERAL_PAYLOAD);
  });

  it('follows up on a component that deferred, never deleting the message its button is on', async () => {
    const { interaction, asInteraction, calls } = fakeInteraction({ deferred: true, replied: false, ephemeral: false }, { component: true });
    await respondWithError(asInteraction, CONTENT);
    expect(calls).toEqual(['followUp']);
    expect(interaction.followUp).toHaveBeenCalledWith(EPHEMERAL_PAYLOAD);
  });

  it('edits the private reply a component deferred (a vote, "More"), which a follow-up would leave thinking', async () => {
    const { interaction, asInteraction, calls } = fakeInteraction({ deferred: true, replied: false, ephemeral: true }, { component: true });
    await respondWithError(asInteraction, CONTENT);
    expect(calls).toEqual(['editReply']);
    expect(interaction.editReply).toHaveBeenCalledWith({ content: CONTENT, allowedMentions: expect.objectContaining({ parse: [] }) });
  });

  it('follows up on a component that deferred an update of its message (discord.js leaves ephemeral unset)', async () => {
    const { interaction, asInteraction, calls } = fakeInteraction({ deferred: true, replied: false, ephemeral: null }, { component: true });
    await respondWithError(asInteraction, CONTENT);
    expect(calls).toEqual(['followUp']);
    expect(interaction.followUp).toHaveBeenCalledWith(EPHEMERAL_PAYLOAD);
  });

  it('deletes a public deferral and follows up ephemerally, so the channel never sees the error', async () => {
    const { interaction, asInteraction, calls } = fakeInteraction({ deferred: true, replied: false, ephemeral: false });
    await respondWithError(asInteraction, CONTENT);
    expect(calls).toEqual(['deleteReply', 'followUp']);
    expect(interaction.followUp).toHaveBeenCalledWith(EPHEMERAL_PAYLOAD);
  });

  it('still follows up when deleting the public deferral fails', async () => {
    const { interaction, asInteraction, calls } = fakeInteraction({ deferred: true, replied: false, ephemeral: false }, { deleteFails: true });
    await respondWithError(asInteraction, CONTENT);
    expect(calls).toEqual(['deleteReply', 'followUp']);
    expect(interaction.followUp).toHaveBeenCalledWith(EPHEMERAL_PAYLOAD);
  });

  it('edits an ephemeral deferral, which stays ephemeral', async () => {
    const { interaction, asInteraction, calls } = fakeInteraction({ deferred: true, replied: false, ephemeral: true });
    await respondWithError(asInteraction, CONTENT);
    expect(calls).toEqual(['editReply']);
    expect(interaction.editReply).toHaveBeenCalledWith({ content: CONTENT, allowedMentions: expect.objectContaining({ parse: [] }) });
  });

  it('follows up ephemerally after a reply, or after a deferral was already edited', async () => {
    for (const state of [
      { deferred: false, replied: true, ephemeral: false },
      { deferred: false, replied: true, ephemeral: true },
      { deferred: true, replied: true, ephemeral: false },
      { deferred: true, replied: true, ephemeral: true },
    ]) {
      const { interaction, asInteraction, calls } = fakeInteraction(state);
      await respondWithError(asInteraction, CONTENT);
      expect(calls, JSON.stringify(state)).toEqual(['followUp']);
      expect(interaction.followUp).toHaveBeenCalledWith(EPHEMERAL_PAYLOAD);
    }
  });

  it('never lets the message ping anyone', async () => {
    for (const state of [
      { deferred: false, replied: false, ephemeral: null },
      { deferred: true, replied: false, ephemeral: false },
      { deferred: true, replied: false, ephemeral: true },
      { deferred: false, replied: true, ephemeral: false },
    ]) {
      const { interaction, asInteraction } = fakeInteraction(state);
      await respondWithError(asInteraction, CONTENT);
      const sent = [interaction.reply, interaction.editReply, interaction.followUp].flatMap((fn) => fn.mock.calls.map((call) => call[0]));
      expect(sent).toHaveLength(1);
      expect((sent[0] as { allowedMentions: { parse: unknown[] } }).allowedMentions.parse).toEqual([]);
    }
  });
});

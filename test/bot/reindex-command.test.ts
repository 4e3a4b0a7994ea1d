/**
 * /reindex near the end of an interaction token's life: Discord accepts edits for 15 minutes, so
 * a rebuild that outlasts the edit window posts its summary in the channel instead of editing.
 * (The end-to-end suite covers the usual path against the Discord twin.)
 */
import { PermissionFlagsBits, PermissionsBitField, type ChatInputCommandInteraction } from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandContext } from '../../src/bot/command.ts';
import { reindexCommand } from '../../src/bot/commands/reindex.ts';
import { messagesFor } from '../../src/bot/messages.ts';
import type { IndexSummary } from '../../src/indexer/run-indexer.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';

const SUMMARY: IndexSummary = {
  mode: 'lexical',
  model: null,
  notice: null,
  articles: 3,
  passages: 12,
  added: ['a'],
  changed: [],
  removed: [],
  unchanged: 2,
  skipped: [],
  embeddedPassages: 0,
  resumedPassages: 0,
  denseCalibration: null,
  denseCalibrationReused: false,
  seconds: 0,
  passagesPerSecond: 0,
  timings: { parse: 0, chunk: 0, embed: 0, insert: 0, lexical: 0, save: 0 },
};

/** A moderator's /reindex whose rebuild takes `rebuildMinutes` (on a fake clock). */
async function runReindex(rebuildMinutes: number) {
  const calls: { method: string; payload: unknown }[] = [];
  const record = (method: string) =>
    vi.fn((payload?: unknown) => {
      calls.push({ method, payload });
      return Promise.resolve({});
    });
  const interaction = {
    inGuild: () => true,
    memberPermissions: new PermissionsBitField(PermissionFlagsBits.ManageGuild),
    member: { roles: [] },
    user: { id: 'moderator' },
    reply: record('reply'),
    deferReply: record('deferReply'),
    editReply: record('editReply'),
    channel: { isSendable: () => true, send: record('channel.send') },
  };
  const service = {
    reindexRunning: false,
    reindex: async () => {
      vi.setSystemTime(Date.now() + rebuildMinutes * 60_000);
      return SUMMARY;
    },
  };
  const context = { service, config: { moderatorRoleIds: [] }, logger: recordingLogger(), messages: messagesFor('en') } as unknown as CommandContext;
  await reindexCommand.execute(interaction as unknown as ChatInputCommandInteraction, context);
  return calls;
}

const summaryTitle = (payload: unknown): string | undefined => (payload as { embeds?: { title?: string }[] }).embeds?.[0]?.title;

describe('/reindex and the interaction token lifetime', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('edits its reply into the summary when the rebuild ends within the edit window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const calls = await runReindex(2);
    const summaries = calls.filter((call) => summaryTitle(call.payload) === 'Index rebuilt');
    expect(summaries.map((call) => call.method)).toEqual(['editReply']);
  });

  it('posts the summary in the channel, without pinging anyone, once the token is about to expire', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const calls = await runReindex(16);
    const summaries = calls.filter((call) => summaryTitle(call.payload) === 'Index rebuilt');
    expect(summaries.map((call) => call.method)).toEqual(['channel.send']);
    expect(summaries[0]!.payload).toMatchObject({ allowedMentions: { parse: [] } });
    // Only the "started" edit went out through the token; nothing after the window.
    expect(calls.filter((call) => call.method === 'editReply')).toHaveLength(1);
  });
});

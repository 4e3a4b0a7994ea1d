/**
 * The bot token never appears in logs or replies (issue #6). Runs the real entry point
 * (`tsx src/bot/main.ts`, as `npm start` does) against a Discord twin in this process, at
 * LOG_LEVEL=trace, and scans everything it writes to stdout and stderr — through questions,
 * failing Discord calls, a /reindex that fails with the token in the error (it is in the seeds
 * path), a refused /reindex, a mention, a dropped gateway connection, and shutdown — plus every request body and message the twin recorded. Then a failed login (a wrong
 * token) and a configuration error, which must not print the token either. Interaction tokens
 * (secrets for 15 minutes) must not be logged either.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/bot/register-commands.ts';
import { runIndexer } from '../../src/indexer/run-indexer.ts';
import { startDiscordTwin, type DiscordTwin, type InteractionHandle } from '../discord-twin/twin.js';
import { fixtureModelSettings, loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { ask, BOT_TOKEN, FIXTURE_MODEL, isAnswer, SEED_DIR, SEED_QUESTION, shownText, sleep, startBotProcess, tempDir } from './helpers.ts';

/** Another token-shaped secret, for the failed login and the configuration error. */
const WRONG_TOKEN = 'MTQwMDAwMDAwMDAwMDAwMDAwMQ.GzyxwV.zyxwvutsrqponmlkjihgfedcba9876543210ZY';

let work: string;
let indexDir: string;

beforeAll(async () => {
  work = await tempDir('token-');
  indexDir = path.join(work, 'index');
  await runIndexer({ seedsDir: SEED_DIR, indexDir, mode: 'hybrid', modelSettings: fixtureModelSettings, embedder: await loadFixtureEmbedder() });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The token and its secret part (the part before the first dot is the public bot id). */
function secretsOf(token: string): string[] {
  return [token, token.split('.').slice(1).join('.'), token.split('.')[2]!];
}

function expectNoSecret(text: string, secrets: readonly string[], where: string): void {
  for (const secret of secrets) expect(text.includes(secret), `${where} contains a secret (${secret.slice(0, 6)}…)`).toBe(false);
}

describe('npm start: the token never appears', () => {
  let twin: DiscordTwin;

  beforeAll(async () => {
    twin = await startDiscordTwin({ token: BOT_TOKEN });
    await registerCommands({ token: BOT_TOKEN, apiUrl: twin.apiUrl, clientId: twin.ids.applicationId, guildId: twin.ids.guildId });
  });

  afterAll(async () => {
    await twin?.close();
  });

  it('in anything the running bot logs or sends, through errors, reconnects and shutdown', { timeout: 90_000 }, async () => {
    const bot = startBotProcess({
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_API_URL: twin.apiUrl,
      DISCORD_CLIENT_ID: twin.ids.applicationId,
      DISCORD_GUILD_ID: twin.ids.guildId,
      // The token in a path that error messages quote: redaction must catch it there too.
      QUELLE_SEEDS_DIR: path.join(work, `seeds-${BOT_TOKEN}`),
      QUELLE_INDEX_DIR: indexDir,
      EMBEDDING_MODEL_DIR: FIXTURE_MODEL,
      QUELLE_COOLDOWN_SECONDS: '0',
      // Every /ask defers first, so that an edit of the deferred reply (whose URL holds the
      // interaction token) can fail below; by default a fast answer is the reply itself.
      QUELLE_ANSWER_FIRST_MS: '0',
      LOG_LEVEL: 'trace',
    });
    const handles: InteractionHandle[] = [];
    try {
      await bot.waitFor(/Quelle is ready/);

      handles.push(await ask(twin, SEED_QUESTION));
      expect(isAnswer(await handles.at(-1)!.waitForFinal(10_000))).toBe(true);

      // A Discord failure beyond retries: logged as an error (its URL holds the interaction token).
      twin.failNext({ method: 'PATCH', pathPattern: /\/messages\/@original$/, status: 500, times: 4 });
      handles.push(await ask(twin, SEED_QUESTION));
      await handles.at(-1)!.waitForFollowup(() => true, 15_000);
      await bot.waitFor(/Command failed/);

      // A reindex that fails with the token in its error message, shown to the moderator.
      handles.push(await twin.sendCommand({ name: 'reindex', user: twin.ids.ownerId }));
      const failed = await handles.at(-1)!.waitForEdit((message) => /rebuild failed/.test(message.content), 30_000);
      expect(failed.content).toContain('[redacted]');
      await bot.waitFor(/Reindex failed/);

      const member = twin.addMember({ username: 'plain', permissions: 0n });
      handles.push(await twin.sendCommand({ name: 'reindex', user: member.id, permissions: '0' }));
      await handles.at(-1)!.waitForCallback();

      const botId = twin.ids.botUserId;
      const sent = await twin.sendMessage({ content: `<@${botId}> ${SEED_QUESTION}`, mentions: [botId] });
      await sent.waitForReply(undefined, 10_000);

      // (An invalid session is left to discord-faults.test.ts: here discord.js would wait 5 s to identify again.)
      twin.dropGateway();
      await sleep(100);
      await twin.waitForGatewayConnected(15_000);
      handles.push(await ask(twin, SEED_QUESTION));
      await handles.at(-1)!.waitForFinal(15_000);

      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    }
    const output = bot.output();
    if (process.env.SHOW_BOT_OUTPUT) console.log(output);
    expect(output).toMatch(/Shutting down/);
    expect(output.split('\n').length).toBeGreaterThan(10);
    expectNoSecret(output, secretsOf(BOT_TOKEN), 'the bot output');
    for (const handle of handles) expectNoSecret(output, [handle.token], 'the bot output (interaction token)');
    expectNoSecret(JSON.stringify(twin.requests.map((request) => request.body)), secretsOf(BOT_TOKEN), 'a request body');
    expectNoSecret(twin.channelMessages().map(shownText).join('\n'), secretsOf(BOT_TOKEN), 'a message');
    console.log(`token scan (running bot): ${output.length} characters of output in ${output.split('\n').length} lines, ${twin.requests.length} requests, ${twin.channelMessages().length} messages — no token`);
  });

  it('after a failed login with a wrong token', { timeout: 60_000 }, async () => {
    const bot = startBotProcess({
      DISCORD_TOKEN: WRONG_TOKEN,
      DISCORD_API_URL: twin.apiUrl,
      QUELLE_INDEX_DIR: indexDir,
      EMBEDDING_MODEL_DIR: FIXTURE_MODEL,
      LOG_LEVEL: 'trace',
    });
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toMatch(/Login failed: check DISCORD_TOKEN/);
    expectNoSecret(bot.output(), secretsOf(WRONG_TOKEN), 'the output of a failed login');
  });

  it('after a configuration error', { timeout: 60_000 }, async () => {
    const bot = startBotProcess({ DISCORD_TOKEN: WRONG_TOKEN, DISCORD_API_URL: 'not a url', QUELLE_COOLDOWN_SECONDS: '-1', LOG_LEVEL: 'trace' });
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toMatch(/Invalid configuration[\s\S]*DISCORD_API_URL[\s\S]*QUELLE_COOLDOWN_SECONDS/);
    expectNoSecret(bot.output(), secretsOf(WRONG_TOKEN), 'the output of a configuration error');
  });
});

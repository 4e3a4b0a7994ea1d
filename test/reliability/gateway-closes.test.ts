/**
 * Gateway closes (issue #10, finding 6 and the outage item): a close Discord will not take back
 * (4004 authentication failed, 4010–4014) makes `npm start` log a fatal line that says what to do
 * and exit 1, so that a supervisor sees a failure, not a clean stop; the token never appears.
 * A long outage is logged: the lost connection, a warning at every interval while it lasts (with
 * the reconnect attempts so far), and the return.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/bot.ts';
import { FATAL_CLOSE_ADVICE, GatewayClosedError } from '../../src/bot/gateway-watch.ts';
import { loadBotConfig } from '../../src/config.ts';
import { startDiscordTwin, type DiscordTwin } from '../discord-twin/twin.js';
import { ask, BOT_TOKEN, isAnswer, NO_IDENTIFY_THROTTLE, recordingLogger, SEED_QUESTION, startBotProcess, startHarness, tempDir, twinEnv, type Harness } from './helpers.ts';

let work: string;

beforeAll(async () => {
  work = await tempDir('gateway-');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Settings for a bot that needs no model and no index (it starts without one, and says so). */
function lexicalEnv(twin: DiscordTwin): Record<string, string> {
  return { ...twinEnv(twin, path.join(work, 'seeds'), path.join(work, 'no-index')), QUELLE_MODE: 'lexical', LOG_LEVEL: 'info' };
}

/** The pino line (JSON) at level fatal (60) in the output, parsed. */
function fatalLine(output: string): { closeCode?: number; msg: string } | undefined {
  const line = output.split('\n').find((text) => text.startsWith('{') && text.includes('"level":60'));
  return line ? (JSON.parse(line) as { closeCode?: number; msg: string }) : undefined;
}

function expectNoToken(output: string): void {
  for (const secret of [BOT_TOKEN, BOT_TOKEN.split('.').slice(1).join('.')]) expect(output.includes(secret)).toBe(false);
}

describe('npm start and a gateway close Discord will not take back', () => {
  let twin: DiscordTwin;

  beforeAll(async () => {
    twin = await startDiscordTwin({ token: BOT_TOKEN });
  });

  afterAll(async () => {
    await twin?.close();
  });

  it('4004 while running: a fatal line that says to check DISCORD_TOKEN, exit code 1', { timeout: 60_000 }, async () => {
    const bot = startBotProcess(lexicalEnv(twin));
    try {
      await bot.waitFor(/Quelle is ready/);
      twin.closeGateway(4004, 'Authentication failed');
      expect(await bot.exited).toBe(1);
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    }
    const fatal = fatalLine(bot.output());
    expect(fatal?.closeCode).toBe(4004);
    expect(fatal?.msg).toMatch(/^Discord rejected the bot token \(gateway close 4004, authentication failed\)\. Check DISCORD_TOKEN in \.env/);
    expectNoToken(bot.output());
  });

  it('4014 at login: a fatal line that says to enable the intent in the Developer Portal, exit code 1', { timeout: 60_000 }, async () => {
    twin.refuseIdentify(4014);
    const bot = startBotProcess(lexicalEnv(twin));
    try {
      expect(await bot.exited).toBe(1);
    } finally {
      twin.refuseIdentify(null);
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    }
    expect(twin.gatewayLog.filter((event) => event.type === 'server_close').map((event) => event.code)).toContain(4014);
    const fatal = fatalLine(bot.output());
    expect(fatal?.closeCode).toBe(4014);
    expect(fatal?.msg).toContain('Privileged Gateway Intents');
    expect(fatal?.msg).toContain('QUELLE_ANSWER_CHANNEL_IDS');
    expect(bot.output()).not.toMatch(/Quelle is ready/);
    expectNoToken(bot.output());
  });
});

describe('the bot and the other unrecoverable closes (4010–4013)', () => {
  it.each([4010, 4011, 4012, 4013])('%i while running: bot.fatal resolves with the advice; the bot does not reconnect', async (code) => {
    const twin = await startDiscordTwin({ token: BOT_TOKEN });
    const bot = createBot({ config: loadBotConfig(lexicalEnv(twin)), logger: recordingLogger(), clientOptions: { waitGuildTimeout: 100, ...NO_IDENTIFY_THROTTLE } });
    try {
      await bot.start();
      twin.closeGateway(code);
      const error = await bot.fatal;
      expect(error).toBeInstanceOf(GatewayClosedError);
      expect(error.closeCode).toBe(code);
      expect(error.message).toBe(FATAL_CLOSE_ADVICE.get(code));
      expect(twin.gatewayLog.filter((event) => event.type === 'connect')).toHaveLength(1);
    } finally {
      await bot.stop();
      await twin.close();
    }
  });

  it('4013 at login: start() rejects with the advice instead of a bare "Used invalid intents"', async () => {
    const twin = await startDiscordTwin({ token: BOT_TOKEN });
    twin.refuseIdentify(4013);
    const bot = createBot({ config: loadBotConfig(lexicalEnv(twin)), logger: recordingLogger(), clientOptions: { waitGuildTimeout: 100 } });
    try {
      await expect(bot.start()).rejects.toMatchObject({ closeCode: 4013, message: FATAL_CLOSE_ADVICE.get(4013) });
    } finally {
      await bot.stop();
      await twin.close();
    }
  });
});

it('stopping the bot is not logged as a lost connection', async () => {
  const twin = await startDiscordTwin({ token: BOT_TOKEN });
  const logger = recordingLogger();
  const bot = createBot({ config: loadBotConfig(lexicalEnv(twin)), logger, clientOptions: { waitGuildTimeout: 100 } });
  try {
    await bot.start();
    await bot.stop();
    expect(twin.gatewayLog.filter((event) => event.type === 'close').map((event) => event.code)).toEqual([1000]);
    expect(logger.lines.filter((line) => /Gateway/.test(line))).toEqual([]);
  } finally {
    await twin.close();
  }
});

describe('a long gateway outage', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ outageWarningIntervalMs: 400 });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('is logged when it starts, every interval while it lasts, and when it ends; the bot answers after', { timeout: 30_000 }, async () => {
    const { logger, twin } = h;
    const from = logger.lines.length;
    twin.takeGatewayDown();
    const lost = await logger.waitFor(/^warn .*"closeCode":1006.* Gateway connection lost; reconnecting$/, 10_000, from);
    const still = /^warn .* Gateway still disconnected after ([\d.]+) s; reconnecting \((\d+) attempts? so far\)$/;
    const first = await logger.waitFor(still, 10_000, from);
    const second = await logger.waitFor(still, 10_000, logger.lines.indexOf(first) + 1);
    expect(twin.gatewayLog.filter((event) => event.type === 'refused').length).toBeGreaterThan(0);
    twin.bringGatewayUp();
    const back = await logger.waitFor(/^info .* Gateway connection (resumed|restored with a new session) after ([\d.]+) s \((\d+) attempts?\)$/, 15_000, from);

    expect(logger.lines.slice(from).filter((line) => line === lost)).toHaveLength(1);
    const [, firstSeconds, firstAttempts] = still.exec(first)!.map(Number);
    const [, secondSeconds, secondAttempts] = still.exec(second)!.map(Number);
    expect(secondSeconds).toBeGreaterThan(firstSeconds!);
    expect(secondAttempts).toBeGreaterThanOrEqual(firstAttempts!);
    const backSeconds = Number(/after ([\d.]+) s/.exec(back)![1]);
    expect(backSeconds).toBeGreaterThanOrEqual(secondSeconds!);
    expect(Number(/\((\d+) attempts?\)$/.exec(back)![1])).toBeGreaterThanOrEqual(secondAttempts!);
    // Each reconnect attempt is there at debug level.
    expect(logger.lines.slice(from).filter((line) => /^debug .*Gateway reconnect attempt/.test(line)).length).toBeGreaterThanOrEqual(secondAttempts! - 1);

    // Back: questions are answered, and the warnings stop (a quiet interval and more cannot be
    // awaited as an event, so the check waits a little longer than one interval).
    const answered = await ask(twin, SEED_QUESTION);
    expect(isAnswer(await answered.waitForFinal(15_000))).toBe(true);
    const warned = logger.lines.filter((line) => still.test(line)).length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(logger.lines.filter((line) => still.test(line))).toHaveLength(warned);
  });
});

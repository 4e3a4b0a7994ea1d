/**
 * The bot's command-line entry points as users run them (issue #10): `npm start -- --help` prints
 * the usage instead of starting the bot, unknown flags are usage errors (exit 2, like the CLI
 * commands), and `npm run register` says what to check when Discord refuses the ids in .env —
 * e.g. after the Discord twin was restarted — instead of a bare "Missing Access".
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordTwin, type DiscordTwin } from '../discord-twin/twin.js';
import { BOT_TOKEN } from '../e2e/bot-harness.ts';
import { runScript } from '../helpers/index-fixtures.ts';

const MAIN = path.join('src', 'bot', 'main.ts');
const REGISTER = path.join('src', 'bot', 'register.ts');
/** Ids of another twin run: valid snowflakes this twin does not know. */
const STALE_APPLICATION = '1300000000000000042';
const STALE_GUILD = '1300000000000000043';

let twin: DiscordTwin;

beforeAll(async () => {
  twin = await startDiscordTwin({ token: BOT_TOKEN });
});

afterAll(async () => {
  await twin?.close();
});

/** Settings that point at the twin, with every Discord setting given (none from a .env). */
function env(overrides: Record<string, string> = {}): Record<string, string> {
  return { DISCORD_TOKEN: BOT_TOKEN, DISCORD_API_URL: twin.apiUrl, DISCORD_CLIENT_ID: twin.ids.applicationId, DISCORD_GUILD_ID: twin.ids.guildId, QUELLE_MODE: 'lexical', ...overrides };
}

describe('npm start', () => {
  it('--help prints what it does, the settings it needs and the related commands, exit 0, without connecting', async () => {
    const requestsBefore = twin.requests.length;
    const { code, stdout, stderr } = await runScript(MAIN, ['--help'], env());
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Usage: npm start/);
    expect(stdout).toContain('Runs the Quelle Discord bot');
    for (const needed of ['DISCORD_TOKEN', 'npm run index', 'npm run register', 'test/discord-twin/serve.ts']) expect(stdout).toContain(needed);
    expect(stderr).toBe('');
    expect(twin.requests.length).toBe(requestsBefore);
    expect(twin.gatewayLog).toEqual([]);
  });

  it('-h needs no settings at all', async () => {
    const { code, stdout } = await runScript(MAIN, ['-h'], { DISCORD_TOKEN: '' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm start/);
  });

  it.each([['--bogus'], ['extra']])('%s is a usage error: exit 2, the usage on stderr, nothing started', async (arg) => {
    const requestsBefore = twin.requests.length;
    const { code, stdout, stderr } = await runScript(MAIN, [arg], env());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Usage: npm start/);
    expect(twin.requests.length).toBe(requestsBefore);
  });
});

describe('npm run register', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--guild', 'abc'], '--guild must be a Discord server id (17–20 digits), not "abc".'],
    [['--guild', STALE_GUILD, '--global'], 'Give either --guild ID or --global, not both.'],
    [['extra'], 'Unexpected argument "extra".'],
  ])('%j is a usage error: exit 2 like the other commands, with the usage', { concurrent: true }, async (args, message) => {
    const { code, stdout, stderr } = await runScript(REGISTER, args, env());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: npm run register -- [--guild ID | --global]');
  });

  it('registers in the guild of .env', async () => {
    const { code, stdout, stderr } = await runScript(REGISTER, [], env());
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Registered \\d+ commands \\(/ask, .*\\) in guild ${twin.ids.guildId}\\.\\n$`));
  });

  it.concurrent('a stale DISCORD_GUILD_ID: says the bot is not in that server or the id is stale (e.g. an earlier twin run), exit 1, no stack', async () => {
    const { code, stdout, stderr } = await runScript(REGISTER, [], env({ DISCORD_GUILD_ID: STALE_GUILD }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(`^error: Discord answered "Missing Access" when registering the commands in server ${STALE_GUILD}\\. Either the bot is not in that server .*, or DISCORD_GUILD_ID \\(or --guild\\) in \\.env is wrong: it may be stale, for example from an earlier run of the Discord twin.*\\n$`),
    );
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it.concurrent('a stale DISCORD_CLIENT_ID: says it is not the application of the token, exit 1', async () => {
    const { code, stderr } = await runScript(REGISTER, [], env({ DISCORD_CLIENT_ID: STALE_APPLICATION }));
    expect(code).toBe(1);
    expect(stderr).toContain(`DISCORD_CLIENT_ID in .env (${STALE_APPLICATION}) is not the application of DISCORD_TOKEN: it may be stale, for example from an earlier run of the Discord twin`);
    expect(stderr).toContain('or leave it empty to look it up from the token');
    expect(stderr).not.toContain(BOT_TOKEN.split('.')[2]!);
  });

  it.concurrent('a wrong token: says to check DISCORD_TOKEN, and does not print it', async () => {
    const wrong = 'MTQwMDAwMDAwMDAwMDAwMDAwMQ.GzyxwV.zyxwvutsrqponmlkjihgfedcba9876543210ZY';
    const { code, stderr } = await runScript(REGISTER, [], env({ DISCORD_TOKEN: wrong }));
    expect(code).toBe(1);
    expect(stderr).toContain('error: Discord rejected the bot token (401 Unauthorized). Check DISCORD_TOKEN in .env');
    expect(stderr).not.toContain(wrong.split('.')[2]!);
  });
});

// Proves the Discord twin against the real discord.js v14 client: login, slash commands,
// Discord's deadlines and limits, allowed_mentions analysis, command registration, gateway
// resume/re-identify and REST fault injection.

import {
  ApplicationCommandOptionType,
  Client,
  type ChatInputApplicationCommandData,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type TextChannel,
} from 'discord.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordTwin, type DiscordTwin, type TwinOptions } from './discord-twin/twin.js';

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent];

const running: { twin: DiscordTwin; clients: Client[] }[] = [];

afterEach(async () => {
  // Destroy clients first: a twin closing under a live client makes it reconnect.
  for (const { twin, clients } of running.splice(0)) {
    for (const client of clients) await client.destroy();
    await twin.close();
  }
});

async function boot(options: TwinOptions = {}, clientOptions: { noIdentifyThrottle?: boolean } = {}) {
  const twin = await startDiscordTwin(options);
  const client = new Client({
    intents: INTENTS,
    rest: { api: twin.apiUrl },
    waitGuildTimeout: 100,
    // The default throttler delays an IDENTIFY within 5 s of the previous one; only the
    // re-identify test needs it gone.
    ...(clientOptions.noIdentifyThrottle ? { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) } } : {}),
  });
  running.push({ twin, clients: [client] });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(twin.token);
  await ready;
  return { twin, client };
}

function nextInteraction(client: Client): Promise<ChatInputCommandInteraction> {
  return new Promise((resolve, reject) => {
    client.once(Events.InteractionCreate, (interaction: Interaction) => {
      if (interaction.isChatInputCommand()) resolve(interaction);
      else reject(new Error(`expected a chat input command, got interaction type ${interaction.type}`));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DiscordAPIError)) throw new Error(`expected a DiscordAPIError, got ${String(error)}`);
  return error;
}

describe('discord twin with the real discord.js client', { timeout: 15_000 }, () => {
  it('logs in: clientReady with guild, channel, roles and the bot member cached; heartbeats are ACKed', async () => {
    const { twin, client } = await boot({ heartbeatIntervalMs: 100 });

    const guild = client.guilds.cache.get(twin.ids.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.roles.everyone.id).toBe(twin.ids.guildId);
    expect(guild?.members.me?.id).toBe(twin.ids.botUserId);
    expect(guild?.ownerId).toBe(twin.ids.ownerId);
    const channel = client.channels.cache.get(twin.ids.channelId);
    expect(channel?.isTextBased()).toBe(true);
    expect(client.user?.id).toBe(twin.ids.botUserId);
    expect(client.application?.id).toBe(twin.ids.applicationId);
    expect(guild?.members.me?.permissionsIn(twin.ids.channelId).has(PermissionFlagsBits.SendMessages)).toBe(true);

    // A heartbeat round trip sets the shard ping (it stays -1 without an ACK).
    for (let i = 0; i < 50 && client.ws.ping < 0; i++) await sleep(20);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);

    expect(twin.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /gateway/bot 200']);
    expect(twin.gatewayLog.map((e) => e.type)).toEqual(['connect', 'identify']);
    expect(twin.violations).toEqual([]);
  });

  it('rejects a bad token at /gateway/bot, so login() fails', async () => {
    const twin = await startDiscordTwin();
    const client = new Client({ intents: INTENTS, rest: { api: twin.apiUrl }, waitGuildTimeout: 100 });
    running.push({ twin, clients: [client] });

    await expect(client.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(twin.requests).toMatchObject([{ method: 'GET', path: '/gateway/bot', status: 401 }]);
    expect(twin.violations.map((v) => v.kind)).toEqual(['unauthorized']);
  });

  it('delivers a slash command with options, locale and member permissions; records defer + edit + follow-up', async () => {
    const { twin, client } = await boot();
    const moderator = twin.addRole({ name: 'Moderator', permissions: PermissionFlagsBits.ManageMessages });
    const mod = twin.addMember({ username: 'mod', roles: [moderator.id] });

    const received = nextInteraction(client);
    const handle = await twin.sendCommand({
      name: 'frage',
      options: [
        { name: 'text', type: ApplicationCommandOptionType.String, value: 'Was ist passiert?' },
        { name: 'anzahl', type: ApplicationCommandOptionType.Integer, value: 3 },
      ],
      user: mod.id,
      locale: 'de',
    });
    const interaction = await received;

    expect(interaction.commandName).toBe('frage');
    expect(interaction.options.getString('text')).toBe('Was ist passiert?');
    expect(interaction.options.getInteger('anzahl')).toBe(3);
    expect(interaction.locale).toBe('de');
    expect(interaction.guildLocale).toBe('en-US');
    expect(interaction.user.id).toBe(mod.id);
    expect(interaction.channelId).toBe(twin.ids.channelId);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages)).toBe(true);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.Administrator)).toBe(false);
    expect(interaction.appPermissions.has(PermissionFlagsBits.EmbedLinks)).toBe(true);

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    expect(handle.state).toBe('deferred');
    expect(handle.original()).toMatchObject({ loading: true, ephemeral: true, content: '' });

    await interaction.editReply({
      embeds: [new EmbedBuilder().setTitle('Antwort').setDescription('Laut Artikel …').addFields({ name: 'Quelle', value: '[1] Tagesblatt' })],
    });
    const final = await handle.waitForFinal();
    expect(final.embeds[0]).toMatchObject({ title: 'Antwort', fields: [{ name: 'Quelle', value: '[1] Tagesblatt' }] });
    expect(final.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(final.loading).toBe(false);
    expect(handle.state).toBe('replied');
    expect(handle.callbacks).toMatchObject([{ type: 5, status: 204, data: { flags: MessageFlags.Ephemeral } }]);

    await interaction.followUp({ content: 'Mehr Quellen', flags: MessageFlags.Ephemeral });
    const followup = await handle.waitForFollowup((m) => m.content === 'Mehr Quellen');
    expect(followup.ephemeral).toBe(true);

    const fetched = await interaction.fetchReply();
    expect(fetched.embeds[0]?.title).toBe('Antwort');
    expect(twin.violations).toEqual([]);
  });

  it('answers a first callback after 3 s with 10062 and records the violation', async () => {
    const { twin, client } = await boot();
    const received = nextInteraction(client);
    const handle = await twin.sendCommand({ name: 'langsam' });
    const interaction = await received;

    await sleep(3100);
    const error = await rejection(interaction.reply('zu spät'));
    expect(error.code).toBe(10062);
    expect(error.status).toBe(404);
    expect(handle.state).toBe('expired');
    expect(twin.violations).toMatchObject([{ kind: 'interaction_expired', code: 10062, interactionId: handle.id }]);
    expect(handle.callbacks[0]?.elapsedMs).toBeGreaterThan(3000);
  });

  it('answers a second callback with 40060 and records the violation', async () => {
    const { twin, client } = await boot();
    const received = nextInteraction(client);
    const handle = await twin.sendCommand({ name: 'doppelt' });
    const interaction = await received;

    // Two concurrent replies both pass discord.js' local "already replied" check.
    const results = await Promise.allSettled([interaction.reply('eins'), interaction.reply('zwei')]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ code: 40060, status: 400 });
    expect(twin.violations).toMatchObject([{ kind: 'interaction_already_acknowledged', code: 40060, interactionId: handle.id }]);
    expect(handle.callbacks.map((c) => c.status).sort()).toEqual([204, 400]);
  });

  it('rejects an embed field value over 1024 chars with 50035; a corrected reply still works', async () => {
    const { twin, client } = await boot();
    const received = nextInteraction(client);
    const handle = await twin.sendCommand({ name: 'lang' });
    const interaction = await received;

    // A plain object bypasses EmbedBuilder's own validation, like hand-built embeds do.
    const error = await rejection(interaction.reply({ embeds: [{ fields: [{ name: 'Auszug', value: 'x'.repeat(1025) }] }] }));
    expect(error.code).toBe(50035);
    expect(error.message).toContain('embeds[0].fields[0].value');
    expect(twin.violations).toMatchObject([
      { kind: 'invalid_form_body', code: 50035, details: ['embeds[0].fields[0].value: Must be 1024 or fewer in length.'] },
    ]);

    // A rejected callback does not acknowledge the interaction.
    await interaction.reply({ embeds: [{ fields: [{ name: 'Auszug', value: 'x'.repeat(1024) }] }] });
    expect((await handle.waitForFinal()).embeds[0]?.fields?.[0]?.value).toHaveLength(1024);

    const channel = client.channels.cache.get(twin.ids.channelId) as TextChannel;
    expect((await rejection(channel.send('y'.repeat(2001)))).code).toBe(50035);
    expect((await rejection(channel.send({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }))).code).toBe(50035);
    expect(twin.violations.map((v) => v.details[0])).toEqual([
      'embeds[0].fields[0].value: Must be 1024 or fewer in length.',
      'content: Must be 2000 or fewer in length.',
      'embeds: Must be 10 or fewer in length.',
    ]);
  });

  it('computes wouldPing from allowed_mentions', async () => {
    const { twin, client } = await boot();
    const channel = client.channels.cache.get(twin.ids.channelId) as TextChannel;

    const quiet = await channel.send({ content: '@everyone hi', allowedMentions: { parse: [] } });
    const loud = await channel.send('@everyone hi');
    const user = await channel.send({ content: `<@${twin.ids.userId}> schau mal`, allowedMentions: { users: [] } });

    const stored = (id: string) => twin.channelMessages().find((m) => m.id === id);
    expect(stored(quiet.id)).toMatchObject({ wouldPing: false, allowedMentions: { parse: [] } });
    expect(stored(loud.id)).toMatchObject({ wouldPing: true, allowedMentions: undefined, pings: { everyone: true } });
    expect(stored(user.id)).toMatchObject({ wouldPing: false, pings: { users: [] } });
    expect(twin.violations).toEqual([]);
  });

  it('answers a user who mentions the bot; the reply is observable and does not ping', async () => {
    const { twin, client } = await boot();
    client.on(Events.MessageCreate, (message: Message) => {
      if (message.author.bot || !message.mentions.has(client.user?.id ?? '')) return;
      void message.reply({ content: `Antwort auf: ${message.content}`, allowedMentions: { repliedUser: false } });
    });

    const asked = await twin.sendMessage({ content: 'Was steht im Artikel?', mentions: [twin.ids.botUserId] });
    expect(asked.delivered).toBe(true);
    const reply = await asked.waitForReply();
    expect(reply.content).toBe(`Antwort auf: <@${twin.ids.botUserId}> Was steht im Artikel?`);
    expect(reply.referencedMessageId).toBe(asked.message.id);
    expect(reply.wouldPing).toBe(false);
    expect(twin.violations).toEqual([]);
  });

  it('registers guild and global commands and dispatches only registered ones', async () => {
    const { twin, client } = await boot();
    const application = client.application;
    if (!application) throw new Error('no application');
    const frage: ChatInputApplicationCommandData = {
      name: 'frage',
      description: 'Stelle eine Frage zu den Artikeln',
      descriptionLocalizations: { de: 'Stelle eine Frage zu den Artikeln' },
      options: [{ type: ApplicationCommandOptionType.String, name: 'text', description: 'Deine Frage', required: true }],
    };

    const guildSet = await application.commands.set([frage], twin.ids.guildId);
    const globalSet = await application.commands.set([{ name: 'hilfe', description: 'Hilfe' }]);

    expect(twin.commands(twin.ids.guildId).map((c) => c.name)).toEqual(['frage']);
    expect(twin.commands().map((c) => c.name)).toEqual(['hilfe']);
    expect([...guildSet.keys()]).toEqual(twin.commands(twin.ids.guildId).map((c) => c.id));
    expect([...globalSet.keys()]).toEqual(twin.commands().map((c) => c.id));
    expect(twin.commands(twin.ids.guildId)[0]).toMatchObject({ guild_id: twin.ids.guildId, options: [{ name: 'text', required: true }] });

    // Re-registering keeps ids, like Discord's bulk overwrite.
    const again = await application.commands.set([frage], twin.ids.guildId);
    expect([...again.keys()]).toEqual([...guildSet.keys()]);

    const received = nextInteraction(client);
    await twin.sendCommand({ name: 'frage', options: [{ name: 'text', type: ApplicationCommandOptionType.String, value: 'Wer?' }] });
    const interaction = await received;
    expect(interaction.commandId).toBe(twin.commands(twin.ids.guildId)[0]?.id);
    expect(interaction.commandGuildId).toBe(twin.ids.guildId);
    await interaction.reply('ok');

    await expect(twin.sendCommand({ name: 'unbekannt' })).rejects.toThrow(/not registered/);
    await expect(twin.sendCommand({ name: 'frage' })).rejects.toThrow(/required option "text"/);
    const invalid = await rejection(application.commands.set([{ name: 'Frage Zwei', description: 'x' }]));
    expect(invalid.code).toBe(50035);
    expect(twin.violations.map((v) => v.kind)).toEqual(['invalid_form_body']);
  });

  it('resumes after a dropped gateway connection and replays a command sent meanwhile', async () => {
    const { twin, client } = await boot();
    const resumed = new Promise<void>((resolve) => client.once(Events.ShardResume, () => resolve()));

    twin.dropGateway();
    const received = nextInteraction(client);
    const whileDown = await twin.sendCommand({ name: 'frage' }); // buffered, replayed on RESUME
    expect(whileDown.deliveredAt).toBeNull();
    const interaction = await received;
    await resumed;
    await interaction.reply('nach dem Resume');
    expect((await whileDown.waitForFinal()).content).toBe('nach dem Resume');

    const receivedLive = nextInteraction(client);
    const live = await twin.sendCommand({ name: 'frage' });
    await (await receivedLive).reply('live');
    expect((await live.waitForFinal()).content).toBe('live');

    expect(twin.gatewayLog.map((e) => e.type)).toEqual(['connect', 'identify', 'drop', 'close', 'connect', 'resume']);
    expect(twin.violations).toEqual([]);
  });

  it('forces a fresh IDENTIFY when the session is invalidated', async () => {
    const { twin, client } = await boot({}, { noIdentifyThrottle: true });
    const ready = new Promise<void>((resolve) => client.once(Events.ShardReady, () => resolve()));

    twin.invalidateSession();
    twin.dropGateway();
    await ready;
    await twin.waitForGatewayConnected();

    const received = nextInteraction(client);
    const handle = await twin.sendCommand({ name: 'frage' });
    await (await received).reply('neu verbunden');
    expect((await handle.waitForFinal()).content).toBe('neu verbunden');
    const types = twin.gatewayLog.map((e) => e.type);
    expect(types).toContain('invalid_session');
    expect(types.filter((t) => t === 'identify')).toHaveLength(2);
  });

  it('injects a 429 with Retry-After on the edit; discord.js waits, retries and the edit lands', async () => {
    const { twin, client } = await boot();
    twin.failNext({ method: 'PATCH', pathPattern: /\/messages\/@original$/, status: 429, retryAfter: 1 });
    const received = nextInteraction(client);
    const handle = await twin.sendCommand({ name: 'frage' });
    const interaction = await received;

    await interaction.deferReply();
    const started = Date.now();
    await interaction.editReply('nach dem Rate-Limit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    expect((await handle.waitForFinal()).content).toBe('nach dem Rate-Limit');
    const edits = twin.requests.filter((r) => r.method === 'PATCH');
    expect(edits.map((r) => [r.status, r.injected])).toEqual([[429, true], [200, false]]);
    expect(twin.violations).toEqual([]);
  });

  it('expires the interaction token for edits after tokenLifetimeMs (50027)', async () => {
    const { twin, client } = await boot({ tokenLifetimeMs: 200 });
    const received = nextInteraction(client);
    await twin.sendCommand({ name: 'frage' });
    const interaction = await received;
    await interaction.deferReply();
    await sleep(300);

    const error = await rejection(interaction.editReply('zu spät'));
    expect(error).toMatchObject({ code: 50027, status: 401 });
    expect(twin.violations.map((v) => v.kind)).toEqual(['webhook_token_expired']);
  });

  it('records unknown routes as violations with a clear 404', async () => {
    const { twin, client } = await boot();
    const error = await rejection(client.rest.get('/nonexistent/route'));
    expect(error.status).toBe(404);
    expect(error.message).toContain('no route for GET /nonexistent/route');
    expect(twin.violations).toMatchObject([{ kind: 'unknown_route', path: '/nonexistent/route' }]);
  });

  it('closes the gateway with a given code: 4004 is unrecoverable for discord.js, which stops for good', async () => {
    const { twin, client } = await boot();
    const disconnected = new Promise<number>((resolve) => client.once(Events.ShardDisconnect, (event) => resolve(event.code)));
    const failed = new Promise<string>((resolve) => client.once(Events.ShardError, (error) => resolve(error.message)));
    twin.closeGateway(4004, 'Authentication failed');
    expect(await disconnected).toBe(4004);
    expect(await failed).toBe('Authentication failed');
    // (The twin's own record of the socket closing may come after discord.js has reacted.)
    expect(twin.gatewayLog.map((e) => e.type).slice(0, 3)).toEqual(['connect', 'identify', 'server_close']);
    expect(twin.gatewayLog.find((e) => e.type === 'server_close')?.code).toBe(4004);
  });

  it('refuses IDENTIFY with a close code (4014): login fails with discord.js\'s disallowed-intents error', async () => {
    const twin = await startDiscordTwin();
    const client = new Client({ intents: INTENTS, rest: { api: twin.apiUrl }, waitGuildTimeout: 100 });
    running.push({ twin, clients: [client] });
    twin.refuseIdentify(4014);
    const disconnected = new Promise<number>((resolve) => client.once(Events.ShardDisconnect, (event) => resolve(event.code)));
    await expect(client.login(twin.token)).rejects.toThrow('Used disallowed intents');
    expect(await disconnected).toBe(4014);
    expect(twin.gatewayLog.map((e) => e.type).slice(0, 2)).toEqual(['connect', 'server_close']);
    expect(twin.gatewayLog.some((e) => e.type === 'identify')).toBe(false);
  });

  it('takes the gateway down: every reconnect fails until it is back, then the client identifies again', async () => {
    const { twin, client } = await boot({}, { noIdentifyThrottle: true });
    let reconnects = 0;
    client.on(Events.ShardReconnecting, () => reconnects++);
    const refusedTwice = new Promise<void>((resolve) => {
      client.on(Events.ShardReconnecting, () => twin.gatewayLog.filter((e) => e.type === 'refused').length >= 2 && resolve());
    });
    twin.takeGatewayDown();
    await refusedTwice;
    const ready = new Promise<void>((resolve) => client.once(Events.ShardReady, () => resolve()));
    twin.bringGatewayUp();
    await ready;
    await twin.waitForGatewayConnected();
    expect(reconnects).toBeGreaterThanOrEqual(3);
    const received = nextInteraction(client);
    const handle = await twin.sendCommand({ name: 'frage' });
    await (await received).reply('wieder da');
    expect((await handle.waitForFinal()).content).toBe('wieder da');
  });

  it('answers command registration for another application with 20012, like Discord', async () => {
    const { twin, client } = await boot();
    const error = await rejection(client.rest.put(Routes.applicationGuildCommands('1300000000000000042', twin.ids.guildId), { body: [] }));
    expect([error.status, error.code]).toEqual([403, 20012]);
    const guild = await rejection(client.rest.put(Routes.applicationGuildCommands(twin.ids.applicationId, '1300000000000000043'), { body: [] }));
    expect([guild.status, guild.code]).toEqual([403, 50001]);
  });
});

describe('the standalone twin (serve.ts)', () => {
  /** Starts serve.ts on a free port, returns the .env lines it prints, and quits it (end of input). */
  async function envLinesOfServe(): Promise<string[]> {
    const child = spawn(path.join('node_modules', '.bin', 'tsx'), [path.join('test', 'discord-twin', 'serve.ts'), '--port', '0'], { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl-D to quit')) resolve();
      });
      child.on('exit', () => reject(new Error(`serve.ts exited early:\n${output}`)));
    });
    child.stdin!.end();
    await new Promise((resolve) => child.on('close', resolve));
    return output.split('\n').filter((line) => /^ {2}[A-Z_]+=/.test(line)).map((line) => line.trim());
  }

  it('prints the same ids and token on every start, and turns off the cooldown for the walkthrough', { timeout: 60_000 }, async () => {
    const [first, second] = await Promise.all([envLinesOfServe(), envLinesOfServe()]);
    const keys = (lines: string[]) => lines.map((line) => line.split('=')[0]);
    expect(keys(first!)).toEqual(['DISCORD_TOKEN', 'DISCORD_API_URL', 'DISCORD_CLIENT_ID', 'DISCORD_GUILD_ID', 'QUELLE_COOLDOWN_SECONDS']);
    // The port differs (any free one here), everything else is the same.
    const withoutUrl = (lines: string[]) => lines.filter((line) => !line.startsWith('DISCORD_API_URL='));
    expect(withoutUrl(second!)).toEqual(withoutUrl(first!));
    expect(first).toContain('QUELLE_COOLDOWN_SECONDS=0');
  });
});

// The twin's shards (issue #15), against the real discord.js client: IDENTIFY's [id, count] picks
// the guilds a session sees in READY and GUILD_CREATE, a guild's interactions and messages go only
// to the shard that owns it ((guild_id >> 22) % count), GET /gateway/bot recommends a shard count,
// and an impossible shard is refused with close code 4010 as on Discord.

import { Client, Events, GatewayIntentBits, MessageFlags, type Interaction } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordTwin, type DiscordTwin } from '../discord-twin/twin.js';

let twin: DiscordTwin | null = null;
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
  await twin?.close();
  twin = null;
});

const NO_IDENTIFY_THROTTLE = { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) };

/** A client running `shards` of `shardCount`, logged in and ready. */
async function connect(shards: number[], shardCount: number): Promise<Client> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: twin!.apiUrl }, waitGuildTimeout: 100, shards, shardCount, ws: NO_IDENTIFY_THROTTLE });
  clients.push(client);
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(twin!.token);
  await ready;
  return client;
}

/** Answers every command with "shard N" so a test sees which client (and shard) got it. */
function answerWithShard(client: Client, received: number[]): void {
  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (!interaction.isChatInputCommand()) return;
    received.push(interaction.guild!.shardId);
    void interaction.reply({ content: `shard ${interaction.guild!.shardId}`, flags: MessageFlags.Ephemeral });
  });
}

describe('shards', () => {
  it('each shard sees only its guilds and receives only their interactions', async () => {
    twin = await startDiscordTwin({ recommendedShards: 4 });
    const guilds = [0, 1, 2, 3].map((shard) => twin!.addGuild({ shard: [shard, 4] }));
    const low = await connect([0, 1], 4);
    const high = await connect([2, 3], 4);
    await twin.waitForSessions(4);
    expect(twin.sessions().map((session) => session.shard).sort()).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);

    // The first guild (ids.guildId) lies on whichever shard its id says; each client caches only its own.
    const owner = (guildId: string) => Number((BigInt(guildId) >> 22n) % 4n);
    const expected = (shards: number[]) => twin!.guilds().filter((guild) => shards.includes(owner(guild.id))).map((guild) => guild.id).sort();
    expect([...low.guilds.cache.keys()].sort()).toEqual(expected([0, 1]));
    expect([...high.guilds.cache.keys()].sort()).toEqual(expected([2, 3]));
    expect(low.guilds.cache.size + high.guilds.cache.size).toBe(twin.guilds().length);

    const lowReceived: number[] = [];
    const highReceived: number[] = [];
    answerWithShard(low, lowReceived);
    answerWithShard(high, highReceived);
    for (const guild of guilds) {
      const interaction = await twin.sendCommand({ name: 'where', channelId: guild.channelId });
      expect((await interaction.waitForFinal()).content).toBe(`shard ${owner(guild.id)}`);
      expect(interaction.guildId).toBe(guild.id);
      const session = twin.sessions().find((s) => s.id === interaction.sessionIds[0]);
      expect(interaction.sessionIds).toHaveLength(1);
      expect(session?.shard).toEqual([owner(guild.id), 4]);
    }
    expect(lowReceived.sort()).toEqual([0, 1]);
    expect(highReceived.sort()).toEqual([2, 3]);
    expect(twin.violations).toEqual([]);
  });

  it('a guild added later reaches only the shard that owns it', async () => {
    twin = await startDiscordTwin();
    const first = await connect([0], 2);
    const second = await connect([1], 2);
    const created = new Promise<string>((resolve) => second.once(Events.GuildCreate, (guild) => resolve(guild.id)));
    const guild = twin.addGuild({ shard: [1, 2] });
    expect(await created).toBe(guild.id);
    expect(first.guilds.cache.has(guild.id)).toBe(false);
  });

  it('GET /gateway/bot recommends the configured shard count', async () => {
    twin = await startDiscordTwin({ recommendedShards: 3 });
    const response = await fetch(`${twin.apiUrl}/v10/gateway/bot`, { headers: { Authorization: `Bot ${twin.token}` } });
    expect(((await response.json()) as { shards: number }).shards).toBe(3);
  });

  it('closes an IDENTIFY for a shard outside its count with 4010', async () => {
    twin = await startDiscordTwin();
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(`${twin.gatewayUrl}?v=10&encoding=json`);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', (data: Buffer) => {
      const payload = JSON.parse(String(data)) as { op: number };
      if (payload.op === 10) socket.send(JSON.stringify({ op: 2, d: { token: twin!.token, intents: 1, properties: {}, shard: [2, 2] } }));
    });
    expect(await closed).toBe(4010);
  });
});

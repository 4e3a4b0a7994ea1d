// A twin and a bare discord.js client logged into it, for the twin's own feature tests; both are
// closed after each test.

import { Client, Events, GatewayIntentBits } from 'discord.js';
import { afterEach } from 'vitest';
import { startDiscordTwin, type DiscordTwin, type TwinOptions } from '../discord-twin/twin.js';

/** Returns `boot(intents, twinOptions)`, which starts a twin and a client and resolves once the client is ready. */
export function useTwinClient(): (intents?: GatewayIntentBits[], options?: TwinOptions) => Promise<{ twin: DiscordTwin; client: Client }> {
  let twin: DiscordTwin | null = null;
  let client: Client | null = null;
  afterEach(async () => {
    await client?.destroy();
    await twin?.close();
    client = null;
    twin = null;
  });
  return async (intents = [GatewayIntentBits.Guilds], options = {}) => {
    twin = await startDiscordTwin(options);
    client = new Client({ intents, rest: { api: twin.apiUrl }, waitGuildTimeout: 100 });
    const ready = new Promise<void>((resolve) => client!.once(Events.ClientReady, () => resolve()));
    await client.login(twin.token);
    await ready;
    return { twin, client };
  };
}

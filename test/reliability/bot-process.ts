/**
 * The bot alone in a process, for the memory script: configured from the environment like
 * `npm start` (src/bot/main.ts), but with a silent logger (kept log lines would be growth the
 * bot does not have) and an IPC channel on which the parent asks for memory figures after a
 * full garbage collection. Run with `node --expose-gc --import tsx` by memory.script.ts.
 */
import { createBot } from '../../src/bot/bot.ts';
import { loadBotConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { NO_IDENTIFY_THROTTLE } from './helpers.ts';

const gc = (globalThis as { gc?: () => void }).gc;
const bot = createBot({ config: loadBotConfig(), logger: silentLogger, clientOptions: { waitGuildTimeout: 100, ...NO_IDENTIFY_THROTTLE } });

process.on('message', (message: { type: string }) => {
  if (message.type === 'memory') {
    for (let i = 0; i < 3; i++) gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const { client } = bot;
    const caches = {
      restHandlers: (client.rest as unknown as { handlers: Map<string, unknown> }).handlers.size,
      restHashes: (client.rest as unknown as { hashes: Map<string, unknown> }).hashes.size,
      users: client.users.cache.size,
      channelMessages: client.channels.cache.reduce((sum, channel) => sum + ('messages' in channel ? channel.messages.cache.size : 0), 0),
    };
    process.send!({ type: 'memory', rss, heapUsed, external, arrayBuffers, answered: bot.service.stats.count, gc: gc !== undefined, caches });
  } else if (message.type === 'stop') {
    void bot.stop().finally(() => process.exit(0));
  }
});

await bot.start();
process.send!({ type: 'ready' });

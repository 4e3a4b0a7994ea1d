/**
 * One "host" of a deployment sharing its index through PostgreSQL, as a child process for tests
 * and the measurement script: the bot's SearchService with its own index folder
 * (QUELLE_INDEX_DIR) and DATABASE_URL, without Discord. Run with `node --import tsx` (so that a
 * kill reaches the process that works). It writes one JSON object per line to stdout — every log
 * line as `{ "event": "log", "msg", … }`, and the answers to its commands — and reads commands
 * from stdin, one per line:
 *
 *   reindex        → { event: "reindexed", generation } or { event: "reindex-failed", code, message }
 *   ask QUESTION   → { event: "answer", generation, titles }
 *   continue       → lets a publish paused by QUELLE_TEST_PAUSE_PUBLISH=1 go on
 *   stop           → { event: "stopped" }, then exits
 *
 * With QUELLE_TEST_PAUSE_PUBLISH=1, a publish stops after its first stored chunk and says
 * `{ event: "publishing" }` until `continue` (or a kill).
 */
import { createInterface } from 'node:readline';
import { loadCoreConfig } from '../../src/config.ts';
import { describeError, QuelleError } from '../../src/errors.ts';
import { currentGeneration } from '../../src/index/index-store.ts';
import type { Logger } from '../../src/logger.ts';
import { SearchService } from '../../src/bot/search-service.ts';
import { openPostgresDistribution } from '../../src/storage/postgres-generations.ts';

const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};
const logAt =
  (level: string) =>
  (obj: object | string, msg?: string): void =>
    say(typeof obj === 'string' ? { event: 'log', level, msg: obj } : { event: 'log', level, msg, ...obj });
const logger: Logger = { debug: () => {}, info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

const config = loadCoreConfig();
if (!config.databaseUrl) throw new Error('index-host needs DATABASE_URL');

let resumePublish: (() => void) | null = null;
let paused = false;
const distribution = await openPostgresDistribution({
  url: config.databaseUrl,
  logger,
  onPublishProgress: async (file, bytes) => {
    if (process.env.QUELLE_TEST_PAUSE_PUBLISH !== '1' || paused) return;
    paused = true;
    say({ event: 'publishing', file, bytes });
    await new Promise<void>((resolve) => {
      resumePublish = resolve;
    });
  },
});
const service = new SearchService(config, logger, undefined, { hotReload: true, distribution });
await service.start();
const generation = (): Promise<string | null> => currentGeneration(config.indexDir).catch(() => null);
say({ event: 'ready', generation: await generation(), problem: service.unavailableReason });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const [command = '', ...rest] = line.trim().split(' ');
  switch (command) {
    case 'reindex':
      // Not awaited: `continue` must be read while a publish waits for it.
      void (async () => {
        try {
          await service.reindex();
          say({ event: 'reindexed', generation: await generation() });
        } catch (error) {
          say({ event: 'reindex-failed', code: error instanceof QuelleError ? error.code : null, message: describeError(error) });
        }
      })();
      break;
    case 'ask':
      void (async () => {
        const response = await service.ask(rest.join(' '), 5);
        say({ event: 'answer', generation: await generation(), titles: response.hits.map((hit) => hit.passage.title) });
      })().catch((error: unknown) => say({ event: 'ask-failed', message: describeError(error) }));
      break;
    case 'continue':
      resumePublish?.();
      break;
    case 'stop':
      void (async () => {
        await service.dispose();
        await distribution.close();
        say({ event: 'stopped' });
        process.exit(0);
      })();
      break;
    default:
      say({ event: 'unknown-command', line });
  }
});

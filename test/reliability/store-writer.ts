/**
 * A burst of writes to the community database, for kill-store.test.ts: answers (each its own
 * transaction) and votes on them, as fast as it can, with a truncating checkpoint every 250
 * answers, until it is killed. After each write has committed it prints one line — `answer <id>`
 * or `vote <id> <member> <up|down>` — so every line the parent reads names a committed row.
 * (Writes to a pipe are synchronous on Linux: a printed line has left the process.)
 *
 * Usage: node --import tsx test/reliability/store-writer.ts DATA_DIR
 */
import { CommunityLog } from '../../src/community/community-log.ts';
import { openCommunityStore } from '../../src/storage/open-store.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: store-writer.ts DATA_DIR');
const store = await openCommunityStore({ dataDir, create: true });
const log = new CommunityLog({ store, logDays: 30 });
const GUILD = '111111111111111111';
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const declined = i % 4 === 0;
  const id = await log.recordAnswer({
    question: `Frage ${i} im Schreibsturm: wo traf sich die Koalition der Willigen?`,
    language: 'de',
    surface: 'slash',
    guildId: GUILD,
    channelId: '333333333333333333',
    response: {
      declined,
      mode: 'lexical',
      hits: declined ? [] : [1, 2, 3].map((paragraph) => ({ passage: { articleId: 'seed', paragraph, title: 'Putin' }, relevant: true, score: 4 - paragraph })),
    },
    shown: 2,
    latencyMs: i % 50,
  });
  process.stdout.write(`answer ${id}\n`);
  if (i % 3 === 0) {
    const member = `90000000000000000${i % 10}`;
    const vote = i % 2 === 0 ? 'up' : 'down';
    const result = await log.recordVote({ answerId: id, guildId: GUILD, memberId: member, vote });
    if (result.status !== 'recorded') throw new Error(`vote on ${id}: ${result.status}`);
    process.stdout.write(`vote ${id} ${member} ${vote}\n`);
  }
  if (i % 250 === 249) store.checkpoint();
}

/**
 * kill -9 during a burst of writes to the community database (issue #14): a child process
 * (`store-writer.ts`) records answers and votes as fast as it can and prints each one after it
 * has committed; it is killed with SIGKILL at a different point in each round, on the same
 * database file. After every kill the database opens cleanly (the migration check, a full
 * `integrity_check`), every row the writer reported is there, and the next round writes on.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommunityLog } from '../../src/community/community-log.ts';
import { openCommunityStore } from '../../src/storage/open-store.ts';
import { SCHEMA_VERSION } from '../../src/storage/migrations.ts';
import { useTempDirs } from '../helpers/index-fixtures.ts';
import { PROJECT_ROOT } from './helpers.ts';

const tempDir = useTempDirs('quelle-kill-store-');
const WRITER = path.join(PROJECT_ROOT, 'test', 'reliability', 'store-writer.ts');
const GUILD = '111111111111111111';

interface Reported {
  readonly answers: string[];
  /** The last vote reported per answer and member. */
  readonly votes: Map<string, 'up' | 'down'>;
}

/** Runs the writer until it has reported `killAfter` answers, kills it with SIGKILL, and returns everything it reported. */
async function writeAndKill(dataDir: string, killAfter: number): Promise<Reported & { signal: NodeJS.Signals | null }> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const reported: Reported = { answers: [], votes: new Map() };
  let buffer = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      const [kind, id, member, vote] = line.split(' ');
      if (kind === 'answer') reported.answers.push(id!);
      if (kind === 'vote') reported.votes.set(`${id} ${member}`, vote as 'up' | 'down');
    }
    if (reported.answers.length >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  });
  // 'close' follows the end of stdout: every line the writer printed before it died has been read.
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, closedBy) => resolve(closedBy)));
  if (signal !== 'SIGKILL') throw new Error(`the writer ended without being killed:\n${stderr}`);
  return { ...reported, signal };
}

describe('kill -9 during a burst of writes', () => {
  it('loses no committed answer or vote, and the database opens cleanly after every kill', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    const all: Reported = { answers: [], votes: new Map() };
    // Early in the first transactions, after a few checkpoints, and deep in a long burst.
    for (const killAfter of [3, 400, 1500]) {
      const round = await writeAndKill(dataDir, killAfter);
      expect(round.signal).toBe('SIGKILL');
      expect(round.answers.length).toBeGreaterThanOrEqual(killAfter);
      all.answers.push(...round.answers);
      for (const [key, vote] of round.votes) all.votes.set(key, vote);

      const store = await openCommunityStore({ dataDir, create: false });
      expect(store.integrityCheck()).toBe('ok');
      expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
      const missing: string[] = [];
      for (const id of all.answers) if (!(await store.findAnswer(id))) missing.push(id);
      expect(missing, `killed after ${round.answers.length} answers`).toEqual([]);
      const log = new CommunityLog({ store, logDays: 30 });
      const stats = await log.stats(GUILD);
      // A row past the last reported one may have committed just before the kill.
      expect(stats.all.questions).toBeGreaterThanOrEqual(all.answers.length);
      expect(stats.all.questions).toBeLessThanOrEqual(all.answers.length + 1);
      // Each reported vote is stored as reported: pressing it again changes nothing.
      for (const [key, vote] of all.votes) {
        const [answerId, memberId] = key.split(' ');
        expect(await log.recordVote({ answerId: answerId!, guildId: GUILD, memberId: memberId!, vote }), key).toMatchObject({ status: 'recorded', changed: false });
      }
      await store.close();
    }
    console.log(`kill -9 rounds: ${all.answers.length} answers and ${all.votes.size} votes reported committed, all found after the kills`);
  }, 120_000);
});

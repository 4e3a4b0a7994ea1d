/**
 * Load (issue #6): 200 /ask from 50 members within 10 seconds, with the default cooldown of 5 s.
 * Every question gets either an answer (acknowledged within Discord's 3 s) or the private cooldown
 * message with the wait; nobody gets more answers than the cooldown allows; the twin sees no
 * broken rule. Reports p50/p95 time to the final message. The 10,000-question memory run is
 * `test/reliability/memory.script.ts`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionHandle, TwinMessage } from '../discord-twin/twin.js';
import { loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { ask, isAnswer, percentile, prng, sleep, startHarness, tempDir, undisposable, writeCorpus, type Harness } from './helpers.ts';

const QUESTIONS = 200;
const MEMBERS = 50;
const WINDOW_MS = 10_000;
const COOLDOWN_S = 5;

const ASKED = [
  'Was beschloss die Regierung zum Haushalt?',
  'Wo traf sich die Koalition der Willigen?',
  'Wie reagierte der Bürgermeister auf den Streik?',
  'What happened with the rents in Vienna?',
  'Welche Studie zur Gesundheit wurde veröffentlicht?',
  'Wer hat das Tor in der Saison geschossen?',
];

let h: Harness;

beforeAll(async () => {
  const seedsDir = await writeCorpus(path.join(await tempDir('load-'), 'seeds'), 300);
  h = await startHarness({ seedsDir, embedder: undisposable(await loadFixtureEmbedder()), env: { QUELLE_COOLDOWN_SECONDS: String(COOLDOWN_S) } });
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

describe(`${QUESTIONS} questions from ${MEMBERS} members within ${WINDOW_MS / 1000} s`, () => {
  it('every one is answered or told about the cooldown, in time; p50/p95 reported', { timeout: 90_000 }, async () => {
    const members = Array.from({ length: MEMBERS }, (_, i) => h.twin.addMember({ username: `load${i}` }));
    const random = prng(42);
    // Spread evenly over the window with jitter, members in turn: each asks 4 times, ~2.5 s apart.
    const schedule = Array.from({ length: QUESTIONS }, (_, i) => ({
      at: Math.min(WINDOW_MS - 1, Math.round((i * WINDOW_MS) / QUESTIONS + random() * 40)),
      user: members[i % MEMBERS]!.id,
      question: ASKED[i % ASKED.length]!,
    }));
    const started = Date.now();
    const sent: { handle: InteractionHandle; user: string }[] = [];
    for (const item of schedule) {
      const wait = started + item.at - Date.now();
      if (wait > 0) await sleep(wait);
      sent.push({ handle: await ask(h.twin, item.question, { user: item.user }), user: item.user });
    }
    const sendWindow = Date.now() - started;
    expect(sendWindow).toBeLessThan(WINDOW_MS + 1000);

    const outcomes = await Promise.all(
      sent.map(async ({ handle, user }) => {
        // The first callback acknowledges: the cooldown notice (private), the answer itself, or a deferral.
        const callback = await handle.waitForCallback(10_000);
        if (callback.type === 4 && handle.original()!.ephemeral) {
          const message = handle.original()!;
          return { user, kind: 'cooldown' as const, message, ms: callback.elapsedMs, acknowledgedMs: callback.elapsedMs };
        }
        const final: TwinMessage = await handle.waitForFinal(30_000);
        return { user, kind: 'answered' as const, message: final, ms: (final.editedAt ?? final.createdAt) - handle.deliveredAt!, acknowledgedMs: callback.elapsedMs };
      }),
    );

    const answered = outcomes.filter((o) => o.kind === 'answered');
    const cooled = outcomes.filter((o) => o.kind === 'cooldown');
    for (const o of answered) {
      expect(isAnswer(o.message)).toBe(true);
      expect(o.acknowledgedMs).toBeLessThan(3000);
    }
    for (const o of cooled) {
      expect(o.message.ephemeral).toBe(true);
      expect(o.message.content).toMatch(/^Please wait [1-5] s before asking again\.$/);
    }
    expect(answered.length + cooled.length).toBe(QUESTIONS);
    // The cooldown holds: within 10 s a member gets at most 3 answers (at 0, ≥5 and ≥10 s).
    for (const member of members) expect(answered.filter((o) => o.user === member.id).length).toBeLessThanOrEqual(3);
    expect(answered.length).toBeGreaterThanOrEqual(MEMBERS);
    expect(h.twin.violations).toEqual([]);

    const all = outcomes.map((o) => o.ms);
    const answerMs = answered.map((o) => o.ms);
    console.log(
      `load: ${QUESTIONS} questions from ${MEMBERS} members sent in ${(sendWindow / 1000).toFixed(1)} s → ${answered.length} answered, ${cooled.length} told to wait; ` +
        `time to final message p50 ${percentile(all, 50)} ms, p95 ${percentile(all, 95)} ms (answers: p50 ${percentile(answerMs, 50)} ms, p95 ${percentile(answerMs, 95)} ms, max ${Math.max(...answerMs)} ms; ` +
        `acknowledgement max ${Math.max(...answered.map((o) => o.acknowledgedMs))} ms)`,
    );
  });
});

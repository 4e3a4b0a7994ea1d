/**
 * Discord faults through the twin (issue #6): REST 429 with Retry-After (per-route and global)
 * and 500 on interaction callbacks, on edits of the answer and on mention replies; more 500s
 * than discord.js retries; a dropped gateway connection (resume, with a question arriving while
 * it is down); an invalid session (re-identify). After each, the bot recovers and answers the
 * next question, and the twin saw no rule broken by the bot. The bot here defers every /ask
 * (QUELLE_ANSWER_FIRST_MS=0), so that each of those requests is made; with the default, an answer
 * ready within a second is the interaction's reply itself, and a fault on that reply is retried
 * too. A slow embedder (4 s per query) never makes the bot miss the 3-second interaction
 * deadline: it defers once the answer is not ready in time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embedding/embedder.ts';
import type { InteractionHandle, Violation } from '../discord-twin/twin.js';
import { loadFixtureEmbedder } from '../helpers/index-fixtures.ts';
import { ask, isAnswer, SEED_QUESTION, sleep, startHarness, undisposable, type Harness } from './helpers.ts';

const DEFER = 5;
const REPLY = 4;
const CALLBACK = /^\/interactions\/\d+\/[^/]+\/callback$/;
const ORIGINAL = /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/;
const CHANNEL_MESSAGES = /^\/channels\/\d+\/messages$/;

let h: Harness;
let embedder: Embedder;
const faults = { rest: 0, gateway: 0 };

beforeAll(async () => {
  embedder = undisposable(await loadFixtureEmbedder());
  h = await startHarness({ embedder, env: { QUELLE_ANSWER_FIRST_MS: '0' } });
});

afterAll(async () => {
  if (h) {
    faults.rest = h.twin.requests.filter((request) => request.injected).length;
    console.log(`discord faults: ${faults.rest} REST faults injected (answered by the twin instead of the route), ${faults.gateway} gateway faults; violations: ${h.twin.violations.length}`);
    await h.stop();
  }
});

/** Asks and expects a deferral within the deadline and a cited answer. */
async function expectAnswered(handle: InteractionHandle, timeoutMs = 15_000): Promise<void> {
  const final = await handle.waitForFinal(timeoutMs);
  const accepted = handle.callbacks.filter((callback) => callback.status < 300);
  expect(accepted[0]!.type).toBe(DEFER);
  expect(accepted[0]!.elapsedMs).toBeLessThan(3000);
  expect(isAnswer(final)).toBe(true);
}

/** REST requests about an interaction that the twin failed on purpose. */
function injectedFor(handle: InteractionHandle): number {
  return h.twin.requests.filter((request) => request.injected && (request.path.includes(handle.id) || request.path.includes(handle.token))).length;
}

/** Violations other than those of interactions the test itself made fail. */
function botViolations(excused: readonly string[] = []): Violation[] {
  return h.twin.violations.filter((violation) => !violation.interactionId || !excused.includes(violation.interactionId));
}

describe('REST faults on the interaction callback', () => {
  it.each([
    ['429 with Retry-After: 0.5', { status: 429, retryAfter: 0.5 }],
    ['global 429', { status: 429, retryAfter: 0.5, global: true }],
    ['500', { status: 500 }],
    ['502 twice', { status: 502, times: 2 }],
  ] as const)('%s: retried, deferred in time, answered', async (_name, fault) => {
    h.twin.failNext({ method: 'POST', pathPattern: CALLBACK, ...fault });
    const handle = await ask(h.twin, SEED_QUESTION);
    await expectAnswered(handle);
    expect(injectedFor(handle)).toBe('times' in fault ? fault.times : 1);
    expect(botViolations()).toEqual([]);
  });

  it('a callback that keeps failing: that question is lost, the next one is answered', async () => {
    // discord.js tries a request 4 times (3 retries); the bot then tries to reply with the error, 4 times too.
    h.twin.failNext({ method: 'POST', pathPattern: CALLBACK, status: 500, times: 8 });
    const lost = await ask(h.twin, SEED_QUESTION);
    for (let i = 0; i < 100 && injectedFor(lost) < 8; i++) await sleep(50);
    expect(injectedFor(lost)).toBe(8);
    expect(lost.state === 'pending' || lost.state === 'expired').toBe(true);
    expect(h.logger.lines.some((line) => line.includes('Command failed'))).toBe(true);
    expect(h.logger.lines.some((line) => line.includes('Could not tell the user about the failure'))).toBe(true);
    const next = await ask(h.twin, SEED_QUESTION);
    await expectAnswered(next);
    expect(botViolations([lost.id])).toEqual([]);
  });
});

describe('REST faults on the answer (edit of the deferred reply)', () => {
  it.each([
    ['429 with Retry-After: 0.5', { status: 429, retryAfter: 0.5 }],
    ['500', { status: 500 }],
    ['503 three times', { status: 503, times: 3 }],
  ] as const)('%s: retried and answered', async (_name, fault) => {
    h.twin.failNext({ method: 'PATCH', pathPattern: ORIGINAL, ...fault });
    await expectAnswered(await ask(h.twin, SEED_QUESTION));
    expect(botViolations()).toEqual([]);
  });

  it('an edit that keeps failing: the user is told privately, and the next question is answered', async () => {
    h.twin.failNext({ method: 'PATCH', pathPattern: ORIGINAL, status: 500, times: 4 });
    const handle = await ask(h.twin, SEED_QUESTION);
    const notice = await handle.waitForFollowup(() => true, 15_000);
    expect(notice.ephemeral).toBe(true);
    expect(notice.content).toMatch(/went wrong|reference|error/i);
    expect(notice.wouldPing).toBe(false);
    await expectAnswered(await ask(h.twin, SEED_QUESTION));
    expect(botViolations()).toEqual([]);
  });
});

describe('REST faults on a mention reply', () => {
  it.each([
    ['429 with Retry-After: 0.5', { status: 429, retryAfter: 0.5 }],
    ['500', { status: 500 }],
  ] as const)('%s: the reply still arrives', async (_name, fault) => {
    h.twin.failNext({ method: 'POST', pathPattern: CHANNEL_MESSAGES, ...fault });
    const botId = h.twin.ids.botUserId;
    const sent = await h.twin.sendMessage({ content: `<@${botId}> ${SEED_QUESTION}`, mentions: [botId] });
    const reply = await sent.waitForReply(undefined, 15_000);
    expect(isAnswer(reply)).toBe(true);
    expect(botViolations()).toEqual([]);
  });
});

describe('gateway faults', () => {
  it('a dropped connection resumes; a question sent while it is down is delivered on resume and answered', async () => {
    const resumesBefore = h.twin.gatewayLog.filter((event) => event.type === 'resume').length;
    h.twin.dropGateway();
    faults.gateway++;
    const during = await ask(h.twin, SEED_QUESTION);
    await h.twin.waitForGatewayConnected(15_000);
    await expectAnswered(during, 20_000);
    expect(h.twin.gatewayLog.filter((event) => event.type === 'resume').length).toBe(resumesBefore + 1);
    await expectAnswered(await ask(h.twin, SEED_QUESTION));
    expect(botViolations()).toEqual([]);
  });

  it('an invalid session on resume: the bot identifies again and answers the next question', async () => {
    const identifiesBefore = h.twin.gatewayLog.filter((event) => event.type === 'identify').length;
    h.twin.invalidateSession();
    h.twin.dropGateway();
    faults.gateway += 2;
    for (let i = 0; i < 300 && h.twin.gatewayLog.filter((event) => event.type === 'identify').length === identifiesBefore; i++) await sleep(50);
    expect(h.twin.gatewayLog.some((event) => event.type === 'invalid_session')).toBe(true);
    expect(h.twin.gatewayLog.filter((event) => event.type === 'identify').length).toBe(identifiesBefore + 1);
    await h.twin.waitForGatewayConnected(15_000);
    await expectAnswered(await ask(h.twin, SEED_QUESTION), 20_000);
    const botId = h.twin.ids.botUserId;
    const sent = await h.twin.sendMessage({ content: `<@${botId}> ${SEED_QUESTION}`, mentions: [botId] });
    expect((await sent.waitForReply(undefined, 15_000)).embeds.length).toBe(1);
    expect(botViolations()).toEqual([]);
  });
});

describe('the answer as the reply (the default, QUELLE_ANSWER_FIRST_MS=1000)', () => {
  it.each([
    ['429 with Retry-After: 0.5', { status: 429, retryAfter: 0.5 }],
    ['500', { status: 500 }],
  ] as const)('%s on the reply that carries the answer: retried, in time, answered without a deferral', { timeout: 60_000 }, async (_name, fault) => {
    const local = await startHarness({ embedder });
    try {
      local.twin.failNext({ method: 'POST', pathPattern: CALLBACK, ...fault });
      const handle = await ask(local.twin, SEED_QUESTION);
      const final = await handle.waitForFinal(15_000);
      const accepted = handle.callbacks.filter((callback) => callback.status < 300);
      expect(accepted.map((callback) => callback.type)).toEqual([REPLY]);
      expect(accepted[0]!.elapsedMs).toBeLessThan(3000);
      expect(isAnswer(final)).toBe(true);
      expect(local.twin.requests.filter((request) => request.injected)).toHaveLength(1);
      expect(local.twin.violations).toEqual([]);
    } finally {
      await local.stop();
    }
  });
});

describe('a slow embedder (4 s per query)', () => {
  it('never makes the bot miss the 3 s deadline: it defers once the answer is late, then answers', { timeout: 60_000 }, async () => {
    const inner = await loadFixtureEmbedder();
    const slow = undisposable(inner, {
      embedQuery: async (text, signal) => {
        await sleep(4000);
        return inner.embedQuery(text, signal);
      },
    });
    // The index is built with the fast model: the build's calibration embeds hundreds of questions.
    const local = await startHarness({ embedder: slow, buildEmbedder: inner });
    try {
      const members = Array.from({ length: 5 }, (_, i) => local.twin.addMember({ username: `slow${i}` }));
      const handles = await Promise.all(members.map((member) => ask(local.twin, SEED_QUESTION, { user: member.id })));
      const finals = await Promise.all(handles.map((handle) => handle.waitForFinal(20_000)));
      for (const [i, handle] of handles.entries()) {
        expect(handle.callbacks[0]!.type).toBe(DEFER);
        expect(handle.callbacks[0]!.elapsedMs).toBeLessThan(3000);
        expect(isAnswer(finals[i]!)).toBe(true);
        expect(finals[i]!.embeds[0]!.footer!.text).toMatch(/hybrid · (\d{4,}) ms/);
      }
      console.log(`slow embedder: deferrals after ${handles.map((handle) => handle.callbacks[0]!.elapsedMs).join(', ')} ms; answers after ~4 s`);
      expect(local.twin.violations).toEqual([]);
    } finally {
      await local.stop();
    }
  });
});

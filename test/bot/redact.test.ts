import { describe, expect, it } from 'vitest';
import { redactSecrets, registerSecret } from '../../src/bot/redact.ts';

// Shaped like a bot token (base64 id . timestamp . HMAC), but not a real one.
const BOT_TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldC10b2tlbg_-x';

describe('redactSecrets', () => {
  it('removes bot-token-shaped strings wherever they appear', () => {
    expect(redactSecrets(`login failed for ${BOT_TOKEN}.`)).toBe('login failed for [redacted].');
    expect(redactSecrets(`Authorization: Bot ${BOT_TOKEN}`)).not.toContain(BOT_TOKEN);
  });

  it('removes registered secrets, and ignores ones too short to be secrets', () => {
    registerSecret('hunter2-correct-horse');
    registerSecret('abc');
    expect(redactSecrets('the password was hunter2-correct-horse, twice: hunter2-correct-horse')).toBe(
      'the password was [redacted], twice: [redacted]',
    );
    expect(redactSecrets('abc and abcdef')).toBe('abc and abcdef');
    // Registering twice is harmless.
    registerSecret('hunter2-correct-horse');
    expect(redactSecrets('hunter2-correct-horse')).toBe('[redacted]');
  });

  it('removes interaction tokens from interaction callback and webhook URLs', () => {
    expect(redactSecrets(`POST https://discord.com/api/v10/interactions/1234567890123456789/${INTERACTION_TOKEN}/callback failed`)).toBe(
      'POST https://discord.com/api/v10/interactions/1234567890123456789/[redacted]/callback failed',
    );
    expect(redactSecrets(`PATCH /webhooks/987654321098765432/${INTERACTION_TOKEN}/messages/@original: 404`)).toBe(
      'PATCH /webhooks/987654321098765432/[redacted]/messages/@original: 404',
    );
    expect(redactSecrets(`${INTERACTION_TOKEN}`)).toBe(INTERACTION_TOKEN);
  });

  it('leaves ordinary text untouched', () => {
    for (const text of [
      'Die Koalition der Willigen traf sich in Paris.',
      'GET /api/v10/channels/123456789012345678/messages',
      'See https://discord.com/developers/docs/interactions/receiving-and-responding',
      'version 1.2.3, file model_quantized.onnx',
      '',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from 'discord.js';
import { redactSecrets, SecretRedactor } from '../../src/bot/redact.ts';
import { safeText, truncate } from '../../src/bot/safe-text.ts';

// Shaped like a bot token (base64 id . timestamp . HMAC), but not a real one.
const BOT_TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
/** With the `_` and `-` of base64url, which Markdown escaping touches. */
const UNDERSCORE_TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.Ga_c-e.abc_def-ghi_jklmnopqrstuvwxyz_01234-56789';
const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldC10b2tlbg_-x';

const ORDINARY = [
  'Die Koalition der Willigen traf sich in Paris.',
  'GET /api/v10/channels/123456789012345678/messages',
  'See https://discord.com/developers/docs/interactions/receiving-and-responding',
  'version 1.2.3, file model_quantized.onnx',
  'Donaudampfschifffahrtsgesellschaftskapitänsmütze und Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz',
  '',
];

describe('redactSecrets (no configuration)', () => {
  it('removes bot-token-shaped strings wherever they appear', () => {
    expect(redactSecrets(`login failed for ${BOT_TOKEN}.`)).toBe('login failed for [redacted].');
    expect(redactSecrets(`Authorization: Bot ${BOT_TOKEN}`)).not.toContain(BOT_TOKEN);
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
    for (const text of ORDINARY) expect(redactSecrets(text)).toBe(text);
  });
});

describe('SecretRedactor', () => {
  it('removes its secrets, and ignores ones too short to be secrets', () => {
    const redactor = new SecretRedactor(['hunter2-correct-horse', 'abc', 'hunter2-correct-horse']);
    expect(redactor.redact('the password was hunter2-correct-horse, twice: hunter2-correct-horse')).toBe('the password was [redacted], twice: [redacted]');
    expect(redactor.redact('abc and abcdef')).toBe('abc and abcdef');
  });

  it('removes a secret with characters outside the token alphabet', () => {
    const redactor = new SecretRedactor(['p@ss "wörd" 12!']);
    expect(redactor.redact('it is p@ss "wörd" 12! indeed')).toBe('it is [redacted] indeed');
  });

  it('keeps secrets per instance: one redactor does not know another one\'s secret', () => {
    const mine = new SecretRedactor(['secret-of-the-first-bot']);
    const other = new SecretRedactor(['secret-of-the-second-bot']);
    expect(mine.redact('secret-of-the-second-bot')).toBe('secret-of-the-second-bot');
    expect(other.redact('secret-of-the-second-bot')).toBe('[redacted]');
  });

  it('removes the token as a Discord message shows it: Markdown-escaped by safeText, which Discord unescapes', () => {
    const redactor = new SecretRedactor([UNDERSCORE_TOKEN]);
    const quoted = safeText(`DISCORD_TOKEN=${UNDERSCORE_TOKEN}`);
    expect(quoted).not.toContain(UNDERSCORE_TOKEN); // the escaping hides it from a plain search …
    expect(quoted.replace(/\\(.)/g, '$1')).toContain(UNDERSCORE_TOKEN); // … but not from a reader
    expect(redactor.redact(quoted)).toBe('DISCORD\\_TOKEN=[redacted]');
    expect(redactor.redact(escapeMarkdown(`- ${UNDERSCORE_TOKEN}`, { bulletedList: true }))).not.toMatch(/abc|789/);
  });

  it('removes a piece of the token as long as 16 characters, as an excerpt cut mid-token shows it', () => {
    const redactor = new SecretRedactor([UNDERSCORE_TOKEN]);
    const cut = truncate(`Der Schlüssel lautet ${UNDERSCORE_TOKEN}`, 70);
    expect(cut).toMatch(/lautet MTA5.*…$/);
    expect(redactor.redact(cut)).toBe('Der Schlüssel lautet [redacted]…');
    const tail = UNDERSCORE_TOKEN.slice(-20);
    expect(redactor.redact(`… ${tail} ist das Ende`)).toBe('… [redacted] ist das Ende');
  });

  it('also removes token shapes and interaction tokens, like redactSecrets', () => {
    const redactor = new SecretRedactor(['hunter2-correct-horse']);
    expect(redactor.redact(`a ${BOT_TOKEN} b`)).toBe('a [redacted] b');
    expect(redactor.redact(`/webhooks/987654321098765432/${INTERACTION_TOKEN}/messages`)).toBe('/webhooks/987654321098765432/[redacted]/messages');
  });

  it('leaves ordinary text untouched', () => {
    const redactor = new SecretRedactor([UNDERSCORE_TOKEN]);
    for (const text of ORDINARY) expect(redactor.redact(text)).toBe(text);
  });

  it('redacts every string of a JSON value, keys included, and keeps its shape', () => {
    const redactor = new SecretRedactor([UNDERSCORE_TOKEN]);
    const value = {
      content: `token: ${UNDERSCORE_TOKEN}`,
      embeds: [{ fields: [{ name: 'x', value: `C:\\${UNDERSCORE_TOKEN}\\n` }], color: 1 }],
      [UNDERSCORE_TOKEN]: null,
      flags: 64,
      tts: false,
    };
    expect(redactor.redactValue(value)).toEqual({
      content: 'token: [redacted]',
      embeds: [{ fields: [{ name: 'x', value: 'C:\\[redacted]\\n' }], color: 1 }],
      '[redacted]': null,
      flags: 64,
      tts: false,
    });
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBotLogger } from '../../src/bot/bot-logger.ts';
import { SecretRedactor } from '../../src/bot/redact.ts';

/** Not token-shaped: only the redactor's own list can catch it. */
const SECRET = 'my-very-own-configured-secret-value-xyz';
const SHAPED = 'MTQwMDAwMDAwMDAwMDAwMDAwMA.Gx_y-Z.abc_def-ghij_klmn-opqrstuvwxyz_0123456789';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('createBotLogger', () => {
  it('removes the configured secret and token shapes from messages and fields, and every line stays JSON', async () => {
    const { lines, destination } = capture();
    const logger = createBotLogger({ level: 'trace', redactor: new SecretRedactor([SECRET]), destination });
    logger.info(`login with ${SECRET}`);
    logger.error({ error: `failed for ${SHAPED}`, nested: { list: [SECRET] }, path: `C:\\${SECRET}\\seeds` }, `Could not start (${SECRET})`);
    logger.warn({ token: 'anything', config: { token: 'x' } }, 'plain');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(3);
    const text = lines.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SHAPED.split('.')[2]!);
    const [first, second, third] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first!.msg).toBe('login with [redacted]');
    expect(second).toMatchObject({ msg: 'Could not start ([redacted])', error: 'failed for [redacted]', nested: { list: ['[redacted]'] }, path: 'C:\\[redacted]\\seeds' });
    expect(third).toMatchObject({ token: '[redacted]', config: { token: '[redacted]' } });
  });
});

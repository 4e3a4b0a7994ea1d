import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { guardOutgoingRequests, type MakeRequest } from '../../src/bot/outgoing-guard.ts';
import { SecretRedactor } from '../../src/bot/redact.ts';
import { recordingLogger } from '../e2e/bot-harness.ts';

const TOKEN = 'MTQwMDAwMDAwMDAwMDAwMDAwMA.Gx_y-Z.abc_def-ghij_klmn-opqrstuvwxyz_0123456789';
const HMAC = TOKEN.split('.')[2]!;

type Init = Parameters<MakeRequest>[1];

/** A guard whose requests are kept instead of sent. */
function capturingGuard() {
  const sent: { url: string; init: Init }[] = [];
  const logger = recordingLogger();
  const send: MakeRequest = async (url, init) => {
    sent.push({ url, init });
    return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  const guard = guardOutgoingRequests({ redactor: new SecretRedactor([TOKEN]), logger, send });
  return { guard, sent, logger };
}

const CALLBACK_URL = 'https://discord.com/api/v10/interactions/1234567890123456789/aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA/callback';

describe('guardOutgoingRequests', () => {
  it('removes the token from a JSON body, in any field, and logs that it did without the secret', async () => {
    const { guard, sent, logger } = capturingGuard();
    const body = JSON.stringify({ type: 4, data: { embeds: [{ title: 'Frage', fields: [{ name: '1. DISCORD_TOKEN', value: `DISCORD\\_TOKEN=${TOKEN.replaceAll('_', '\\_')}` }] }], flags: 64 } });
    await guard(CALLBACK_URL, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(sent).toHaveLength(1);
    const out = sent[0]!.init.body as string;
    expect(out).not.toContain(HMAC.slice(0, 16));
    expect(JSON.parse(out)).toEqual({ type: 4, data: { embeds: [{ title: 'Frage', fields: [{ name: '1. DISCORD_TOKEN', value: 'DISCORD\\_TOKEN=[redacted]' }] }], flags: 64 } });
    expect(sent[0]!.init.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^warn .*"method":"POST".*"path":"\/api\/v10\/interactions\/1234567890123456789\/\[redacted\]\/callback".*Removed a secret/);
    expect(logger.lines.join('\n')).not.toContain(HMAC.slice(0, 16));
  });

  it('passes a body without secrets on as it is, and logs nothing', async () => {
    const { guard, sent, logger } = capturingGuard();
    const init: Init = { method: 'PATCH', body: JSON.stringify({ content: 'Die Koalition der Willigen traf sich in Paris.' }) };
    await guard('https://discord.com/api/v10/webhooks/1/x/messages/@original', init);
    expect(sent[0]!.init).toBe(init);
    const get: Init = { method: 'GET', body: null };
    await guard('https://discord.com/api/v10/gateway/bot', get);
    expect(sent[1]!.init).toBe(get);
    expect(logger.lines).toEqual([]);
  });

  it('removes the token from every part of a multipart upload, keeping the other bytes and the file names', async () => {
    const { guard, sent, logger } = capturingGuard();
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: `siehe ${TOKEN}` }));
    const binary = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xe4, ...Buffer.from(` ${TOKEN} `), 0x00, 0xc3, 0xa4]);
    form.append('files[0]', new Blob([binary], { type: 'image/png' }), 'bild.png');
    form.append('files[1]', new Blob(['nur Text'], { type: 'text/plain' }), 'text.txt');
    await guard('https://discord.com/api/v10/channels/1/messages', { method: 'POST', body: form });
    const out = sent[0]!.init.body as FormData;
    expect(out).not.toBe(form);
    expect(JSON.parse(out.get('payload_json') as string)).toEqual({ content: 'siehe [redacted]' });
    const image = out.get('files[0]') as File;
    expect(image.name).toBe('bild.png');
    expect(image.type).toBe('image/png');
    expect([...new Uint8Array(await image.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xe4, ...Buffer.from(' [redacted] '), 0x00, 0xc3, 0xa4]);
    const text = out.get('files[1]') as File;
    expect(text.name).toBe('text.txt');
    expect(await text.text()).toBe('nur Text');
    expect(logger.lines).toHaveLength(1);
  });

  it('removes the token from byte bodies, and refuses to send a body it cannot read', async () => {
    const { guard, sent } = capturingGuard();
    await guard('https://discord.com/api/v10/x', { method: 'POST', body: Buffer.from(`a ${TOKEN} b`) });
    expect(Buffer.from(sent[0]!.init.body as Uint8Array).toString()).toBe('a [redacted] b');
    const stream = new ReadableStream({ start: (controller) => controller.close() });
    await expect(guard('https://discord.com/api/v10/x', { method: 'POST', body: stream })).rejects.toThrow(/cannot be checked for secrets, so it was not sent/);
    expect(sent).toHaveLength(1);
  });
});

describe('guardOutgoingRequests in discord.js REST, to a real HTTP server', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('no request body that leaves the process holds the token: JSON messages and multipart uploads', async () => {
    const bodies: Buffer[] = [];
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":"1"}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    const logger = recordingLogger();
    const rest = new REST({ api, makeRequest: guardOutgoingRequests({ redactor: new SecretRedactor([TOKEN]), logger }) }).setToken(TOKEN);
    await rest.post(Routes.channelMessages('1'), { body: { content: `Token: ${TOKEN}` } });
    await rest.post(Routes.channelMessages('1'), {
      body: { content: 'Anhang', embeds: [{ description: TOKEN }] },
      files: [{ name: 'env.txt', data: Buffer.from(`DISCORD_TOKEN=${TOKEN}\n`), contentType: 'text/plain' }],
    });
    expect(bodies).toHaveLength(2);
    const all = Buffer.concat(bodies).toString('latin1');
    expect(all).not.toContain(HMAC.slice(0, 16));
    expect(bodies[0]!.toString()).toBe('{"content":"Token: [redacted]"}');
    expect(bodies[1]!.toString()).toMatch(/name="payload_json"[\s\S]*"description":"\[redacted\]"/);
    expect(bodies[1]!.toString()).toMatch(/filename="env.txt"[\s\S]*DISCORD_TOKEN=\[redacted\]/);
    expect(logger.lines).toHaveLength(2);
  });
});

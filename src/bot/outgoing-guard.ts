import { DefaultRestOptions, type RESTOptions } from 'discord.js';
import type { Logger } from '../logger.ts';
import type { SecretRedactor } from './redact.ts';

/** discord.js' REST request function: every request the client makes goes through it. */
export type MakeRequest = RESTOptions['makeRequest'];
type RequestBody = Parameters<MakeRequest>[1]['body'];

export interface OutgoingGuardOptions {
  readonly redactor: SecretRedactor;
  readonly logger: Logger;
  /** The request function to pass checked requests to (default: discord.js' own). */
  readonly send?: MakeRequest | undefined;
}

/**
 * The last check on everything the bot sends to Discord: a REST request function that removes
 * secrets from every request body (interaction callbacks, webhook edits and follow-ups, channel
 * messages, and each part of a multipart upload) before passing the request on, and logs (without
 * the secret) when it removed one. Whatever a command put in a reply, the token does not leave.
 */
export function guardOutgoingRequests({ redactor, logger, send = DefaultRestOptions.makeRequest }: OutgoingGuardOptions): MakeRequest {
  return async (url, init) => {
    const body = await redactBody(init.body, redactor);
    if (body === init.body) return send(url, init);
    logger.warn(
      { method: init.method ?? 'GET', path: redactor.redact(new URL(url).pathname) },
      'Removed a secret (the bot token or one shaped like it) from a message to Discord',
    );
    return send(url, { ...init, body });
  };
}

/** The body with secrets removed, or the very same body when it held none. */
async function redactBody(body: RequestBody, redactor: SecretRedactor): Promise<RequestBody> {
  if (body === null || body === undefined) return body;
  if (typeof body === 'string') return redactJsonOrText(body, redactor);
  if (body instanceof FormData) return redactFormData(body, redactor);
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return redactBytes(new Uint8Array(body), redactor) ?? body;
  if (body instanceof Blob) return redactBytes(new Uint8Array(await body.arrayBuffer()), redactor) ?? body;
  // discord.js sends JSON strings and FormData; a body that cannot be checked is not sent.
  throw new TypeError(`A Discord request body of type ${body.constructor.name} cannot be checked for secrets, so it was not sent; teach guardOutgoingRequests to read it.`);
}

/** JSON is redacted value by value, so that an escape sequence is never cut in half. */
function redactJsonOrText(text: string, redactor: SecretRedactor): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const redacted = redactor.redact(text);
    return redacted === text ? text : redacted;
  }
  const redacted = JSON.stringify(redactor.redactValue(value));
  return redacted === JSON.stringify(value) ? text : redacted;
}

/** Tokens are ASCII: read as Latin-1 (one character per byte), every other byte survives unchanged. */
function redactBytes(bytes: Uint8Array, redactor: SecretRedactor): Uint8Array | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const redacted = redactor.redact(text);
  return redacted === text ? null : Buffer.from(redacted, 'latin1');
}

/** Each field of a multipart body (`payload_json` and any text field) and each uploaded file. */
async function redactFormData(form: FormData, redactor: SecretRedactor): Promise<FormData> {
  const copy = new FormData();
  let changed = false;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      const redacted = redactJsonOrText(value, redactor);
      changed ||= redacted !== value;
      copy.append(name, redacted);
      continue;
    }
    const redacted = redactBytes(new Uint8Array(await value.arrayBuffer()), redactor);
    changed ||= redacted !== null;
    copy.append(name, redacted === null ? value : new Blob([redacted], { type: value.type }), value.name);
  }
  return changed ? copy : form;
}

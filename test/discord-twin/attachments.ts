// Attachments on slash commands: a test uploads a file to the twin, passes its id as the value of
// an option of type 11 (ATTACHMENT), and the twin puts it in `data.resolved.attachments` with a
// URL on 127.0.0.1 where it serves the bytes, as Discord's CDN does. Downloads are recorded.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { snowflake } from './snowflake.js';
import type { JsonObject, Snowflake, UploadAttachmentOptions } from './types.js';

interface StoredAttachment {
  id: Snowflake;
  filename: string;
  bytes: Buffer;
  contentType: string | undefined;
  /** The size the twin declares (defaults to the real size; tests may lie, as a crafted payload can). */
  declaredSize: number;
}

const PREFIX = '/attachments/';

export class AttachmentStore {
  private readonly files = new Map<Snowflake, StoredAttachment>();
  /** Every download: attachment id and when. */
  readonly downloads: { id: Snowflake; at: number }[] = [];

  constructor(private readonly baseUrl: () => string) {}

  upload(input: UploadAttachmentOptions): Snowflake {
    const id = snowflake();
    const bytes = typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : Buffer.from(input.content);
    this.files.set(id, { id, filename: input.filename, bytes, contentType: input.contentType, declaredSize: input.declaredSize ?? bytes.length });
    return id;
  }

  /** `data.resolved.attachments[id]` as Discord sends it, or undefined for an unknown id. */
  resolved(id: string): JsonObject | undefined {
    const file = this.files.get(id);
    if (!file) return undefined;
    const url = `${this.baseUrl()}${PREFIX}${file.id}/${encodeURIComponent(file.filename)}?ex=0&is=0&hm=twin`;
    return {
      id: file.id,
      filename: file.filename,
      size: file.declaredSize,
      url,
      proxy_url: url,
      ...(file.contentType ? { content_type: file.contentType } : {}),
      ephemeral: true,
    };
  }

  /** Serves `GET /attachments/{id}/{name}`; false when the request is not for an attachment. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(PREFIX)) return false;
    const id = url.pathname.slice(PREFIX.length).split('/')[0] ?? '';
    const file = this.files.get(id);
    if (!file || request.method !== 'GET') {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return true;
    }
    this.downloads.push({ id, at: Date.now() });
    response.writeHead(200, { 'Content-Type': file.contentType ?? 'application/octet-stream', 'Content-Length': String(file.bytes.length) });
    response.end(file.bytes);
    return true;
  }
}

// The REST side: a node:http handler that parses bodies (JSON or discord.js' multipart uploads),
// applies injected faults, authenticates, routes to handlers and records every request. Handlers
// throw ApiError; this layer answers with Discord's error body and records the violation.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import type { AttachmentStore } from './attachments.js';
import type { GatewayServer } from './gateway.js';
import type { TwinState } from './state.js';

export interface TwinContext {
  state: TwinState;
  gateway: GatewayServer;
  /** Files attached to commands, served like Discord's CDN (./attachments.ts). */
  attachments: AttachmentStore;
  /** Filled in once the server listens (the port is random). */
  urls: { api: string; gateway: string };
}

export interface UploadedFile {
  /** Form field name, e.g. "files[0]". */
  field: string;
  filename: string;
  size: number;
  contentType?: string | undefined;
}

export interface RouteContext {
  method: string;
  path: string;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
  at: number;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: Method;
  template: string;
  regex: RegExp;
  /** Needs `Authorization: Bot <token>`. Interaction callbacks and webhook routes do not. */
  auth: boolean;
  handle(ctx: RouteContext): RouteResult;
}

/** `template` uses :name segments, e.g. '/channels/:channel/messages'. */
export function route(method: Method, template: string, auth: boolean, handle: (ctx: RouteContext) => RouteResult): Route {
  const source = template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '([^/]+)' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { method, template, regex: new RegExp(`^${source}$`), auth, handle };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** discord.js sends files as multipart/form-data with the JSON in a `payload_json` part. */
function parseMultipart(raw: Buffer, boundary: string): { json: string | undefined; files: UploadedFile[] } {
  const delimiter = Buffer.from(`--${boundary}`);
  const files: UploadedFile[] = [];
  let json: string | undefined;
  let position = raw.indexOf(delimiter);
  while (position !== -1) {
    const start = position + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    const part = raw.subarray(start + 2, next - 2); // strip the CRLFs around the part
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const field = /;\s*name="([^"]*)"/i.exec(headers)?.[1] ?? '';
    const filename = /;\s*filename="([^"]*)"/i.exec(headers)?.[1];
    if (filename !== undefined) {
      files.push({ field, filename, size: content.length, contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] });
    } else if (field === 'payload_json') {
      json = content.toString('utf8');
    }
    position = next;
  }
  return { json, files };
}

function parseBody(contentType: string | undefined, raw: Buffer): { body: unknown; files: UploadedFile[] } {
  if (raw.length === 0) return { body: undefined, files: [] };
  const boundary = /multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (boundary) {
    const { json, files } = parseMultipart(raw, boundary[1] ?? boundary[2] ?? '');
    return { body: json === undefined ? undefined : JSON.parse(json), files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

function write(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  // discord.js only parses bodies whose Content-Type starts with application/json.
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function faultResponse(status: number, retryAfter: number, global: boolean): RouteResult {
  if (status === 429) {
    return {
      status,
      body: { message: 'You are being rate limited.', retry_after: retryAfter, global },
      headers: {
        'Retry-After': String(retryAfter),
        'X-RateLimit-Scope': global ? 'global' : 'user',
        ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
      },
    };
  }
  return { status, body: { message: `${status}: injected by discord twin`, code: 0 } };
}

export function createRestHandler(
  state: TwinState,
  routes: Route[],
): (request: IncomingMessage, response: ServerResponse) => void {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(request);
    const versioned = /^\/api\/v\d+(\/.*)$/.exec(url.pathname);
    const rawPath = versioned?.[1] ?? url.pathname;
    // discord.js encodes segments (`@original` arrives as `%40original`); tests and fail rules see
    // the decoded form, routing splits the raw form so an encoded "/" cannot create a segment.
    const path = rawPath.split('/').map(safeDecode).join('/');
    let body: unknown;

    // Recorded before the response is written, so a test that awaited discord.js sees it.
    const reply = (result: RouteResult, injected = false) => {
      state.requests.push({ method, path, query: Object.fromEntries(url.searchParams), body, status: result.status, at, injected });
      state.changes.notify();
      write(response, result.status, result.body, result.headers);
    };

    try {
      let files: UploadedFile[];
      try {
        ({ body, files } = parseBody(request.headers['content-type'], raw));
      } catch {
        throw new ApiError(400, 50109, 'The request body contains invalid JSON.', 'invalid_json');
      }
      const fault = versioned ? state.takeFault(method, path) : undefined;
      if (fault) {
        reply(faultResponse(fault.status, fault.retryAfter ?? 1, fault.global ?? false), true);
        return;
      }
      if (!versioned) {
        throw new ApiError(404, 0, `404: Not Found (discord twin: ${url.pathname} is not under /api/v10)`, 'unknown_route');
      }
      let methodMismatch = false;
      for (const candidate of routes) {
        const match = candidate.regex.exec(rawPath);
        if (!match) continue;
        if (candidate.method !== method) {
          methodMismatch = true;
          continue;
        }
        if (candidate.auth && request.headers.authorization !== `Bot ${state.options.token}`) {
          throw new ApiError(401, 0, '401: Unauthorized', 'unauthorized', [`${method} ${path} without the twin's bot token`]);
        }
        const params = match.slice(1).map(safeDecode);
        reply(candidate.handle({ method, path, params, query: url.searchParams, body, files, at }));
        return;
      }
      if (methodMismatch) throw new ApiError(405, 0, `405: Method Not Allowed (discord twin: ${method} ${path})`, 'method_not_allowed');
      throw new ApiError(404, 0, `404: Not Found (discord twin has no route for ${method} ${path})`, 'unknown_route');
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError(500, 0, `500: discord twin error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, 'twin_error');
      if (apiError.kind) {
        state.violate({
          kind: apiError.kind,
          status: apiError.status,
          code: apiError.code,
          message: apiError.message,
          details: apiError.details,
          method,
          path,
          at,
          ...(apiError.interactionId ? { interactionId: apiError.interactionId } : {}),
        });
      }
      reply({ status: apiError.status, body: apiError.body() });
    }
  }

  return (request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Only reachable if writing the response itself failed (e.g. client went away).
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  };
}

// The gateway: a `ws` server on the REST server's port (path /gateway). Implements what
// @discordjs/ws needs: HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeat ACKs, RESUME with replay
// of missed dispatches, op 9 for invalid sessions, and per-session sequence numbers.
//
// Sessions outlive sockets: a socket that dies abnormally (or is closed by the client with 4200 to
// resume) leaves its session resumable, and dispatches sent meanwhile are buffered and replayed on
// RESUME like Discord does. A client close with 1000/1001 ends the session, as on Discord.
// Frames are plain JSON text: @discordjs/ws parses text frames as JSON even when it asked for
// zlib-stream compression (it only does so when zlib-sync is installed).
//
// Faults: drop() kills the sockets (1006); closeWith(code) closes them with a gateway close code
// (4004 authentication failed, 4014 disallowed intents, …); refuseIdentify(code) answers every
// later IDENTIFY and RESUME with that close, as Discord does for a reset token or a privileged
// intent the portal does not allow; takeDown() drops everything and refuses new connections
// (an outage) until bringUp().
//
// Shards: IDENTIFY's `shard: [id, count]` (default [0, 1]) is kept on the session; a dispatch for a
// guild goes only to the sessions of the shard that owns it ((guild_id >> 22) % count), READY and
// GUILD_CREATE list only that shard's guilds, and an invalid shard closes with 4010 like Discord.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { isObject } from './limits.js';
import type { GatewayEvent, JsonObject } from './types.js';

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

const Close = { UnknownOpcode: 4001, DecodeError: 4002, NotAuthenticated: 4003, AuthenticationFailed: 4004, AlreadyAuthenticated: 4005, InvalidShard: 4010 } as const;

/** Discord's rule: a guild's events go to shard `(guild_id >> 22) % shard_count`. */
export function shardOwns(shard: readonly [number, number], guildId: string): boolean {
  return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];
}

/** Missed dispatches kept per session for replay; Discord keeps a bounded backlog too. */
const REPLAY_BUFFER = 1000;

interface Buffered {
  s: number;
  t: string;
  d: unknown;
  deliver: () => void;
}

export interface Session {
  readonly id: string;
  readonly intents: number;
  /** [shard id, shard count] from IDENTIFY. */
  readonly shard: [number, number];
  seq: number;
  socket: WebSocket | null;
  readonly buffer: Buffered[];
}

interface Connection {
  readonly socket: WebSocket;
  session: Session | null;
}

export interface GatewayHooks {
  token: string;
  heartbeatIntervalMs: number;
  ready(session: Session, resumeGatewayUrl: string): JsonObject;
  guildCreates(session: Session): JsonObject[];
  guildMembers(request: JsonObject): JsonObject;
  changed(): void;
}

export interface DispatchOptions {
  /** Only sessions that identified with this intent bit receive it (e.g. GUILD_MESSAGES). */
  intent?: number;
  /** Per-session payload; null skips the session (e.g. to hide content without MESSAGE_CONTENT). */
  shape?: (session: Session) => unknown;
  /** A guild's event: only the sessions of the shard that owns the guild receive it. */
  guildId?: string;
  /** Called once, when the first copy is written to a socket (live or on replay). */
  onDelivered?: (at: number) => void;
}

export class GatewayServer {
  readonly log: GatewayEvent[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  private invalidateNextResume = false;
  private identifyCloseCode: number | null = null;
  private down = false;
  private url = '';

  constructor(private readonly hooks: GatewayHooks) {}

  /** Set once the HTTP server knows its port; used as resume_gateway_url. */
  setUrl(url: string): void {
    this.url = url;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (pathname !== '/gateway' || this.down) {
      // During an outage the connection dies before the handshake, like an unreachable host.
      if (this.down) this.record({ type: 'refused' });
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws));
  }

  /** True when some session has a live, identified/resumed socket. */
  get connected(): boolean {
    return [...this.sessions.values()].some((s) => s.socket !== null);
  }

  /** True when a session exists (connected or waiting to resume). */
  get hasSession(): boolean {
    return this.sessions.size > 0;
  }

  /** Gateway sessions with their shards. */
  sessionList(): { id: string; shard: [number, number]; connected: boolean }[] {
    return [...this.sessions.values()].map((session) => ({ id: session.id, shard: session.shard, connected: session.socket !== null }));
  }

  /** Sends a dispatch to every matching session; returns the ids of the sessions it was queued for. */
  dispatch(t: string, d: unknown, options: DispatchOptions = {}): string[] {
    let delivered = false;
    const deliver = () => {
      if (delivered) return;
      delivered = true;
      options.onDelivered?.(Date.now());
    };
    const queued: string[] = [];
    for (const session of this.sessions.values()) {
      if (options.intent !== undefined && (session.intents & options.intent) === 0) continue;
      if (options.guildId !== undefined && !shardOwns(session.shard, options.guildId)) continue;
      const payload = options.shape ? options.shape(session) : d;
      if (payload === null) continue;
      this.dispatchTo(session, t, payload, deliver);
      queued.push(session.id);
    }
    return queued;
  }

  /** Closes every socket abnormally (1006, no close frame); sessions stay resumable. */
  drop(): void {
    for (const connection of this.connections) {
      this.record({ type: 'drop', sessionId: connection.session?.id });
      if (connection.session && connection.session.socket === connection.socket) connection.session.socket = null;
      connection.socket.terminate();
    }
    this.hooks.changed();
  }

  invalidateSession(): void {
    this.invalidateNextResume = true;
  }

  /**
   * Closes every socket with a gateway close code, as Discord does. Codes from 4004 on end the
   * session (Discord will not let it resume); others leave it resumable.
   */
  closeWith(code: number, reason = `Closed with ${code}`): void {
    for (const connection of this.connections) {
      this.record({ type: 'server_close', code, sessionId: connection.session?.id });
      const session = connection.session;
      if (session && session.socket === connection.socket) {
        session.socket = null;
        if (code >= 4004) this.sessions.delete(session.id);
      }
      connection.socket.close(code, reason);
    }
    this.hooks.changed();
  }

  /** From now on every IDENTIFY and RESUME is answered by closing with `code`; null accepts them again. */
  refuseIdentify(code: number | null): void {
    this.identifyCloseCode = code;
  }

  /** An outage: every socket is dropped and new connections fail until {@link bringUp}. */
  takeDown(): void {
    this.down = true;
    this.drop();
  }

  bringUp(): void {
    this.down = false;
    this.hooks.changed();
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private record(event: Omit<GatewayEvent, 'at'>): void {
    this.log.push({ ...event, at: Date.now() });
    this.hooks.changed();
  }

  private onConnection(socket: WebSocket): void {
    const connection: Connection = { socket, session: null };
    this.connections.add(connection);
    this.record({ type: 'connect' });
    socket.on('message', (data, isBinary) => this.onMessage(connection, data, isBinary));
    socket.on('close', (code) => this.onClose(connection, code));
    socket.on('error', () => undefined); // always followed by 'close'
    this.send(socket, { op: Op.Hello, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs }, s: null, t: null });
  }

  private onClose(connection: Connection, code: number): void {
    this.connections.delete(connection);
    const session = connection.session;
    if (session && session.socket === connection.socket) {
      session.socket = null;
      if (code === 1000 || code === 1001) this.sessions.delete(session.id);
    }
    this.record({ type: 'close', code, sessionId: session?.id });
  }

  private protocolError(connection: Connection, code: number, detail: string): void {
    this.record({ type: 'protocol_error', code, detail, sessionId: connection.session?.id });
    connection.socket.close(code, detail);
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let payload: unknown;
    try {
      payload = isBinary ? undefined : JSON.parse(String(data));
    } catch {
      payload = undefined;
    }
    if (!isObject(payload) || typeof payload.op !== 'number') {
      this.protocolError(connection, Close.DecodeError, 'Decode error');
      return;
    }
    const d = isObject(payload.d) ? payload.d : {};
    switch (payload.op) {
      case Op.Heartbeat:
        this.send(connection.socket, { op: Op.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Op.Identify:
        this.identify(connection, d);
        return;
      case Op.Resume:
        this.resume(connection, d);
        return;
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
        if (!connection.session) this.protocolError(connection, Close.NotAuthenticated, 'Not authenticated');
        return;
      case Op.RequestGuildMembers:
        if (!connection.session) this.protocolError(connection, Close.NotAuthenticated, 'Not authenticated');
        else this.dispatchTo(connection.session, 'GUILD_MEMBERS_CHUNK', this.hooks.guildMembers(d), () => undefined);
        return;
      default:
        this.protocolError(connection, Close.UnknownOpcode, `Unknown opcode ${payload.op}`);
    }
  }

  private checkToken(connection: Connection, d: JsonObject): boolean {
    if (connection.session) {
      this.protocolError(connection, Close.AlreadyAuthenticated, 'Already authenticated');
      return false;
    }
    if (this.identifyCloseCode !== null) {
      this.record({ type: 'server_close', code: this.identifyCloseCode });
      connection.socket.close(this.identifyCloseCode, `Refused with ${this.identifyCloseCode}`);
      return false;
    }
    const token = typeof d.token === 'string' ? d.token.replace(/^Bot /, '') : '';
    if (token !== this.hooks.token) {
      this.protocolError(connection, Close.AuthenticationFailed, 'Authentication failed');
      return false;
    }
    return true;
  }

  private identify(connection: Connection, d: JsonObject): void {
    if (!this.checkToken(connection, d)) return;
    const shard = d.shard === undefined ? [0, 1] : d.shard;
    if (!Array.isArray(shard) || shard.length !== 2 || !shard.every(Number.isInteger) || shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
      this.protocolError(connection, Close.InvalidShard, 'Invalid shard');
      return;
    }
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents: typeof d.intents === 'number' ? d.intents : 0,
      shard: [shard[0] as number, shard[1] as number],
      seq: 0,
      socket: connection.socket,
      buffer: [],
    };
    this.sessions.set(session.id, session);
    connection.session = session;
    this.record({ type: 'identify', sessionId: session.id, shard: session.shard });
    this.dispatchTo(session, 'READY', this.hooks.ready(session, this.url), () => undefined);
    for (const guild of this.hooks.guildCreates(session)) this.dispatchTo(session, 'GUILD_CREATE', guild, () => undefined);
  }

  private resume(connection: Connection, d: JsonObject): void {
    if (!this.checkToken(connection, d)) return;
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session || this.invalidateNextResume) {
      this.invalidateNextResume = false;
      if (session) this.sessions.delete(session.id);
      this.record({ type: 'invalid_session', sessionId: typeof d.session_id === 'string' ? d.session_id : undefined });
      this.send(connection.socket, { op: Op.InvalidSession, d: false, s: null, t: null });
      return;
    }
    if (session.socket && session.socket !== connection.socket) session.socket.terminate();
    session.socket = connection.socket;
    connection.session = session;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    this.record({ type: 'resume', sessionId: session.id });
    // Replay what the client missed, then RESUMED — the order Discord uses.
    for (const entry of session.buffer) {
      if (entry.s > seq) this.deliver(session, entry);
    }
    session.seq++;
    this.send(connection.socket, { op: Op.Dispatch, t: 'RESUMED', s: session.seq, d: { _trace: ['discord-twin'] } });
  }

  private dispatchTo(session: Session, t: string, d: unknown, deliver: () => void): void {
    const entry: Buffered = { s: ++session.seq, t, d, deliver };
    session.buffer.push(entry);
    if (session.buffer.length > REPLAY_BUFFER) session.buffer.shift();
    if (session.socket) this.deliver(session, entry);
  }

  private deliver(session: Session, entry: Buffered): void {
    if (session.socket && this.send(session.socket, { op: Op.Dispatch, t: entry.t, s: entry.s, d: entry.d })) entry.deliver();
  }

  private send(socket: WebSocket, payload: object): boolean {
    if (socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(payload));
    return true;
  }
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

export interface SocketModeConnectionInfo {
  id: string;
  open: boolean;
  openedAt: number;
}

export interface RecordedAck {
  envelopeId: string;
  connectionId: string;
  payload: unknown;
}

interface Connection {
  id: string;
  ws: WebSocket;
  openedAt: number;
}

interface Waiter {
  resolve: (payload: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface EnvelopeOptions {
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
  timeoutMs?: number;
}

/**
 * Slack's side of Socket Mode: `hello` on connect, envelopes out, acks (`{envelope_id, payload}`) back, and
 * `disconnect` messages asking the client to reconnect (wire format: @slack/socket-mode SocketModeClient).
 */
export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections: Connection[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private readonly acked: RecordedAck[] = [];
  private readonly tickets = new Set<string>();
  private counter = 0;

  constructor(private readonly appId: string) {}

  /** A single-use URL for apps.connections.open, like Slack's `wss://wss-primary.slack.com/link/?ticket=...`. */
  issueUrl(base: string): string {
    this.counter += 1;
    const ticket = `ticket-${this.counter}-${Math.random().toString(16).slice(2, 10)}`;
    this.tickets.add(ticket);
    return `${base.replace(/^http/, 'ws')}/socket-mode/link?ticket=${ticket}`;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = new URL(req.url ?? '/', 'http://stand-in.invalid').searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.counter += 1;
    const connection: Connection = { id: `conn-${this.counter}`, ws, openedAt: Date.now() };
    this.connections.push(connection);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.onMessage(connection, rawText(data));
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.filter((c) => c.ws.readyState === c.ws.OPEN).length,
        debug_info: { host: 'slack-stand-in', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  private onMessage(connection: Connection, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    const { envelope_id: envelopeId, payload } = message as { envelope_id?: unknown; payload?: unknown };
    if (typeof envelopeId !== 'string') return;
    this.acked.push({ envelopeId, connectionId: connection.id, payload });
    const waiter = this.waiters.get(envelopeId);
    if (waiter === undefined) return;
    this.waiters.delete(envelopeId);
    clearTimeout(waiter.timer);
    waiter.resolve(payload);
  }

  connectionInfo(): SocketModeConnectionInfo[] {
    return this.connections.map((c) => ({
      id: c.id,
      open: c.ws.readyState === c.ws.OPEN,
      openedAt: c.openedAt,
    }));
  }

  acks(): RecordedAck[] {
    return [...this.acked];
  }

  /** Sends an envelope on the newest open connection and resolves with the `payload` of the client's ack. */
  sendEnvelope(type: string, payload: unknown, options: EnvelopeOptions = {}): Promise<unknown> {
    const connection = [...this.connections].reverse().find((c) => c.ws.readyState === c.ws.OPEN);
    if (connection === undefined) return Promise.reject(new Error('no open Socket Mode connection'));
    this.counter += 1;
    const envelopeId = `env-${this.counter}-${Math.random().toString(16).slice(2, 10)}`;
    const timeoutMs = options.timeoutMs ?? 3000;
    const acked = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(envelopeId);
        reject(new Error(`${type} envelope ${envelopeId} was not acknowledged within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(envelopeId, { resolve, reject, timer });
    });
    connection.ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: options.acceptsResponsePayload ?? false,
        retry_attempt: options.retryAttempt ?? 0,
        retry_reason: options.retryReason ?? '',
      }),
    );
    return acked;
  }

  /** Asks every open client to reconnect, as Slack does before recycling a connection. */
  requestDisconnect(reason: string): number {
    const open = this.connections.filter((c) => c.ws.readyState === c.ws.OPEN);
    for (const c of open) {
      c.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'slack-stand-in' } }));
    }
    return open.length;
  }

  /** Drops every connection without a close handshake, like a network failure. */
  dropAll(): void {
    for (const c of this.connections) c.ws.terminate();
  }

  async close(): Promise<void> {
    for (const waiter of this.waiters.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('Slack stand-in closed'));
    }
    this.waiters.clear();
    await Promise.all(this.connections.map((c) => closeGracefully(c.ws, 1000)));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/**
 * Completes the close handshake instead of cutting the socket: @slack/socket-mode 3.1.0 leaks a 30 s
 * close-handshake timer when the peer vanishes while the client is already closing (e.g. right after app.stop()).
 */
function closeGracefully(ws: WebSocket, graceMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === ws.OPEN) ws.close(1001, 'stand-in closing');
  });
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultPlan } from './faults';
import { slashCommandFields, type SlashCommandInput } from './payloads';
import { parseArgs, readRaw } from './request-body';
import {
  SocketModeServer,
  type EnvelopeOptions,
  type RecordedAck,
  type SocketModeConnectionInfo,
} from './socket-mode';
import type {
  ChannelState,
  Fault,
  RecordedCall,
  RecordedResponse,
  SharedFile,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
  TokenKind,
} from './types';
import { Workspace, type ApiResult } from './workspace';

export type * from './types';
export type { RecordedAck, SocketModeConnectionInfo, EnvelopeOptions } from './socket-mode';
export { blockActionsPayload, slashCommandFields, viewSubmissionPayload } from './payloads';
export type { BlockActionInput, ClickedMessage, SlashCommandInput, ViewSubmissionInput } from './payloads';

export interface SlackStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  botUserId?: string;
  teamId?: string;
  /** User group id (`S...`) to member user ids, for usergroups.users.list. */
  usergroups?: Record<string, string[]>;
}

/** Slack allows a response_url to be used up to 5 times (Slack's docs on handling slash commands). */
const RESPONSE_URL_USES = 5;

export interface SlackStandIn {
  /** `http://127.0.0.1:PORT/api/`, for `clientOptions.slackApiUrl`. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;

  /** Every Web API call (or only those of one method), including upload and response_url posts, oldest first. */
  calls(method?: string): RecordedCall[];
  /** Top-level messages of a channel, oldest first (thread replies are in `thread`). */
  messages(channel: string): StoredMessage[];
  /** Replies in the thread whose parent has `ts`, oldest first (the parent is not included). */
  thread(channel: string, ts: string): StoredMessage[];
  /** Every message in every channel, replies included, in posting order. */
  allMessages(): StoredMessage[];
  ephemerals(channel?: string): StoredEphemeral[];
  files(): StoredFile[];
  /** Modals opened with views.open, oldest first. */
  views(): StoredView[];
  /**
   * A person shares a file in a channel: a message with the file, `files.info` describing it, and its bytes at
   * `url_private` for a request with a token (`GET /files-pri/...`, recorded as method `file_download`).
   */
  shareFile(
    channel: string,
    user: string,
    name: string,
    content: string | Buffer,
    options?: { title?: string; mimetype?: string; filetype?: string },
  ): SharedFile;
  /** files.info then answers file_deleted and the download 404. */
  deleteSharedFile(id: string): void;
  /** A fresh response_url this stand-in serves (`POST /response/<id>`, JSON, no auth). */
  responseUrl(): string;
  /** Bodies POSTed to response URLs (all, or those of one URL or id). */
  responses(urlOrId?: string): RecordedResponse[];
  /** Resolves with the predicate's first truthy value; rejects after `timeoutMs` (default 2000). */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;

  /** Changes a channel (created on first use, bot a member). `isMember: false` makes posts answer not_in_channel. */
  setChannel(id: string, state: Partial<Omit<ChannelState, 'id'>>): void;
  /** Makes a channel answer channel_not_found. */
  deleteChannel(id: string): void;
  /** A message written by a person, not the bot. */
  seedUserMessage(channel: string, user: string, text: string, threadTs?: string): StoredMessage;

  /** The next `times` calls of `method` answer 429 `ratelimited` with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, times?: number, retryAfterSeconds?: number): void;
  /** The next `times` calls answer HTTP 200 `{ok:false, error}`. */
  failWith(method: string, error: string, times?: number): void;
  /** The next `times` calls answer a bare HTTP `status` (default 500). */
  failHttp(method: string, status?: number, times?: number): void;
  /** The next `times` calls have their connection destroyed without an answer. */
  dropNext(method: string, times?: number): void;
  /**
   * The next `times` calls time out: `late` carries the call out and answers after `ms` (Slack acted, the answer
   * came too late); otherwise nothing is done and no answer comes (closed after `ms` when given).
   */
  timeOut(method: string, options?: { times?: number; ms?: number; late?: boolean }): void;
  /** Any scripted fault; `method` may be `*` (every method), `upload` or `response_url`. */
  inject(method: string, fault: Fault, times?: number): void;
  /** Destroys open connections and refuses new ones (HTTP and WebSocket) until `comeBack`, or for `durationMs`. */
  goDown(durationMs?: number): void;
  comeBack(): void;
  clearFaults(): void;

  socketModeConnections(): SocketModeConnectionInfo[];
  /** Resolves once `count` Socket Mode connections have ever opened (reconnects count too). */
  waitForSocketModeConnections(count: number, timeoutMs?: number): Promise<SocketModeConnectionInfo[]>;
  /** Pushes a `slash_commands` envelope and resolves with the client's ack payload. */
  sendSlashCommand(input?: Partial<SlashCommandInput>, options?: EnvelopeOptions): Promise<unknown>;
  /** Pushes an `interactive` envelope (e.g. from `blockActionsPayload`) and resolves with the ack payload. */
  sendInteraction(payload: Record<string, unknown>, options?: EnvelopeOptions): Promise<unknown>;
  sendEnvelope(type: string, payload: unknown, options?: EnvelopeOptions): Promise<unknown>;
  socketModeAcks(): RecordedAck[];
  /** Sends `{type:'disconnect', reason}` to every open client; returns how many were asked. */
  requestSocketModeReconnect(reason?: string): number;

  close(): Promise<void>;
}

function tokenKindOf(token: string | undefined): TokenKind {
  if (token === undefined || token === '') return 'none';
  if (token.startsWith('xoxb-')) return 'bot';
  if (token.startsWith('xoxp-')) return 'user';
  if (token.startsWith('xapp-')) return 'app';
  return 'other';
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

/**
 * `/api/<method>`, `/upload/v1/<fileId>`, `/response/<id>` and a shared file's
 * `/files-pri/<team>-<fileId>/[download/]<name>`; anything else is not Slack.
 */
function routeOf(pathname: string): { method: string; id: string } | undefined {
  const [, fileId] = /^\/files-pri\/[A-Z0-9]+-(F[A-Z0-9]+)\/(?:download\/)?[^/]+$/.exec(pathname) ?? [];
  if (fileId !== undefined) return { method: 'file_download', id: fileId };
  const [, kind, rest] = /^\/(api|upload\/v1|response)\/([^/?]+)$/.exec(pathname) ?? [];
  if (kind === undefined || rest === undefined) return undefined;
  if (kind === 'api') return { method: rest, id: rest };
  return { method: kind === 'response' ? 'response_url' : 'upload', id: rest };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

class StandIn implements SlackStandIn {
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly botUserId: string;
  readonly botId = 'B0METALLB';
  readonly teamId: string;
  private readonly log: RecordedCall[] = [];
  private readonly responseLog: RecordedResponse[] = [];
  private readonly faults = new FaultPlan();
  private readonly sockets = new Set<Socket>();
  private readonly workspace: Workspace;
  private readonly socketMode: SocketModeServer;
  private responseCounter = 0;

  constructor(
    private readonly server: Server,
    readonly port: number,
    options: SlackStandInOptions,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.botUserId = options.botUserId ?? 'U0METALLBOT';
    this.teamId = options.teamId ?? 'T0METALLB';
    const appId = 'A0METALLB';
    this.socketMode = new SocketModeServer(appId);
    this.workspace = new Workspace(
      {
        teamId: this.teamId,
        teamDomain: 'metallb-test',
        botUserId: this.botUserId,
        botId: this.botId,
        appId,
        usergroups: options.usergroups ?? {},
      },
      (fileId) => `${this.baseUrl}/upload/v1/${fileId}`,
      () => this.socketMode.issueUrl(this.baseUrl),
      (path) => `${this.baseUrl}${path}`,
    );
    server.on('connection', (socket: Socket) => {
      if (this.faults.isDown()) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, { ok: false, error: 'stand_in_error', detail: String(error) });
        else res.destroy();
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (this.faults.isDown() || !(req.url ?? '').startsWith('/socket-mode/')) {
        socket.destroy();
        return;
      }
      this.socketMode.handleUpgrade(req, socket, head);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readRaw(req);
    const call = await this.record(req, url, raw);
    const route = routeOf(url.pathname);
    if (route === undefined) {
      this.answer(call, res, 404, { ok: false, error: 'not_found' });
      return;
    }
    if (this.faults.isDown()) {
      res.socket?.destroy();
      return;
    }
    const fault = this.faults.take(route.method);
    if (fault?.kind === 'late') this.answerLate(call, res, route, raw, fault.ms);
    else if (fault !== undefined) this.applyFault(call, res, fault);
    else this.carryOut(call, route, raw)(res);
  }

  private async record(req: IncomingMessage, url: URL, raw: Buffer): Promise<RecordedCall> {
    const contentType = req.headers['content-type'] ?? '';
    const args = await parseArgs(raw, contentType, url.searchParams);
    const token = bearer(req) ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const call: RecordedCall = {
      seq: this.log.length + 1,
      at: Date.now(),
      method: routeOf(url.pathname)?.method ?? `unknown:${url.pathname}`,
      httpMethod: req.method ?? 'GET',
      contentType,
      tokenPresent: token !== undefined && token !== '',
      tokenKind: tokenKindOf(token),
      args,
      status: 0,
    };
    this.log.push(call);
    return call;
  }

  private apiResult(method: string, call: RecordedCall): ApiResult {
    const handler = this.workspace.handlers[method];
    if (handler === undefined) return { ok: false, error: 'unknown_method' };
    if (!call.tokenPresent) return { ok: false, error: 'not_authed' };
    if (call.tokenKind === 'other') return { ok: false, error: 'invalid_auth' };
    if (call.tokenKind === 'app' && method !== 'apps.connections.open' && method !== 'auth.test') {
      return { ok: false, error: 'not_allowed_token_type' };
    }
    return handler(call.args, call.tokenKind);
  }

  private answer(call: RecordedCall, res: ServerResponse, status: number, body: unknown, headers = {}): void {
    call.status = status;
    call.response = body;
    sendJson(res, status, body, headers);
  }

  private applyFault(call: RecordedCall, res: ServerResponse, fault: Fault): void {
    switch (fault.kind) {
      case 'ratelimited':
        call.retryAfterSeconds = fault.retryAfterSeconds;
        this.answer(
          call,
          res,
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(fault.retryAfterSeconds) },
        );
        return;
      case 'error':
        this.answer(call, res, 200, { ok: false, error: fault.error });
        return;
      case 'http':
        call.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(fault.body ?? `stand-in answered ${fault.status}`);
        return;
      case 'destroy':
        res.socket?.destroy();
        return;
      case 'hang':
        if (fault.ms !== undefined) this.later(res, fault.ms, () => res.socket?.destroy());
        return;
      case 'late':
        return;
    }
  }

  /** Carries the call out now and answers it `ms` later (if the client still listens). */
  private answerLate(
    call: RecordedCall,
    res: ServerResponse,
    route: { method: string; id: string },
    raw: Buffer,
    ms: number,
  ): void {
    const answer = this.carryOut(call, route, raw);
    this.later(res, ms, () => answer(res));
  }

  /** Does what the call asks and returns how to answer it. */
  private carryOut(
    call: RecordedCall,
    route: { method: string; id: string },
    raw: Buffer,
  ): (res: ServerResponse) => void {
    if (route.method === 'file_download') return this.download(call, route.id);
    if (route.method === 'upload' || route.method === 'response_url') {
      const text =
        route.method === 'upload' ? this.upload(call, route.id, raw) : this.respond(call, route.id);
      return (res) => {
        res.writeHead(call.status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
      };
    }
    const result = this.apiResult(route.method, call);
    call.status = 200;
    call.response = result;
    return (res) => sendJson(res, 200, result);
  }

  private later(res: ServerResponse, ms: number, send: () => void): void {
    const timer = setTimeout(() => {
      if (!res.destroyed && !res.writableEnded) send();
    }, ms);
    timer.unref();
  }

  /** Stores the bytes of an upload; returns the plain-text answer (the status is set on `call`). */
  private upload(call: RecordedCall, fileId: string, raw: Buffer): string {
    // The WebClient posts the bytes as a multipart file field; a plain body is accepted too, like Slack does.
    // Bytes are kept with the file, not in the call log, so printing calls stays short.
    const part = Object.values(call.args).find((v): v is Buffer => Buffer.isBuffer(v));
    const content = part ?? raw;
    for (const [key, value] of Object.entries(call.args)) {
      if (Buffer.isBuffer(value)) call.args[key] = `<${value.length} bytes>`;
    }
    const stored = this.workspace.receiveUpload(fileId, Buffer.from(content));
    call.status = stored ? 200 : 404;
    return stored ? `OK - ${content.length}` : 'file_not_found';
  }

  /**
   * A shared file's bytes. Slack serves `url_private` only with a token in the Authorization header; without one
   * it redirects to the sign-in page (a client that follows it gets a page, not the file).
   */
  private download(call: RecordedCall, fileId: string): (res: ServerResponse) => void {
    const text = (status: number, body: string) => (res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    if (call.httpMethod !== 'GET' && call.httpMethod !== 'HEAD') {
      call.status = 405;
      return text(405, 'method_not_allowed');
    }
    if (call.tokenKind !== 'bot' && call.tokenKind !== 'user') {
      call.status = 302;
      return (res) => {
        res.writeHead(302, { location: `${this.baseUrl}/signin?redirect=${encodeURIComponent(fileId)}` });
        res.end();
      };
    }
    const file = this.workspace.sharedFile(fileId);
    if (file === undefined) {
      call.status = 404;
      return text(404, 'file_not_found');
    }
    call.status = 200;
    return (res) => {
      res.writeHead(200, {
        'content-type': file.mimetype,
        'content-length': String(file.content.length),
        'content-disposition': `attachment; filename="${file.name.replace(/"/g, '')}"`,
      });
      res.end(call.httpMethod === 'HEAD' ? undefined : file.content);
    };
  }

  /** Records a POST to a response URL; returns the plain-text answer (the status is set on `call`). */
  private respond(call: RecordedCall, id: string): string {
    const uses = this.responseLog.filter((r) => r.id === id && r.status === 200).length;
    const status = uses >= RESPONSE_URL_USES ? 404 : 200;
    const body = Object.keys(call.args).length === 1 && 'body' in call.args ? call.args.body : call.args;
    this.responseLog.push({ id, at: call.at, body, status });
    call.status = status;
    return status === 200 ? 'ok' : 'used_url';
  }

  calls(method?: string): RecordedCall[] {
    return this.log.filter((c) => method === undefined || c.method === method);
  }
  messages(channel: string): StoredMessage[] {
    return this.workspace.messages(channel);
  }
  thread(channel: string, ts: string): StoredMessage[] {
    return this.workspace.thread(channel, ts);
  }
  allMessages(): StoredMessage[] {
    return this.workspace.allMessages();
  }
  ephemerals(channel?: string): StoredEphemeral[] {
    return this.workspace.ephemerals(channel);
  }
  files(): StoredFile[] {
    return this.workspace.files();
  }
  views(): StoredView[] {
    return this.workspace.views();
  }
  shareFile(
    channel: string,
    user: string,
    name: string,
    content: string | Buffer,
    options?: { title?: string; mimetype?: string; filetype?: string },
  ): SharedFile {
    return this.workspace.shareFile(channel, user, name, content, options);
  }
  deleteSharedFile(id: string): void {
    this.workspace.deleteSharedFile(id);
  }
  responseUrl(): string {
    this.responseCounter += 1;
    return `${this.baseUrl}/response/r${this.responseCounter}-${Math.random().toString(16).slice(2, 10)}`;
  }
  responses(urlOrId?: string): RecordedResponse[] {
    const id = urlOrId?.split('/').pop();
    return this.responseLog.filter((r) => id === undefined || r.id === id);
  }

  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 2000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const poll = (): void => {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (value !== undefined && value !== null && value !== false) {
          resolve(value);
          return;
        }
        if (Date.now() >= deadline) {
          const seen = this.log.slice(-10).map((c) => `${c.method}=${c.status}`);
          reject(
            new Error(`waitFor timed out after ${timeoutMs} ms; last calls: ${seen.join(', ') || 'none'}`),
          );
          return;
        }
        setTimeout(poll, 10);
      };
      poll();
    });
  }

  setChannel(id: string, state: Partial<Omit<ChannelState, 'id'>>): void {
    Object.assign(this.workspace.channel(id), state);
  }
  deleteChannel(id: string): void {
    this.workspace.deleteChannel(id);
  }
  seedUserMessage(channel: string, user: string, text: string, threadTs?: string): StoredMessage {
    return this.workspace.seedUserMessage(channel, user, text, threadTs);
  }

  rateLimit(method: string, times = 1, retryAfterSeconds = 1): void {
    this.faults.add(method, { kind: 'ratelimited', retryAfterSeconds }, times);
  }
  failWith(method: string, error: string, times = 1): void {
    this.faults.add(method, { kind: 'error', error }, times);
  }
  failHttp(method: string, status = 500, times = 1): void {
    this.faults.add(method, { kind: 'http', status }, times);
  }
  dropNext(method: string, times = 1): void {
    this.faults.add(method, { kind: 'destroy' }, times);
  }
  timeOut(method: string, options: { times?: number; ms?: number; late?: boolean } = {}): void {
    const fault: Fault = options.late
      ? { kind: 'late', ms: options.ms ?? 30_000 }
      : { kind: 'hang', ...(options.ms !== undefined ? { ms: options.ms } : {}) };
    this.faults.add(method, fault, options.times ?? 1);
  }
  inject(method: string, fault: Fault, times = 1): void {
    this.faults.add(method, fault, times);
  }
  goDown(durationMs?: number): void {
    this.faults.down(durationMs);
    for (const socket of this.sockets) socket.destroy();
    this.socketMode.dropAll();
  }
  comeBack(): void {
    this.faults.up();
  }
  clearFaults(): void {
    this.faults.clear();
  }

  socketModeConnections(): SocketModeConnectionInfo[] {
    return this.socketMode.connectionInfo();
  }
  waitForSocketModeConnections(count: number, timeoutMs = 5000): Promise<SocketModeConnectionInfo[]> {
    return this.waitFor(() => {
      const all = this.socketMode.connectionInfo();
      return all.length >= count && all[count - 1]?.open === true ? all : undefined;
    }, timeoutMs);
  }
  sendSlashCommand(input: Partial<SlashCommandInput> = {}, options: EnvelopeOptions = {}): Promise<unknown> {
    const payload = slashCommandFields({
      teamId: this.teamId,
      ...input,
      responseUrl: input.responseUrl ?? this.responseUrl(),
    });
    return this.socketMode.sendEnvelope('slash_commands', payload, {
      acceptsResponsePayload: true,
      ...options,
    });
  }
  sendInteraction(payload: Record<string, unknown>, options: EnvelopeOptions = {}): Promise<unknown> {
    return this.socketMode.sendEnvelope('interactive', payload, options);
  }
  sendEnvelope(type: string, payload: unknown, options: EnvelopeOptions = {}): Promise<unknown> {
    return this.socketMode.sendEnvelope(type, payload, options);
  }
  socketModeAcks(): RecordedAck[] {
    return this.socketMode.acks();
  }
  requestSocketModeReconnect(reason = 'refresh_requested'): number {
    return this.socketMode.requestDisconnect(reason);
  }

  async close(): Promise<void> {
    this.faults.clear();
    await this.socketMode.close();
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error === undefined ? resolve() : reject(error)));
      this.server.closeAllConnections();
    });
  }
}

/**
 * Starts a Slack Web API + Socket Mode stand-in on 127.0.0.1 (a free port unless `port` is given).
 * Point Bolt at it with `clientOptions: { slackApiUrl: standIn.apiUrl }`; close it in `afterAll`.
 */
export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return new StandIn(server, port, options);
}

/** Arguments of a Web API call as Slack's server sees them, with JSON-string fields (blocks, files...) decoded. */
export type CallArgs = Record<string, unknown>;

/** Which kind of token a call carried. The token value itself is never recorded. */
export type TokenKind = 'bot' | 'user' | 'app' | 'other' | 'none';

export interface RecordedCall {
  /** Position in the stand-in's call log, starting at 1. */
  seq: number;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** Web API method (`chat.postMessage`), or `upload` / `response_url` / `file_download` for the non-API endpoints. */
  method: string;
  httpMethod: string;
  contentType: string;
  tokenPresent: boolean;
  tokenKind: TokenKind;
  /** Parsed arguments without `token`. */
  args: CallArgs;
  /** HTTP status the stand-in answered with (0 when the connection was destroyed). */
  status: number;
  /** JSON body the stand-in answered with, if any. */
  response?: unknown;
  /** The `Retry-After` of a 429 answer, in seconds. */
  retryAfterSeconds?: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  /** Set on thread replies only, like Slack's own message objects. */
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
  attachments?: unknown;
  metadata?: unknown;
  files?: { id: string; title?: string; name: string }[];
  /** User that posted it: the bot's user id for messages the bot sent. */
  user: string;
  bot_id?: string;
  /** How many times chat.update changed it. */
  edits: number;
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
}

export interface StoredFile {
  id: string;
  filename: string;
  /** `length` the client declared in files.getUploadURLExternal. */
  declaredLength: number;
  /** Bytes POSTed to the upload URL; undefined until then. */
  content?: Buffer;
  title?: string;
  /** Set by files.completeUploadExternal. */
  channel?: string;
  threadTs?: string;
  initialComment?: string;
  completed: boolean;
}

export interface RecordedResponse {
  id: string;
  at: number;
  body: unknown;
  /** HTTP status the stand-in answered with. */
  status: number;
}

export interface ChannelState {
  id: string;
  name: string;
  isMember: boolean;
  isArchived: boolean;
}

/** A scripted failure for one Web API method (or `upload` / `response_url`). */
export type Fault =
  | { kind: 'ratelimited'; retryAfterSeconds: number }
  | { kind: 'error'; error: string }
  | { kind: 'http'; status: number; body?: string }
  | { kind: 'destroy' }
  /**
   * A time-out before Slack saw the call: no answer; the connection is closed after `ms`, or held until the
   * client gives up when `ms` is absent. Nothing is stored.
   */
  | { kind: 'hang'; ms?: number }
  /** A time-out after Slack acted: the call is carried out (a message is stored), its answer sent `ms` later. */
  | { kind: 'late'; ms: number };

/** A modal opened with views.open. */
export interface StoredView {
  /** `V…`, unique in the workspace. */
  id: string;
  triggerId: string;
  /** The view as the app sent it (callback_id, private_metadata, blocks...). */
  view: Record<string, unknown>;
}

/** A file a person shared in a channel (not uploaded by the bot): what files.info describes and the download serves. */
export interface SharedFile {
  /** `F…`, unique in the workspace. */
  id: string;
  name: string;
  title: string;
  /** Who shared it. */
  user: string;
  /** Channels it is shared in. */
  channels: string[];
  content: Buffer;
  mimetype: string;
  filetype: string;
  /** Epoch seconds. */
  created: number;
  /** files.info answers file_deleted once set. */
  deleted: boolean;
}

/**
 * The edge to Slack's Web API for delivery. The outbox sender is the only caller; jobs never talk to Slack.
 * Errors are classified once here so the sender can decide: wait (rate limited), retry later (Slack down),
 * tell the requester (bot not in the channel), or give up on one message (a permanent error).
 */
import { webApi } from '@slack/bolt';
import type { Block } from './views/blocks';

export type DeliveryFailure =
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'unavailable'; detail: string }
  | { kind: 'not-in-channel'; detail: string }
  | { kind: 'permanent'; detail: string };

export class SlackDeliveryError extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(`slack delivery failed: ${failure.kind}${'detail' in failure ? ` (${failure.detail})` : ''}`);
    this.name = 'SlackDeliveryError';
  }
}

export interface MessageArgs {
  channel: string;
  text: string;
  blocks?: Block[];
  threadTs?: string;
}

/** What the outbox needs from Slack. A fake or the WebClient implements it. */
export interface SlackTransport {
  postMessage(args: MessageArgs): Promise<{ ts: string }>;
  updateMessage(args: MessageArgs & { ts: string }): Promise<void>;
  postEphemeral(args: MessageArgs & { user: string }): Promise<void>;
  uploadFile(args: {
    channel: string;
    threadTs?: string;
    filename: string;
    title: string;
    content: string;
  }): Promise<void>;
  /** POSTs to a slash command's response_url (valid 30 minutes, usable where the bot is not a member). */
  respond(
    url: string,
    body: {
      text: string;
      blocks?: Block[];
      response_type?: 'ephemeral' | 'in_channel';
      /** Whether the answer replaces the message the URL belongs to (the ack, or the clicked message). */
      replace_original?: boolean;
    },
  ): Promise<void>;
}

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
const RETRYABLE_PLATFORM = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

/** Maps an error thrown by @slack/web-api to a delivery failure. */
export function classifySlackError(error: unknown): DeliveryFailure {
  if (error instanceof SlackDeliveryError) return error.failure;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === webApi.ErrorCode.RateLimitedError) {
    const retryAfter = (error as webApi.WebAPIRateLimitedError).retryAfter;
    return { kind: 'rate-limited', retryAfterMs: Math.max(1, Number(retryAfter) || 1) * 1000 };
  }
  if (code === webApi.ErrorCode.PlatformError) {
    const slackError = (error as webApi.WebAPIPlatformError).data.error;
    if (NOT_IN_CHANNEL.has(slackError)) return { kind: 'not-in-channel', detail: slackError };
    if (RETRYABLE_PLATFORM.has(slackError)) return { kind: 'unavailable', detail: slackError };
    return { kind: 'permanent', detail: slackError };
  }
  if (code === webApi.ErrorCode.HTTPError) {
    const status = (error as webApi.WebAPIHTTPError).statusCode;
    return status >= 500 || status === 408
      ? { kind: 'unavailable', detail: `HTTP ${status}` }
      : { kind: 'permanent', detail: `HTTP ${status}` };
  }
  if (code === webApi.ErrorCode.RequestError) return { kind: 'unavailable', detail: 'request failed' };
  return { kind: 'unavailable', detail: error instanceof Error ? error.name : 'unknown error' };
}

async function classified<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new SlackDeliveryError(classifySlackError(error));
  }
}

/**
 * The transport over the real WebClient. Retries are off and rate limits are rejected, so a slow or limited
 * Slack never holds a sender: the outbox itself waits and retries (docs/adr/0003-outbox-delivery.md).
 */
export function webClientTransport(options: {
  token: string;
  apiUrl: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}): SlackTransport {
  const client = new webApi.WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 15_000,
    logLevel: webApi.LogLevel.ERROR,
  });
  const fetchImpl = options.fetchImpl ?? fetch;
  return {
    postMessage: (args) =>
      classified(async () => {
        const result = await client.chat.postMessage({
          channel: args.channel,
          text: args.text,
          blocks: args.blocks,
          thread_ts: args.threadTs,
        });
        return { ts: String(result.ts) };
      }),
    updateMessage: (args) =>
      classified(async () => {
        await client.chat.update({
          channel: args.channel,
          ts: args.ts,
          text: args.text,
          blocks: args.blocks,
        });
      }),
    postEphemeral: (args) =>
      classified(async () => {
        await client.chat.postEphemeral({
          channel: args.channel,
          user: args.user,
          text: args.text,
          blocks: args.blocks,
          thread_ts: args.threadTs,
        });
      }),
    uploadFile: (args) =>
      classified(async () => {
        const base = {
          channel_id: args.channel,
          filename: args.filename,
          title: args.title,
          content: args.content,
        };
        await client.filesUploadV2(args.threadTs ? { ...base, thread_ts: args.threadTs } : base);
      }),
    respond: async (url, body) => {
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', ...body }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch {
        throw new SlackDeliveryError({ kind: 'unavailable', detail: 'response_url request failed' });
      }
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get('retry-after') ?? '1');
        throw new SlackDeliveryError({ kind: 'rate-limited', retryAfterMs: Math.max(1, retryAfter) * 1000 });
      }
      if (response.status >= 500)
        throw new SlackDeliveryError({ kind: 'unavailable', detail: `response_url HTTP ${response.status}` });
      if (!response.ok)
        throw new SlackDeliveryError({ kind: 'permanent', detail: `response_url HTTP ${response.status}` });
    },
  };
}

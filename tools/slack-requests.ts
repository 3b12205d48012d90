import { createHmac } from 'node:crypto';
import {
  blockActionsPayload,
  slashCommandFields,
  viewSubmissionPayload,
  type BlockActionInput,
  type SlashCommandInput,
  type ViewSubmissionInput,
} from './slack-stand-in/payloads';

export type { BlockActionInput, SlashCommandInput, ViewSubmissionInput } from './slack-stand-in/payloads';

/** An HTTP request exactly as Slack would send it to the bot's request URL. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export interface SigningOptions {
  signingSecret: string;
  /** Epoch seconds for `x-slack-request-timestamp`; default now. Use an old one to test replay protection. */
  timestampSeconds?: number;
  /** Overrides the computed `x-slack-signature` (e.g. `v0=deadbeef`) to test rejection. */
  signature?: string;
  /** Slack's redelivery headers. */
  retryNum?: number;
  retryReason?: string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's signing secret (Slack's scheme). */
export function slackSignature(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

/** Signs a form-encoded body and adds the headers Slack sends with it. */
export function signRequest(rawBody: string, options: SigningOptions): SignedRequest {
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(options.signingSecret, timestamp, rawBody),
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  return { body: rawBody, headers };
}

/** A signed slash command (`/metallb check` by default in #metallb-ops), form-encoded like Slack's. */
export function slashCommandRequest(input: SlashCommandInput, signing: SigningOptions): SignedRequest {
  return signRequest(new URLSearchParams(slashCommandFields(input)).toString(), signing);
}

/** A signed button click: form-encoded with a single `payload=<JSON>` field carrying a block_actions payload. */
export function blockActionsRequest(input: BlockActionInput, signing: SigningOptions): SignedRequest {
  return interactionRequest(blockActionsPayload(input), signing);
}

/** A signed modal submission: `payload=<JSON>` carrying a view_submission payload. */
export function viewSubmissionRequest(input: ViewSubmissionInput, signing: SigningOptions): SignedRequest {
  return interactionRequest(viewSubmissionPayload(input), signing);
}

/** A signed interactivity request for any payload (block_actions, view_submission...). */
export function interactionRequest(payload: Record<string, unknown>, signing: SigningOptions): SignedRequest {
  return signRequest(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), signing);
}

export interface SignedResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

/** POSTs a signed request (e.g. to Bolt's `http://127.0.0.1:PORT/slack/events`) and reads the whole answer. */
export async function postSigned(url: string, request: SignedRequest): Promise<SignedResponse> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * Driving fixes through Slack in end-to-end tests: signed slash commands and signed button clicks sent to the
 * bot's real Bolt receiver, and readers of the thread the bot posts to the Slack stand-in.
 */
import type { SlackStandIn, StoredMessage } from '../../tools/slack-stand-in';
import {
  blockActionsRequest,
  postSigned,
  slashCommandRequest,
  type SignedResponse,
} from '../../tools/slack-requests';
import { SIGNING_SECRET, textOf } from '../../tools/bot-harness';

export interface Driver {
  slack: SlackStandIn;
  eventsUrl: () => string;
}

export interface SlashAnswer {
  response: SignedResponse;
  responseUrl: string;
  /** The ack's text. */
  ack: string;
  /** The later answers posted to the response_url, as text. */
  later(count?: number, timeoutMs?: number): Promise<string[]>;
}

export async function slash(
  d: Driver,
  text: string,
  options: { channel?: string; user?: string; triggerId?: string } = {},
): Promise<SlashAnswer> {
  const responseUrl = d.slack.responseUrl();
  const request = slashCommandRequest(
    {
      text,
      responseUrl,
      channelId: options.channel ?? 'C0OPS',
      userId: options.user ?? 'U0ALICE',
      ...(options.triggerId !== undefined ? { triggerId: options.triggerId } : {}),
    },
    { signingSecret: SIGNING_SECRET },
  );
  const response = await postSigned(d.eventsUrl(), request);
  const ack = (response.json as { text?: string } | undefined)?.text ?? '';
  return {
    response,
    responseUrl,
    ack,
    later: (count = 1, timeoutMs = 20_000) =>
      d.slack.waitFor(() => {
        const bodies = d.slack.responses(responseUrl).map((r) => (r.body as { text?: string }).text ?? '');
        return bodies.length >= count ? bodies : undefined;
      }, timeoutMs),
  };
}

interface ButtonElement {
  action_id?: string;
  value?: string;
  confirm?: unknown;
}

/** Every button of a message. */
export function buttons(message: StoredMessage): ButtonElement[] {
  const blocks = Array.isArray(message.blocks)
    ? (message.blocks as { type?: string; elements?: unknown[] }[])
    : [];
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []) as ButtonElement[])
    .filter((e) => typeof e.action_id === 'string');
}

export function button(message: StoredMessage, actionId: string): ButtonElement | undefined {
  return buttons(message).find((b) => b.action_id === actionId);
}

export interface ClickAnswer {
  response: SignedResponse;
  responseUrl: string;
  /** The ephemeral answers posted to the click's response_url (waits up to `timeoutMs` for at least one). */
  answers(timeoutMs?: number): Promise<string[]>;
  /** The answers posted so far, without waiting. */
  answersNow(): string[];
}

/** A signed click on a button of a message, by `user`; `value` overrides the button's value (forgeries). */
export async function click(
  d: Driver,
  message: StoredMessage,
  actionId: string,
  options: { user?: string; value?: string; channel?: string; threadTs?: string } = {},
): Promise<ClickAnswer> {
  const responseUrl = d.slack.responseUrl();
  const value = options.value ?? button(message, actionId)?.value ?? '';
  const threadTs = options.threadTs ?? message.thread_ts;
  const request = blockActionsRequest(
    {
      message: {
        channel: options.channel ?? message.channel,
        ts: message.ts,
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
        text: message.text,
        blocks: message.blocks,
      },
      actionId,
      value,
      userId: options.user ?? 'U0BOB',
      responseUrl,
    },
    { signingSecret: SIGNING_SECRET },
  );
  const response = await postSigned(d.eventsUrl(), request);
  const answersNow = (): string[] =>
    d.slack.responses(responseUrl).map((r) => (r.body as { text?: string }).text ?? '');
  return {
    response,
    responseUrl,
    answersNow,
    answers: (timeoutMs = 10_000) =>
      d.slack.waitFor(() => (answersNow().length > 0 ? answersNow() : undefined), timeoutMs),
  };
}

/** The top-level message of a channel whose text matches. */
export function parentMatching(
  slack: SlackStandIn,
  channel: string,
  pattern: RegExp,
): StoredMessage | undefined {
  return slack.messages(channel).find((m) => pattern.test(textOf(m)));
}

/** Waits for a reply in the thread of `parentTs` whose text matches; returns the latest such reply. */
export function replyMatching(
  slack: SlackStandIn,
  channel: string,
  parentTs: string,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<StoredMessage> {
  return slack.waitFor(
    () =>
      slack
        .thread(channel, parentTs)
        .filter((m) => pattern.test(textOf(m)))
        .at(-1),
    timeoutMs,
  );
}

/** The approval message of the fix requested in `channel` (under the bot's "Fix requested" parent). */
export async function approvalOf(
  slack: SlackStandIn,
  channel: string,
  timeoutMs = 20_000,
): Promise<{ parent: StoredMessage; approval: StoredMessage; fixId: string }> {
  const parent = await slack.waitFor(() => parentMatching(slack, channel, /Fix requested/), timeoutMs);
  const approval = await replyMatching(slack, channel, parent.ts, /Approval needed|starts now/, timeoutMs);
  const fixId = /\bf-[0-9a-f]{16}\b/.exec(textOf(approval))?.[0] ?? '';
  return { parent, approval, fixId };
}

/** The stored message with this ts, as it is now (after chat.update). */
export function current(slack: SlackStandIn, message: StoredMessage): StoredMessage {
  return slack.allMessages().find((m) => m.ts === message.ts && m.channel === message.channel) ?? message;
}

/**
 * What the change modal carries from `/metallb change` to its submission (`private_metadata`): the channel, its
 * name, the cluster, who opened it and when. Slack hands private_metadata back from the client, so it is sealed
 * with an HMAC under a key only the bot holds (derived from its bot token, which every replica shares): a forged
 * or edited context, one opened by someone else or one too old is refused before anything is read or planned.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { CLUSTER_NAME } from '../config';

export interface ChangeContext {
  channel: string;
  /** The channel's name, for clusters bound to channels by name. */
  channelName: string;
  cluster: string;
  /** Who opened the modal: only they may submit it. */
  user: string;
  /** Epoch ms the modal was opened. */
  openedAt: number;
}

/** A modal stays open as long as its user likes; after this its context is refused and it must be opened again. */
export const CHANGE_CONTEXT_MAX_AGE_MS = 24 * 3600_000;

const CHANNEL_ID = /^[CDG][A-Z0-9]{2,20}$/;
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
/** Slack channel names: lower-case letters, digits, `-` and `_`, at most 80. */
const CHANNEL_NAME = /^[a-z0-9_-]{0,80}$/;

export type ContextRefusal =
  | { reason: 'malformed'; message: string }
  | { reason: 'forged'; message: string; claimed: Partial<ChangeContext> }
  | { reason: 'other-user'; message: string; claimed: ChangeContext }
  | { reason: 'expired'; message: string; claimed: ChangeContext };

/** The key of the seal, derived so the token itself is never used as a MAC key elsewhere. */
export function changeContextKey(botToken: string): Buffer {
  return createHash('sha256').update(`metallb-chatops change modal\0${botToken}`).digest();
}

function payloadOf(context: ChangeContext): string {
  return JSON.stringify([
    context.channel,
    context.channelName,
    context.cluster,
    context.user,
    context.openedAt,
  ]);
}

function mac(key: Buffer, context: ChangeContext): string {
  return createHmac('sha256', key).update(payloadOf(context)).digest('base64url');
}

/** The private_metadata of a modal: the context and its seal (well under Slack's 3,000 characters). */
export function sealChangeContext(context: ChangeContext, key: Buffer): string {
  return JSON.stringify({
    ch: context.channel,
    cn: context.channelName,
    cl: context.cluster,
    u: context.user,
    at: context.openedAt,
    mac: mac(key, context),
  });
}

function claimedOf(value: Record<string, unknown>): Partial<ChangeContext> {
  const str = (v: unknown, shape: RegExp): string | undefined =>
    typeof v === 'string' && shape.test(v) ? v : undefined;
  const claimed: Partial<ChangeContext> = {};
  const channel = str(value.ch, CHANNEL_ID);
  const cluster = str(value.cl, CLUSTER_NAME);
  const user = str(value.u, USER_ID);
  if (channel !== undefined) claimed.channel = channel;
  if (cluster !== undefined) claimed.cluster = cluster;
  if (user !== undefined) claimed.user = user;
  return claimed;
}

/** The context when every field has its shape (the seal is checked after). */
function completeContext(
  value: Record<string, unknown>,
  claimed: Partial<ChangeContext>,
): ChangeContext | undefined {
  const { channel, cluster, user } = claimed;
  if (channel === undefined || cluster === undefined || user === undefined) return undefined;
  if (typeof value.cn !== 'string' || !CHANNEL_NAME.test(value.cn)) return undefined;
  if (typeof value.at !== 'number' || !Number.isSafeInteger(value.at) || typeof value.mac !== 'string')
    return undefined;
  return { channel, channelName: value.cn, cluster, user, openedAt: value.at };
}

/**
 * The context of a submission, or why it is refused: not ours (forged, edited, another install's), opened by
 * another user, or older than {@link CHANGE_CONTEXT_MAX_AGE_MS}.
 */
export function openChangeContext(
  text: string,
  key: Buffer,
  submitter: string,
  now: number,
): { ok: true; context: ChangeContext } | ({ ok: false } & ContextRefusal) {
  let value: Record<string, unknown>;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    value = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'malformed', message: 'the dialog carries no context of ours' };
  }
  const claimed = claimedOf(value);
  const context = completeContext(value, claimed);
  if (context === undefined)
    return { ok: false, reason: 'forged', message: 'the dialog context is incomplete or altered', claimed };
  const expected = Buffer.from(mac(key, context));
  const given = Buffer.from(value.mac as string);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return {
      ok: false,
      reason: 'forged',
      message: 'the dialog context is not signed by this bot (altered, or from another install)',
      claimed,
    };
  if (context.user !== submitter)
    return {
      ok: false,
      reason: 'other-user',
      message: `the dialog was opened by ${context.user}, not by the one submitting it`,
      claimed: context,
    };
  if (now - context.openedAt > CHANGE_CONTEXT_MAX_AGE_MS || context.openedAt - now > 60_000)
    return { ok: false, reason: 'expired', message: 'the dialog is too old', claimed: context };
  return { ok: true, context };
}

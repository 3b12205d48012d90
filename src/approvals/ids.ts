/**
 * Strict shapes for every value that ends up in a Redis key or is compared with a stored approval. A value from
 * a Slack interaction is attacker-controlled: checking it here means no `:`, `*` or `{}` ever reaches a key.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors';

/** The approval id is also the fix's id: the job id, the Lease holder and what the thread calls `f-…`. */
export const APPROVAL_ID = /^f-[0-9a-f]{16}$/;
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
export const SLACK_CHANNEL_ID = /^[CDG][A-Z0-9]{2,20}$/;
/** Slack message timestamps: seconds and microseconds. */
export const SLACK_TS = /^\d{10}\.\d{6}$/;
/** Same shape as a cluster name in CLUSTERS. */
export const CLUSTER = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** SHA-256 hex of the plan. */
export const PLAN_HASH = /^[0-9a-f]{64}$/;

export function newApprovalId(): string {
  return `f-${randomBytes(8).toString('hex')}`;
}

/** Throws E_USAGE naming the field when `value` does not have the expected shape. */
export function checkId(field: string, value: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new AppError('E_USAGE', `${field} is malformed (expected ${pattern.source})`);
  }
  return value;
}

export function isId(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}

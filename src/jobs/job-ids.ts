/**
 * Every job id, built here. An id derives from what identifies the request (a slash command's trigger_id), so a
 * retried delivery maps to the same job and BullMQ adds nothing. Ids also name a job's outbox thread.
 */
import { createHash } from 'node:crypto';

/** A stable request id from what identifies one invocation (team, channel, user, trigger_id). */
export function requestIdFor(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}

/** The id of the check job that answers request `requestId`. */
export function checkJobId(requestId: string): string {
  return `check-${requestId}`;
}

/** The fix job's id is the fix id itself (`f-<16 hex>`): the approval, the job, the Lease holder and the thread agree. */
export function fixJobId(fixId: string): string {
  if (!/^f-[0-9a-f]{16}$/.test(fixId)) throw new Error(`malformed fix id ${fixId}`);
  return fixId;
}

/** The id of the one-off digest that answers `/metallb digest now` request `requestId`. */
export function digestNowJobId(requestId: string): string {
  return `digest-now-${requestId}`;
}

/**
 * An Approve or Reject click must match the request it claims to decide: the approval id, and the channel,
 * thread and cluster the request was posted for. A forged or replayed payload from another thread or cluster
 * is refused before any state changes.
 */
import { APPROVAL_ID, CLUSTER, isId, PLAN_HASH, SLACK_CHANNEL_ID, SLACK_TS, SLACK_USER_ID } from './ids';
import type { ApprovalRecord } from './state-machine';

export interface Interaction {
  approvalId: string;
  userId: string;
  channel: string;
  threadTs: string;
  cluster: string;
  /** When the button carries it: the hash of the plan the clicker saw. */
  planHash?: string;
}

/** Field names whose value is malformed; empty when every field has its shape. */
export function malformedFields(interaction: Interaction): string[] {
  const checks: [keyof Interaction, RegExp][] = [
    ['approvalId', APPROVAL_ID],
    ['userId', SLACK_USER_ID],
    ['channel', SLACK_CHANNEL_ID],
    ['threadTs', SLACK_TS],
    ['cluster', CLUSTER],
  ];
  const bad = checks.filter(([field, pattern]) => !isId(interaction[field], pattern)).map(([field]) => field);
  if (interaction.planHash !== undefined && !isId(interaction.planHash, PLAN_HASH)) bad.push('planHash');
  return bad;
}

/** Field names that differ from the stored request; empty when the click belongs to it. */
export function mismatchedFields(record: ApprovalRecord, interaction: Interaction): string[] {
  const pairs: [string, string, string | undefined][] = [
    ['approvalId', record.id, interaction.approvalId],
    ['channel', record.channel, interaction.channel],
    ['threadTs', record.threadTs, interaction.threadTs],
    ['cluster', record.cluster, interaction.cluster],
  ];
  if (interaction.planHash !== undefined) pairs.push(['planHash', record.planHash, interaction.planHash]);
  return pairs.filter(([, stored, given]) => stored !== given).map(([field]) => field);
}

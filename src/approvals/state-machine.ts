/**
 * The life of one fix request (ARCHITECTURE.md, "Flow of an approved fix (Slack)"): requested -> approved | rejected |
 * expired -> running -> succeeded | failed | rolled-back, plus `stopped` when the job stops before finishing (the
 * rebuilt plan's hash differs, or a write met a conflict): a stopped request is final and a new approval is requested
 * under a new id, so a button of the old plan can never approve the new one. Pure: time comes in with every event.
 */
import type { FixName } from '../drift/model';

export type ApprovalState =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'stopped';

export const FINAL_STATES: readonly ApprovalState[] = [
  'rejected',
  'expired',
  'succeeded',
  'failed',
  'rolled-back',
  'stopped',
];

/** Why a job stopped: the approver saw another plan, or the cluster changed under a write. */
export type StopReason = 'plan-changed' | 'conflict';

export interface ApprovalRecord {
  id: string;
  fix: FixName;
  cluster: string;
  channel: string;
  threadTs: string;
  requestedBy: string;
  planHash: string;
  /** Epoch milliseconds. */
  requestedAt: number;
  expiresAt: number;
  /** False for fixes that start at once (they are approved by policy when requested). */
  approvalRequired: boolean;
  state: ApprovalState;
  /** Bumped by every transition: the store's compare-and-set compares it. */
  version: number;
  decidedBy?: string;
  decidedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  stopReason?: StopReason;
  /** A short, secret-free sentence for the thread and `/metallb jobs`. */
  outcome?: string;
  /** The approval this one replaces after the plan changed. */
  previousId?: string;
}

export type ApprovalEvent =
  | { type: 'approve'; by: string; at: number }
  | { type: 'reject'; by: string; at: number }
  | { type: 'expire'; at: number }
  | { type: 'start'; at: number }
  | { type: 'succeed'; at: number; outcome?: string }
  | { type: 'fail'; at: number; outcome: string }
  | { type: 'roll-back'; at: number; outcome: string }
  | { type: 'stop'; at: number; reason: StopReason; outcome?: string };

export type RefusalCode = 'expired' | 'already-decided' | 'not-allowed-now';

export type TransitionResult =
  | { ok: true; record: ApprovalRecord }
  | {
      ok: false;
      code: RefusalCode;
      message: string;
      /** The event would have led where the record already is, by the same person: a retried delivery. */
      repeat: boolean;
    };

export interface NewApproval {
  id: string;
  fix: FixName;
  cluster: string;
  channel: string;
  threadTs: string;
  requestedBy: string;
  planHash: string;
  approvalRequired: boolean;
  previousId?: string;
}

/** A new request; one that needs no approval is approved by policy at once. */
export function requestApproval(input: NewApproval, at: number, ttlMs: number): ApprovalRecord {
  const base: ApprovalRecord = {
    ...input,
    requestedAt: at,
    expiresAt: at + ttlMs,
    state: input.approvalRequired ? 'requested' : 'approved',
    version: 1,
  };
  return input.approvalRequired ? base : { ...base, decidedAt: at };
}

export function isFinal(state: ApprovalState): boolean {
  return FINAL_STATES.includes(state);
}

/** A stopped job asks for a new approval of the rebuilt plan. */
export function needsReapproval(record: ApprovalRecord): boolean {
  return record.state === 'stopped' && record.approvalRequired;
}

const TARGET: Record<ApprovalEvent['type'], { from: readonly ApprovalState[]; to: ApprovalState }> = {
  approve: { from: ['requested'], to: 'approved' },
  reject: { from: ['requested'], to: 'rejected' },
  expire: { from: ['requested'], to: 'expired' },
  start: { from: ['approved'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  fail: { from: ['running'], to: 'failed' },
  'roll-back': { from: ['running'], to: 'rolled-back' },
  // The plan is re-verified by the job, before or just after it moved to running.
  stop: { from: ['approved', 'running'], to: 'stopped' },
};

function refuse(record: ApprovalRecord, event: ApprovalEvent, code: RefusalCode): TransitionResult {
  const to = TARGET[event.type].to;
  const sameActor = 'by' in event ? record.decidedBy === event.by : true;
  const repeat = record.state === to && sameActor;
  const who = record.decidedBy ? ` by <@${record.decidedBy}>` : '';
  const message =
    code === 'expired'
      ? `Approval ${record.id} expired; request the fix again.`
      : code === 'already-decided'
        ? `Approval ${record.id} is already ${record.state}${who}.`
        : `Approval ${record.id} is ${record.state}; it cannot be ${to} now.`;
  return { ok: false, code, message, repeat };
}

function decisionRefusal(record: ApprovalRecord, event: ApprovalEvent): TransitionResult | undefined {
  if (event.type !== 'approve' && event.type !== 'reject') return undefined;
  if (record.state === 'expired') return refuse(record, event, 'expired');
  if (record.state !== 'requested') return refuse(record, event, 'already-decided');
  if (event.at >= record.expiresAt) return refuse(record, event, 'expired');
  return undefined;
}

/** Applies one event, or says why it may not happen; never changes the record it is given. */
export function transition(record: ApprovalRecord, event: ApprovalEvent): TransitionResult {
  const refused = decisionRefusal(record, event);
  if (refused) return refused;
  const target = TARGET[event.type];
  if (!target.from.includes(record.state)) {
    return refuse(record, event, record.state === 'expired' ? 'expired' : 'not-allowed-now');
  }
  if (event.type === 'expire' && event.at < record.expiresAt) {
    return refuse(record, event, 'not-allowed-now');
  }
  return {
    ok: true,
    record: { ...record, ...changes(event), state: target.to, version: record.version + 1 },
  };
}

function changes(event: ApprovalEvent): Partial<ApprovalRecord> {
  switch (event.type) {
    case 'approve':
    case 'reject':
      return { decidedBy: event.by, decidedAt: event.at };
    case 'expire':
      return { decidedAt: event.at };
    case 'start':
      return { startedAt: event.at };
    case 'succeed':
      return { finishedAt: event.at, outcome: event.outcome };
    case 'fail':
    case 'roll-back':
      return { finishedAt: event.at, outcome: event.outcome };
    case 'stop':
      return { finishedAt: event.at, stopReason: event.reason, outcome: event.outcome };
  }
}

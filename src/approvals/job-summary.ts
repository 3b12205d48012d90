/**
 * One row of `/metallb jobs` from an approval record: the record already holds the state, requester, approver
 * and times, so no second job store has to be kept in step with it.
 */
import type { ApprovalRecord, ApprovalState } from './state-machine';

export interface JobSummary {
  id: string;
  fix: string;
  cluster: string;
  state: ApprovalState;
  requestedBy: string;
  /** Undefined while undecided, and for fixes approved by policy. */
  approvedBy: string | undefined;
  /** From start to finish, or to `now` while running; undefined before the start. */
  durationMs: number | undefined;
  /** A sentence for a stopped, failed or rolled-back job. */
  outcome: string | undefined;
}

export function jobSummary(record: ApprovalRecord, now: number): JobSummary {
  const started = record.startedAt;
  const end = record.finishedAt ?? (record.state === 'running' ? now : undefined);
  return {
    id: record.id,
    fix: record.fix,
    cluster: record.cluster,
    state: record.state,
    requestedBy: record.requestedBy,
    approvedBy: record.state === 'rejected' ? undefined : record.decidedBy,
    durationMs: started !== undefined && end !== undefined ? Math.max(0, end - started) : undefined,
    outcome: record.outcome,
  };
}

/** Running and waiting jobs first (oldest first), then the latest finished ones, without duplicates. */
export function jobList(
  open: ApprovalRecord[],
  recent: ApprovalRecord[],
  now: number,
  limit = 20,
): JobSummary[] {
  const seen = new Set(open.map((r) => r.id));
  const finished = recent.filter((r) => !seen.has(r.id));
  return [...open, ...finished].slice(0, limit).map((r) => jobSummary(r, now));
}

/**
 * The sweep a worker runs when it starts, and when a fix job runs out of retries: a fix that is `running` in the
 * approval store but whose job has failed for good (or is gone) died after its last checkpoint. The runner's
 * sweep restores its backup, removes its pins and releases its Lease; the thread is told what was done.
 */
import type { Job } from 'bullmq';
import type { ApprovalRecord } from '../approvals/state-machine';
import type { SweepResult } from '../fix-runner/contract';
import type { FixJobData, FixJobDeps } from './fix-job';
import { storeBackupSink } from './fix-job';

export type JobLookup = (fixId: string) => Promise<Job<FixJobData> | undefined>;

/** Whether the job of a running fix is dead: gone, or failed with no attempt left. */
async function isDead(job: Job<FixJobData> | undefined): Promise<boolean> {
  if (job === undefined) return true;
  const state = await job.getState();
  return state === 'failed' || state === 'unknown';
}

export async function sweepFix(
  deps: FixJobDeps,
  record: ApprovalRecord,
  job: Job<FixJobData> | undefined,
): Promise<SweepResult | undefined> {
  const port = deps.ports.get(record.cluster);
  if (port === undefined) return undefined;
  const now = deps.now ?? Date.now;
  const sweep = await deps.runner.sweep({
    fixId: record.id,
    cluster: port,
    clusterName: record.cluster,
    checkpoint: job?.data.checkpoint,
    backups: storeBackupSink(deps, record),
    settleTimeoutMs: deps.settleTimeoutMs,
    ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
  });
  const left = sweep.left.length;
  const moved = await deps.workflow.advance(record.id, sweepEvent(sweep, now()));
  await deps.audit.record({
    actor: 'system',
    action: 'fix.sweep',
    outcome: left === 0 ? 'ok' : 'failed',
    cluster: record.cluster,
    fix: record.fix,
    approvalId: record.id,
    planHash: record.planHash,
    detail: `restored ${sweep.restored.length}, unpinned ${sweep.unpinned.length}, left ${left}`,
  });
  await deps.notifier.swept(moved.ok ? moved.record : record, sweep);
  await deps.running.clear(record.cluster, record.id);
  const backupId = job?.data.checkpoint?.backupId;
  if (backupId !== undefined && left === 0) await deps.backups.unpin(backupId, record.id);
  return sweep;
}

function sweepEvent(sweep: SweepResult, at: number) {
  const left = sweep.left.length;
  if (left === 0 && sweep.restored.length > 0)
    return { type: 'roll-back', at, outcome: 'swept: restored from the backup after the job died' } as const;
  return {
    type: 'fail',
    at,
    outcome: left === 0 ? 'swept: the job died' : `swept: ${left} item(s) left`,
  } as const;
}

/** Sweeps every running fix whose job is dead. Returns the ids swept. */
export async function sweepDeadFixes(deps: FixJobDeps, lookup: JobLookup): Promise<string[]> {
  const swept: string[] = [];
  for (const record of await deps.approvals.open(200)) {
    if (record.state !== 'running') continue;
    const job = await lookup(record.id);
    if (!(await isDead(job))) continue;
    if (await sweepFix(deps, record, job)) swept.push(record.id);
  }
  return swept;
}

/**
 * The fix job: runs one approved plan through the fix runner (src/fix-runner, injected) and tells the thread.
 * The runner's checkpoint lives in the BullMQ job data (`job.updateData`), so a job resumed by another worker
 * after a crash or SIGTERM never repeats a finished step; the backup goes to the BackupStore, pinned by the fix
 * until it is final. A plan that changed since the approval stops the job for good (UnrecoverableError) and
 * the thread asks for a new approval of the rebuilt plan. A rollback that could not finish is not final: the
 * thread says so, the job fails this attempt and BullMQ retries it with backoff (the resumed run rolls back), and
 * once the attempts run out the sweep (fix-sweep.ts) restores the backup.
 */
import { DelayedError, UnrecoverableError, type Job, type JobsOptions } from 'bullmq';
import { APPROVAL_ID, isId } from '../approvals/ids';
import type { ApprovalWorkflow } from '../approvals/approvals';
import { isFinal, type ApprovalRecord } from '../approvals/state-machine';
import type { ApprovalStore } from '../approvals/store';
import type { AuditSink } from '../audit/audit-log';
import type { BackupStore } from '../backups/backup-store';
import type { AnalysisSettings } from '../drift/model';
import type {
  BackupSink,
  CheckpointStore,
  FixCheckpoint,
  FixProgress,
  FixResult,
  FixRunner,
  LeaseHolder,
  LeasePolicy,
} from '../fix-runner/contract';
import { parseBackup, renderBackup } from '../fixes/backup-format';
import type { ProposalInput } from '../fixes/request';
import type { MetalLbCluster } from '../kubernetes';
import type { FixNotifier } from '../slack/fix-notifier';
import type { FixPlanStore } from './fix-plan-store';
import { loadBackup, type FixPlanner } from './fix-planner';
import type { RunningFixes } from './running-fixes';

export interface FixJobData {
  /** The approval id, which is also the job id and the Lease holder. */
  fixId: string;
  cluster: string;
  /** The runner's last checkpoint, written by the job itself (and by the sweep, which marks it final). */
  checkpoint?: FixCheckpoint;
  /** Sweeps of this fix that left something, written by the sweep. */
  sweeps?: number;
}

/** Takes the sweep's lock of one fix (one sweep at a time, across processes); undefined when another holds it. */
export type SweepLock = (fixId: string, ttlMs: number) => Promise<(() => Promise<void>) | undefined>;

export interface FixJobDeps {
  runner: FixRunner;
  ports: ReadonlyMap<string, MetalLbCluster>;
  approvals: ApprovalStore;
  workflow: ApprovalWorkflow;
  plans: FixPlanStore;
  planner: FixPlanner;
  backups: BackupStore;
  notifier: FixNotifier;
  running: RunningFixes;
  audit: AuditSink;
  /** Requests a new approval of the rebuilt plan in the same thread (slack/fix-requests.ts). */
  reapprove(record: ApprovalRecord): Promise<void>;
  /** FIX_SETTLE_TIMEOUT. */
  settleTimeoutMs: number;
  /** How long a fix waits for another fix of its cluster to become final. */
  leaseWaitMs: number;
  pollIntervalMs?: number;
  settings?: AnalysisSettings;
  /** Aborted on SIGTERM: a waiting step checkpoints and the job is handed to another worker. */
  signal?: AbortSignal;
  now?: () => number;
  /** FIX_SWEEP_INTERVAL (default 1 min): how often workers sweep, told in the thread. */
  sweepIntervalMs?: number;
  /** FIX_SWEEP_ROUNDS (default 10): sweeps of one fix that leave something before it is given to a person. */
  sweepRounds?: number;
  /** One sweep of a fix at a time; without it, nothing stops two processes sweeping the same fix. */
  sweepLock?: SweepLock;
}

export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
export const DEFAULT_SWEEP_ROUNDS = 10;

export type FixJobOutcome = { fixId: string; result: FixResult['kind'] } | { fixId: string; skipped: string };

/** The checkpoint kept in the job's own data: a resumed attempt, on any worker, reads the last one saved. */
export function jobCheckpoints(job: Job<FixJobData>): CheckpointStore {
  return {
    load: () => Promise.resolve(job.data.checkpoint),
    async save(checkpoint) {
      await job.updateData({ ...job.data, checkpoint });
    },
  };
}

/** The backup sink of the bot: the BackupStore keeps the full copy, the thread gets the redacted file. */
export function storeBackupSink(deps: FixJobDeps, record: ApprovalRecord): BackupSink {
  return {
    async save(backup, fixId) {
      if (await deps.backups.get(backup.id)) {
        // A resumed job saves the same backup again: keep the first copy, make sure it is pinned.
        await deps.backups.pin(backup.id, fixId);
        return;
      }
      await deps.backups.save({
        id: backup.id,
        cluster: record.cluster,
        requestedBy: record.requestedBy,
        text: renderBackup(backup, { redact: false }),
        at: new Date(backup.takenAt),
        pinnedBy: fixId,
      });
      await deps.audit.record({
        actor: record.requestedBy,
        action: 'backup.create',
        outcome: 'ok',
        cluster: record.cluster,
        fix: record.fix,
        approvalId: record.id,
        backupId: backup.id,
        planHash: record.planHash,
      });
      await deps.notifier.backupTaken(record, backup);
    },
    async load(backupId) {
      const stored = await deps.backups.get(backupId);
      return stored === undefined ? undefined : parseBackup(stored.text);
    },
  };
}

/** The bot's Lease policy: wait for another fix, take over only an expired Lease whose fix is final. */
export function botLeasePolicy(deps: FixJobDeps, record: ApprovalRecord): LeasePolicy {
  let told = false;
  return {
    waitTimeoutMs: deps.leaseWaitMs,
    async whenHeld(holder: LeaseHolder) {
      if (!told) {
        told = true;
        await deps.notifier.waitingForLease(record, holder);
      }
      if (!holder.expired) return 'wait';
      const other = isId(holder.holder, APPROVAL_ID) ? await deps.approvals.get(holder.holder) : undefined;
      return other !== undefined && isFinal(other.state) ? 'take-over' : 'wait';
    },
  };
}

/** Progress in order: one thread message updated in place, the running mark, and an audit entry per step. */
function progressReporter(deps: FixJobDeps, record: ApprovalRecord) {
  let chain = Promise.resolve();
  let lastStep = -1;
  const report = async (p: FixProgress): Promise<void> => {
    await deps.notifier.progress(record, p);
    await deps.running.mark(record.cluster, { fixId: record.id, fix: record.fix, step: p.step, of: p.of });
    if (p.step !== lastStep) {
      lastStep = p.step;
      await deps.audit.record({
        actor: 'system',
        action: 'fix.step',
        outcome: 'ok',
        cluster: record.cluster,
        fix: record.fix,
        approvalId: record.id,
        planHash: record.planHash,
        detail: `step ${p.step} of ${p.of}: ${p.title}`,
      });
    }
  };
  return {
    progress: (p: FixProgress): void => {
      chain = chain.then(() => report(p)).catch(() => undefined);
    },
    flushed: () => chain,
  };
}

/** Moves the record to running, or finds it already there (a resumed job); undefined when it must not run. */
async function started(deps: FixJobDeps, fixId: string, at: number): Promise<ApprovalRecord | undefined> {
  const record = await deps.approvals.get(fixId);
  if (record === undefined) return undefined;
  if (record.state === 'running') return record;
  if (record.state !== 'approved') return undefined;
  const moved = await deps.workflow.advance(fixId, { type: 'start', at });
  if (moved.ok) return moved.record;
  const again = await deps.approvals.get(fixId);
  return again?.state === 'running' ? again : undefined;
}

/** The runner's settings that come from the deps alone. */
function runnerOptions(deps: FixJobDeps) {
  return {
    settleTimeoutMs: deps.settleTimeoutMs,
    ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.settings ? { settings: deps.settings } : {}),
  };
}

/** Runs (or resumes) one fix. `token` is BullMQ's lock token, needed to hand the job back on SIGTERM. */
export async function runFixJob(
  job: Job<FixJobData>,
  token: string | undefined,
  deps: FixJobDeps,
): Promise<FixJobOutcome> {
  const now = deps.now ?? Date.now;
  const { fixId } = job.data;
  const record = await started(deps, fixId, now());
  if (record === undefined) return { fixId, skipped: 'not approved, or already final' };
  const port = deps.ports.get(record.cluster);
  const stored = await deps.plans.get(fixId);
  if (port === undefined || stored === undefined) {
    const outcome = port === undefined ? `cluster ${record.cluster} is not configured` : 'its plan is gone';
    await deps.workflow.advance(fixId, { type: 'fail', at: now(), outcome: `not run: ${outcome}` });
    throw new UnrecoverableError(`fix ${fixId} cannot run: ${outcome}`);
  }
  const restoreFrom =
    record.fix === 'restore' ? await loadBackup(deps.backups, stored.targets[0] ?? '') : undefined;
  const reporter = progressReporter(deps, record);
  const proposal = withProposal(stored.proposal);
  const result = await deps.runner.runFix({
    ...runnerOptions(deps),
    fixId,
    plan: stored.plan,
    cluster: port,
    clusterName: record.cluster,
    requestedBy: record.requestedBy,
    rebuildPlan: async () =>
      (
        await deps.planner({
          fix: record.fix,
          cluster: record.cluster,
          targets: stored.targets,
          ...proposal,
        })
      ).outcome,
    ...(restoreFrom ? { restoreFrom } : {}),
    ...proposal,
    checkpoints: jobCheckpoints(job),
    backups: storeBackupSink(deps, record),
    lease: botLeasePolicy(deps, record),
    progress: reporter.progress,
  });
  await reporter.flushed();
  if (result.kind === 'interrupted') {
    // Back to the queue without spending an attempt; the Lease and the checkpoint wait for the next worker.
    await job.moveToDelayed(Date.now() + 1000, token);
    throw new DelayedError();
  }
  if (result.kind === 'rollback-incomplete') return retryLater(deps, job, record, result);
  await finish(deps, record, result, now());
  if (result.kind === 'stopped' && result.reason === 'plan-changed')
    throw new UnrecoverableError(`fix ${fixId} stopped: the plan changed since it was approved`);
  return { fixId, result: result.kind };
}

/** The proposal of an apply-config, spread into the planner's request and the runner's input. */
function withProposal(proposal: ProposalInput | undefined): { proposal?: ProposalInput } {
  return proposal ? { proposal } : {};
}

/** The delay BullMQ waits before the next attempt, after attempt number `attempt` (1-based) failed. */
export function retryDelayMs(backoff: JobsOptions['backoff'], attempt: number): number {
  if (backoff === undefined) return 0;
  if (typeof backoff === 'number') return backoff;
  const delay = backoff.delay ?? 0;
  return backoff.type === 'exponential' ? 2 ** (attempt - 1) * delay : delay;
}

/**
 * A rollback that could not finish (or a resumed run that could not take the Lease after a change): the record
 * stays `running`, the Lease and the backup stay held, the thread says what is left and what comes next, and the
 * attempt fails so BullMQ retries it. After the last attempt the worker's 'failed' handler and the periodic sweep
 * take the fix.
 */
async function retryLater(
  deps: FixJobDeps,
  job: Job<FixJobData>,
  record: ApprovalRecord,
  result: Extract<FixResult, { kind: 'rollback-incomplete' }>,
): Promise<never> {
  const attempts = job.opts.attempts ?? 1;
  const attempt = job.attemptsMade + 1;
  const retryInMs = attempt < attempts ? retryDelayMs(job.opts.backoff, attempt) : undefined;
  await deps.audit.record({
    actor: 'system',
    action: 'fix.retry',
    outcome: 'failed',
    cluster: record.cluster,
    fix: record.fix,
    approvalId: record.id,
    planHash: record.planHash,
    ...(result.backupId ? { backupId: result.backupId } : {}),
    detail: `rollback incomplete (attempt ${attempt} of ${attempts}), ${result.left.length} item(s) left: ${
      retryInMs === undefined ? 'the sweep restores' : 'retried'
    }`,
  });
  await deps.notifier.retrying(record, result, {
    attempt,
    attempts,
    ...(retryInMs !== undefined ? { retryInMs } : {}),
    sweepIntervalMs: deps.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
  });
  throw new Error(
    `fix ${record.id}: rollback incomplete, ${result.left.length} item(s) left (attempt ${attempt} of ${attempts})`,
  );
}

type FinalResult = Exclude<FixResult, { kind: 'interrupted' }>;

function finalEvent(result: FinalResult, at: number) {
  switch (result.kind) {
    case 'succeeded':
      return { type: 'succeed', at, outcome: 'done' } as const;
    case 'postcondition-failed':
      return {
        type: 'fail',
        at,
        outcome: `postcondition failed: ${result.failed.join('; ')}${result.restored ? ' (config restored)' : ''}`,
      } as const;
    case 'rolled-back':
      return { type: 'roll-back', at, outcome: `rolled back: ${result.cause}` } as const;
    case 'rollback-incomplete':
      return {
        type: 'fail',
        at,
        outcome: `rollback incomplete: ${result.left.length} item(s) left`,
      } as const;
    case 'stopped':
      return result.reason === 'plan-changed' || result.reason === 'conflict'
        ? ({ type: 'stop', at, reason: result.reason, outcome: result.message } as const)
        : ({
            type: 'fail',
            at,
            outcome: `stopped before any change (${result.reason}): ${result.message}`,
          } as const);
  }
}

/** Records the final state, tells the thread, frees the backup and the running mark. */
async function finish(
  deps: FixJobDeps,
  record: ApprovalRecord,
  result: FinalResult,
  at: number,
): Promise<void> {
  const moved = await deps.workflow.advance(record.id, finalEvent(result, at));
  const final = moved.ok ? moved.record : record;
  await deps.audit.record({
    actor: 'system',
    action: 'fix.finish',
    outcome: result.kind === 'succeeded' ? 'ok' : 'failed',
    cluster: record.cluster,
    fix: record.fix,
    approvalId: record.id,
    planHash: record.planHash,
    ...('backupId' in result && result.backupId ? { backupId: result.backupId } : {}),
    detail: result.kind,
  });
  if (result.kind === 'stopped' && result.reason === 'plan-changed') {
    await deps.notifier.planChanged(final, result.message);
    await deps.reapprove(final);
  } else {
    await deps.notifier.finished(final, result);
  }
  await deps.running.clear(record.cluster, record.id);
  // A rollback that could not finish keeps its backup pinned: a person restores from it.
  if ('backupId' in result && result.backupId && result.kind !== 'rollback-incomplete')
    await deps.backups.unpin(result.backupId, record.id);
}

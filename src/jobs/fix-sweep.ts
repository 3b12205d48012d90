/**
 * The sweep workers run when they start, every FIX_SWEEP_INTERVAL, and when a fix job runs out of retries: a fix
 * that is `running` in the approval store but whose job has failed for good (or is gone) died after its last
 * checkpoint, or could not finish its rollback in any attempt. When that checkpoint says `changed` and not `final`,
 * the runner's sweep restores its backup and removes its pins; then it releases the Lease. The thread is told: the
 * first round that cannot finish says so and the sweep tries again every interval (the record stays `running`, so
 * the Lease is never taken over meanwhile); the round that restores, or the last of FIX_SWEEP_ROUNDS, makes the
 * record final and says what was done, or what is left for a person.
 */
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { APPROVAL_ID, checkId } from '../approvals/ids';
import type { ApprovalRecord } from '../approvals/state-machine';
import type { SweepResult } from '../fix-runner/contract';
import type { MetalLbCluster } from '../kubernetes';
import type { SweepInfo } from '../slack/views/fix';
import { describeError } from '../fix-runner/restore';
import type { FixJobData, FixJobDeps, SweepLock } from './fix-job';
import { DEFAULT_SWEEP_INTERVAL_MS, DEFAULT_SWEEP_ROUNDS, jobCheckpoints, storeBackupSink } from './fix-job';

export type JobLookup = (fixId: string) => Promise<Job<FixJobData> | undefined>;

/** Whether the job of a running fix is dead: gone, or failed with no attempt left. */
async function isDead(job: Job<FixJobData> | undefined): Promise<boolean> {
  if (job === undefined) return true;
  const state = await job.getState();
  return state === 'failed' || state === 'unknown';
}

/** The runner's sweep of one fix; anything it throws (Redis, a bug: not the cluster) is a round that did nothing. */
async function runSweep(
  deps: FixJobDeps,
  record: ApprovalRecord,
  job: Job<FixJobData> | undefined,
  port: MetalLbCluster,
): Promise<SweepResult> {
  try {
    return await deps.runner.sweep({
      fixId: record.id,
      cluster: port,
      clusterName: record.cluster,
      checkpoint: job?.data.checkpoint,
      ...(job ? { checkpoints: jobCheckpoints(job) } : {}),
      backups: storeBackupSink(deps, record),
      settleTimeoutMs: deps.settleTimeoutMs,
      ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    });
  } catch (error) {
    return {
      fixId: record.id,
      restored: [],
      unpinned: [],
      leaseReleased: false,
      left: [{ object: 'sweep', problem: describeError(error) }],
    };
  }
}

/** This round among FIX_SWEEP_ROUNDS; without its job there is no checkpoint to come back to, so one round. */
function sweepInfo(deps: FixJobDeps, job: Job<FixJobData> | undefined): SweepInfo {
  const round = (job?.data.sweeps ?? 0) + 1;
  const backupId = job?.data.checkpoint?.backupId;
  return {
    round,
    rounds: job === undefined ? round : (deps.sweepRounds ?? DEFAULT_SWEEP_ROUNDS),
    intervalMs: deps.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    ...(backupId !== undefined ? { backupId } : {}),
  };
}

function auditSweep(
  deps: FixJobDeps,
  record: ApprovalRecord,
  sweep: SweepResult,
  info: SweepInfo,
  gaveUp: boolean,
): Promise<unknown> {
  const left = sweep.left.length;
  return deps.audit.record({
    actor: 'system',
    action: 'fix.sweep',
    outcome: left === 0 ? 'ok' : 'failed',
    cluster: record.cluster,
    fix: record.fix,
    approvalId: record.id,
    planHash: record.planHash,
    ...(info.backupId !== undefined ? { backupId: info.backupId } : {}),
    detail: `round ${info.round} of ${info.rounds}: restored ${sweep.restored.length}, unpinned ${sweep.unpinned.length}, left ${left}${gaveUp ? ', given up' : ''}`,
  });
}

export async function sweepFix(
  deps: FixJobDeps,
  record: ApprovalRecord,
  job: Job<FixJobData> | undefined,
): Promise<SweepResult | undefined> {
  const port = deps.ports.get(record.cluster);
  if (port === undefined) return undefined;
  const now = deps.now ?? Date.now;
  const checkpoint = job?.data.checkpoint;
  const changed = checkpoint?.changed === true && !checkpoint.final;
  const sweep = await runSweep(deps, record, job, port);
  const info = sweepInfo(deps, job);
  const left = sweep.left.length;
  const gaveUp = left > 0 && info.round >= info.rounds;
  await auditSweep(deps, record, sweep, info, gaveUp);
  if (left > 0 && !gaveUp) {
    await job?.updateData({ ...job.data, sweeps: info.round });
    // Said once, not every interval; the round that restores or gives up says the rest.
    if (info.round === 1) await deps.notifier.swept(record, sweep, info);
    return sweep;
  }
  const moved = await deps.workflow.advance(record.id, sweepEvent(sweep, changed, now()));
  await deps.notifier.swept(moved.ok ? moved.record : record, sweep, info);
  await deps.running.clear(record.cluster, record.id);
  // A sweep that gave up keeps the backup pinned: a person restores from it.
  if (info.backupId !== undefined && left === 0) await deps.backups.unpin(info.backupId, record.id);
  return sweep;
}

function sweepEvent(sweep: SweepResult, changed: boolean, at: number) {
  const left = sweep.left.length;
  if (left === 0 && changed)
    return {
      type: 'roll-back',
      at,
      outcome: 'swept: restored from the backup after the job died or ran out of retries',
    } as const;
  return {
    type: 'fail',
    at,
    outcome:
      left === 0 ? 'swept: the job died before any change' : `swept: ${left} item(s) left for a person`,
  } as const;
}

/** The lock's TTL: it is renewed while the sweep runs, so this only bounds how long a dead process blocks. */
const SWEEP_LOCK_TTL_MS = 60_000;

/** Sweeps every running fix whose job is dead, one fix at a time and each under its lock. Returns the ids swept. */
export async function sweepDeadFixes(deps: FixJobDeps, lookup: JobLookup): Promise<string[]> {
  const swept: string[] = [];
  for (const candidate of await deps.approvals.open(200)) {
    if (candidate.state !== 'running') continue;
    if (!(await isDead(await lookup(candidate.id)))) continue;
    const release = deps.sweepLock ? await deps.sweepLock(candidate.id, SWEEP_LOCK_TTL_MS) : undefined;
    if (deps.sweepLock && release === undefined) continue; // another process sweeps it now
    try {
      // Read again under the lock: a sweep that just finished has moved the record, or counted its round.
      const record = await deps.approvals.get(candidate.id);
      const job = await lookup(candidate.id);
      if (record?.state !== 'running' || !(await isDead(job))) continue;
      if (await sweepFix(deps, record, job)) swept.push(record.id);
    } finally {
      await release?.();
    }
  }
  return swept;
}

/**
 * The sweep's lock in Redis: SET NX with a TTL, renewed every third of it while the sweep runs (a long restore keeps
 * it, a dead process's lock expires), released only by its owner.
 */
export function redisSweepLock(redis: Redis, prefix: string): SweepLock {
  return async (fixId, ttlMs) => {
    const key = `${prefix}:fix:sweep-lock:${checkId('fix', fixId, APPROVAL_ID)}`;
    const token = randomUUID();
    if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    const renew = setInterval(
      () => {
        redis
          .eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0",
            1,
            key,
            token,
            String(ttlMs),
          )
          .catch(() => undefined);
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    renew.unref();
    return async () => {
      clearInterval(renew);
      await redis.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        key,
        token,
      );
    };
  };
}

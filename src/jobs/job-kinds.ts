/**
 * Every kind of job, registered in one table: its queue, the options it is added with, and the processor a worker
 * runs. A new kind (fix, digest) is one entry here; producers and workers read the table.
 */
import type { Job, JobsOptions } from 'bullmq';
import {
  runDigestJob,
  type DigestJobData,
  type DigestJobDeps,
  type DigestOutcome,
} from '../digests/digest-job';
import { DIGEST_JOB_NAME, DIGEST_JOB_OPTIONS, DIGEST_QUEUE } from '../digests/digest-schedules';
import { runCheckJob, type CheckJobData, type CheckJobDeps, type CheckOutcome } from './check-job';
import { runFixJob, type FixJobData, type FixJobDeps, type FixJobOutcome } from './fix-job';

/** What the processors need, one slice per kind, built by the composition root. */
export interface JobDeps {
  check: CheckJobDeps;
  digest: DigestJobDeps;
  fix: FixJobDeps;
}

export interface JobKind<Data = unknown, Result = unknown> {
  /** BullMQ's job name. */
  name: string;
  queue: string;
  /** Options of every add; the job id is the producer's. */
  addOptions: JobsOptions;
  /** The processor, with its dependencies bound. */
  processor(deps: JobDeps): (job: Job<Data>, token?: string) => Promise<Result>;
  /** A rate limit of the kind's worker (BullMQ `limiter`: at most `max` jobs per `duration` ms per queue). */
  limiter?: { max: number; duration: number };
}

export const CHECK_QUEUE = 'checks';

export const CHECK_JOB: JobKind<CheckJobData, CheckOutcome> = {
  name: 'check',
  queue: CHECK_QUEUE,
  addOptions: {
    attempts: 1, // a failed check is answered in the channel, not retried behind the user's back
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 24 * 3600 },
  },
  processor: (deps) => (job) => runCheckJob(job.data, deps.check),
};

export const FIX_QUEUE = 'fixes';

/**
 * A fix: retried after an unexpected error or a rollback that could not finish (the checkpoint makes a retry
 * resume, not repeat), kept when it fails for good so the sweep can read its checkpoint. FIX_ATTEMPTS and
 * FIX_RETRY_BACKOFF replace the attempts and the backoff below (the producer's options). JOB_LOCK_DURATION and JOB_STALLED_INTERVAL (the worker's
 * options) decide how soon a job of a dead worker goes to another.
 */
export const FIX_JOB: JobKind<FixJobData, FixJobOutcome> = {
  name: 'fix',
  queue: FIX_QUEUE,
  addOptions: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  },
  processor: (deps) => (job, token) => runFixJob(job, token, deps.fix),
};

/** The tick a scheduler's job stands for: its id is `repeat:<scheduler id>:<millis>`. */
function scheduledAt(job: Job): Date | undefined {
  const match = /^repeat:.*:(\d+)$/.exec(job.id ?? '');
  return match ? new Date(Number(match[1])) : undefined;
}

export const DIGEST_JOB: JobKind<DigestJobData, DigestOutcome> = {
  name: DIGEST_JOB_NAME,
  queue: DIGEST_QUEUE,
  addOptions: DIGEST_JOB_OPTIONS,
  processor: (deps) => (job) =>
    runDigestJob(
      job.data,
      { id: job.id ?? '', scheduledAt: scheduledAt(job), startedAt: new Date(job.processedOn ?? Date.now()) },
      deps.digest,
    ),
  // Digests to many channels at the same minute reach Slack spread out, not as a burst.
  limiter: { max: 2, duration: 1000 },
};

/**
 * The kinds a worker runs. The element type erases each kind's data: BullMQ hands a worker untyped jobs, and each
 * processor knows its own.
 */
export const JOB_KINDS: readonly JobKind<never, unknown>[] = [CHECK_JOB, DIGEST_JOB, FIX_JOB];

/**
 * Every kind of job, registered in one table: its queue, the options it is added with, and the processor a worker
 * runs. A new kind (fix, digest) is one entry here; producers and workers read the table.
 */
import type { Job, JobsOptions } from 'bullmq';
import { runCheckJob, type CheckJobData, type CheckJobDeps, type CheckOutcome } from './check-job';
import { runFixJob, type FixJobData, type FixJobDeps, type FixJobOutcome } from './fix-job';

/** What the processors need, one slice per kind, built by the composition root. */
export interface JobDeps {
  check: CheckJobDeps;
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
 * A fix: retried after an unexpected error (the checkpoint makes a retry resume, not repeat), kept when it fails
 * for good so the sweep can read its checkpoint. JOB_LOCK_DURATION and JOB_STALLED_INTERVAL (the worker's
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

/**
 * The kinds a worker runs. The element type erases each kind's data: BullMQ hands a worker untyped jobs, and each
 * processor knows its own.
 */
export const JOB_KINDS: readonly JobKind<never, unknown>[] = [CHECK_JOB, FIX_JOB];

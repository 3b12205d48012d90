/**
 * BullMQ wiring: the producer the Slack handlers add jobs with, and the workers that run every kind of job in the
 * table (job-kinds.ts). Job ids come from job-ids.ts, so a retried delivery of the same slash command adds nothing
 * (BullMQ ignores an add with an existing id).
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { whileRedisAvailable } from '../redis';
import type { CheckJobData } from './check-job';
import type { FixJobData } from './fix-job';
import { checkJobId, fixJobId } from './job-ids';
import { CHECK_JOB, FIX_JOB, JOB_KINDS, type JobDeps, type JobKind } from './job-kinds';

/** The producer side the Slack handlers call. */
export interface JobProducer {
  /** Adds a check; `duplicate` is true when this request was already queued (a retried delivery). */
  enqueueCheck(data: CheckJobData): Promise<{ jobId: string; duplicate: boolean }>;
  /** Adds the job of an approved fix; the job id is the fix id, so a second add (double click) adds nothing. */
  enqueueFix(data: FixJobData): Promise<{ jobId: string; duplicate: boolean }>;
  /** The job of a fix, for the sweep. */
  fixJob(fixId: string): Promise<Job<FixJobData> | undefined>;
  counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  /** Hears the queue's own errors; without a listener BullMQ prints each one with its stack. */
  onError?: (error: unknown) => void;
  /** FIX_ATTEMPTS: attempts of a fix job in all (FIX_JOB's when absent). */
  fixAttempts?: number;
  /** FIX_RETRY_BACKOFF: delay before the first retry of a fix job, doubling each time (FIX_JOB's when absent). */
  fixRetryBackoffMs?: number;
}

export function createJobProducer(
  connection: Redis,
  prefix: string,
  options: ProducerOptions = {},
): JobProducer {
  const queue = new Queue<CheckJobData>(CHECK_JOB.queue, { connection, prefix });
  queue.on('error', (error) => options.onError?.(error));
  const fixes = new Queue<FixJobData>(FIX_JOB.queue, { connection, prefix });
  fixes.on('error', (error) => options.onError?.(error));
  const fixOptions = {
    ...FIX_JOB.addOptions,
    ...(options.fixAttempts !== undefined ? { attempts: options.fixAttempts } : {}),
    ...(options.fixRetryBackoffMs !== undefined
      ? { backoff: { type: 'exponential', delay: options.fixRetryBackoffMs } }
      : {}),
  };
  return {
    // A person waits for these answers: E_REDIS_UNAVAILABLE at once while Redis is down, not after its retries.
    enqueueFix: (data) =>
      whileRedisAvailable(connection, 'queue the fix', async () => {
        const jobId = fixJobId(data.fixId);
        if (await fixes.getJob(jobId)) return { jobId, duplicate: true };
        await fixes.add(FIX_JOB.name, data, { ...fixOptions, jobId });
        return { jobId, duplicate: false };
      }),
    async fixJob(fixId) {
      return (await fixes.getJob(fixJobId(fixId))) ?? undefined;
    },
    enqueueCheck: (data) =>
      whileRedisAvailable(connection, 'queue the check', async () => {
        const jobId = checkJobId(data.requestId);
        const existing = await queue.getJob(jobId);
        if (existing) return { jobId, duplicate: true };
        await queue.add(CHECK_JOB.name, data, { ...CHECK_JOB.addOptions, jobId });
        return { jobId, duplicate: false };
      }),
    async counts() {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      return {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
      };
    },
    close: async () => {
      await Promise.all([queue.close(), fixes.close()]);
    },
  };
}

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  deps: JobDeps;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Defaults to every kind in the table. */
  kinds?: readonly JobKind<never, unknown>[];
  /** Hears each worker's errors (its own connections' too); without a listener BullMQ prints stack traces. */
  onError?: (error: unknown, queue: string) => void;
}

/** Starts one worker per kind of job. `close()` on each stops taking jobs and waits for the running ones. */
export function startWorkers(options: WorkerOptions): Worker<never, unknown>[] {
  return (options.kinds ?? JOB_KINDS).map((kind) => {
    const worker = new Worker(kind.queue, kind.processor(options.deps), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 5 * 60_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      ...(kind.limiter ? { limiter: kind.limiter } : {}),
    });
    worker.on('error', (error) => options.onError?.(error, kind.queue));
    return worker;
  });
}

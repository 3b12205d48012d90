/**
 * BullMQ wiring: the queue the Slack handlers add to, and the workers that run the jobs. Job ids are derived
 * from the Slack request, so a retried delivery of the same slash command adds nothing (BullMQ ignores an add
 * with an existing id).
 */
import { createHash } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { runCheckJob, type CheckJobData, type CheckJobDeps, type CheckOutcome } from './check-job';

export const CHECK_QUEUE = 'checks';

/** A stable request id from what identifies one slash command invocation (its trigger_id). */
export function requestIdFor(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}

/** The producer side the Slack handlers call. */
export interface JobProducer {
  /** Adds a check; `duplicate` is true when this request was already queued (a retried delivery). */
  enqueueCheck(data: CheckJobData): Promise<{ jobId: string; duplicate: boolean }>;
  counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }>;
  close(): Promise<void>;
}

export function createJobProducer(connection: Redis, prefix: string): JobProducer {
  const queue = new Queue<CheckJobData>(CHECK_QUEUE, { connection, prefix });
  return {
    async enqueueCheck(data) {
      const jobId = `check-${data.requestId}`;
      const existing = await queue.getJob(jobId);
      if (existing) return { jobId, duplicate: true };
      await queue.add('check', data, {
        jobId,
        attempts: 1, // a failed check is answered in the channel, not retried behind the user's back
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 24 * 3600 },
      });
      return { jobId, duplicate: false };
    },
    async counts() {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      return {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
      };
    },
    close: () => queue.close(),
  };
}

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  deps: CheckJobDeps;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** Starts the check workers. `close()` on the result stops taking jobs and waits for the running ones. */
export function startCheckWorker(options: WorkerOptions): Worker<CheckJobData, CheckOutcome> {
  return new Worker<CheckJobData, CheckOutcome>(
    CHECK_QUEUE,
    (job: Job<CheckJobData>) => runCheckJob(job.data, options.deps),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 5 * 60_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
    },
  );
}

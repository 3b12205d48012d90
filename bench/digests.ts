/**
 * Digests: 20 clusters, one digest schedule each (its own channel), all due at the same second, worked by 2 real
 * `worker` processes. The schedules are made as `/metallb digest <cron>` makes them (DigestSchedules.put, BullMQ
 * job schedulers with a 6-field cron). The Slack stand-in answers the first 3 chat.postMessage calls with 429
 * `ratelimited` (Retry-After 1 s). Reports: every digest posted once, the spacing the digest worker's limiter
 * (2 jobs a second per queue) and the outbox's Retry-After give them, and the time from the due second to the
 * last one, next to a lone digest's in the same run and the limiter's floor.
 *
 * `node dist/bench/digests.js`.
 */
import { Queue } from 'bullmq';
import type { DigestJobData } from '../src/digests/digest-job';
import { DIGEST_QUEUE, DigestSchedules } from '../src/digests/digest-schedules';
import { DIGEST_JOB } from '../src/jobs/job-kinds';
import { parentPosts, startFleet, waitFor, type Fleet } from './fleet';
import { round } from './measure';

export interface DigestsResult {
  clusters: number;
  workerProcesses: number;
  /** Channels whose digest was posted exactly once / more than once / never. */
  postedOnce: number;
  duplicates: number;
  missing: number;
  /** 429 answers the Slack stand-in gave (the injected rate limit), each retried by the outbox. */
  rateLimited: number;
  /** From the due second: the first and the last digest posted, and the last job started. */
  firstPostMs: number;
  lastPostMs: number;
  lastJobStartMs: number;
  /** Digest jobs started per second, from the first start to the last (the limiter allows 2). */
  startsPerSecond: number;
  /** A lone digest in the same run: due -> posted. */
  loneMs: number;
  /** The earliest the last job can start under the limiter: (ceil(clusters / max) - 1) windows. */
  limiterFloorMs: number;
  loadAverage: { start: number; end: number };
}

/** A 6-field cron (seconds first) for one second of every hour: `ss mm * * * *`. */
function cronAt(due: Date): string {
  return `${due.getUTCSeconds()} ${due.getUTCMinutes()} * * * *`;
}

/** The next whole second at least `leadMs` away. */
function dueIn(leadMs: number): Date {
  return new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000);
}

async function schedule(
  fleet: Fleet,
  entries: { cluster: string; channel: string }[],
  due: Date,
): Promise<void> {
  const queue = new Queue<DigestJobData>(DIGEST_QUEUE, {
    connection: fleet.connection,
    prefix: fleet.prefix,
  });
  try {
    const schedules = new DigestSchedules(queue, fleet.connection, fleet.prefix);
    for (const { cluster, channel } of entries)
      await schedules.put({
        cluster,
        channel,
        cron: cronAt(due),
        timezone: 'UTC',
        onlyChanges: false,
        origin: 'slack',
        requestedBy: 'U0BENCH',
      });
  } finally {
    await queue.close();
  }
}

async function jobStarts(fleet: Fleet): Promise<number[]> {
  const queue = new Queue(DIGEST_QUEUE, { connection: fleet.connection, prefix: fleet.prefix });
  try {
    const jobs = await queue.getJobs(['completed', 'failed']);
    return jobs.map((j) => j.processedOn ?? Number.NaN).filter((t) => Number.isFinite(t));
  } finally {
    await queue.close();
  }
}

export async function runDigestsBench(options: { clusters?: number } = {}): Promise<DigestsResult> {
  const os = await import('node:os');
  const loadStart = round(os.loadavg()[0] ?? 0);
  const clusters = options.clusters ?? 20;
  const fleet = await startFleet({
    clusters,
    workers: 2,
    env: { SINGLE_FLIGHT_WINDOW: '0' },
    servicesListDelayMs: 0,
    label: 'digests',
  });
  try {
    // A lone digest first: due -> posted with nothing else to do (it also warms the workers up).
    const loneDue = dueIn(3000);
    await schedule(fleet, [{ cluster: fleet.names[0] as string, channel: 'CDGLONE' }], loneDue);
    if (!(await waitFor(() => parentPosts(fleet.slack).has('CDGLONE'), 90_000)))
      throw new Error('the lone digest was not posted within 90 s of being scheduled');
    const loneMs = (parentPosts(fleet.slack).get('CDGLONE')?.[0]?.at ?? Number.NaN) - loneDue.getTime();

    const channels = fleet.names.map((_, i) => `CDIG${String(i + 1).padStart(2, '0')}`);
    const due = dueIn(5000);
    await schedule(
      fleet,
      fleet.names.map((cluster, i) => ({ cluster, channel: channels[i] as string })),
      due,
    );
    fleet.slack.rateLimit('chat.postMessage', 3, 1);
    const allPosted = (): boolean => {
      const posts = parentPosts(fleet.slack);
      return channels.every((c) => posts.has(c));
    };
    await waitFor(allPosted, 180_000);
    // Anything posted twice would come right after: give the senders a moment, then count.
    await new Promise((r) => setTimeout(r, 3000));
    const posts = parentPosts(fleet.slack);
    const counts = channels.map((c) => posts.get(c)?.length ?? 0);
    const times = channels
      .map((c) => posts.get(c)?.[0]?.at)
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    const starts = (await jobStarts(fleet)).filter((t) => t >= due.getTime() - 1000).sort((a, b) => a - b);
    const startSpanMs = (starts[starts.length - 1] ?? Number.NaN) - (starts[0] ?? Number.NaN);
    const limiter = DIGEST_JOB.limiter ?? { max: Infinity, duration: 1000 };
    return {
      clusters,
      workerProcesses: fleet.workers.length,
      postedOnce: counts.filter((n) => n === 1).length,
      duplicates: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      missing: counts.filter((n) => n === 0).length,
      rateLimited: fleet.slack.calls('chat.postMessage').filter((c) => c.status === 429).length,
      firstPostMs: (times[0] ?? Number.NaN) - due.getTime(),
      lastPostMs: (times[times.length - 1] ?? Number.NaN) - due.getTime(),
      lastJobStartMs: (starts[starts.length - 1] ?? Number.NaN) - due.getTime(),
      startsPerSecond: round(((starts.length - 1) * 1000) / startSpanMs, 2),
      loneMs,
      limiterFloorMs: (Math.ceil(clusters / limiter.max) - 1) * limiter.duration,
      loadAverage: { start: loadStart, end: round(os.loadavg()[0] ?? 0) },
    };
  } finally {
    await fleet.stop();
  }
}

if (require.main === module) {
  runDigestsBench().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

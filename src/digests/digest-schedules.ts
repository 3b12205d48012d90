/**
 * Digest schedules as BullMQ job schedulers: one per (cluster, channel), so scheduling again replaces it. The
 * scheduler keeps one delayed job per schedule and makes the next when that one starts, so however many replicas
 * run, each tick is one job, and ticks missed while none ran are not replayed. Schedules declared in DIGESTS are
 * synced at start under a lock, so replicas starting together upsert one after the other.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DigestSetting } from '../config';
import type { DigestJobData } from './digest-job';

export const DIGEST_QUEUE = 'digests';
export const DIGEST_JOB_NAME = 'digest';

/** Options of every digest job, scheduled or not. */
export const DIGEST_JOB_OPTIONS = {
  attempts: 1, // a failed check is posted as such, not retried
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export interface DigestSchedule {
  cluster: string;
  channel: string;
  /** A cron pattern, or `every` milliseconds. */
  cron?: string;
  every?: number;
  timezone: string;
  onlyChanges: boolean;
  origin: 'declared' | 'slack';
  requestedBy?: string;
  /** The next run, when the scheduler has one. */
  next?: Date;
}

/** The scheduler id of a (cluster, channel): cluster names hold dashes, channel ids never do. */
export function digestSchedulerId(cluster: string, channel: string): string {
  return `digest-${cluster}-${channel}`;
}

function sameSettings(a: DigestSchedule, b: DigestSchedule): boolean {
  return (
    a.origin === b.origin &&
    a.cron === b.cron &&
    a.every === b.every &&
    a.timezone === b.timezone &&
    a.onlyChanges === b.onlyChanges
  );
}

function fromData(
  data: DigestJobData | undefined,
  next: number | undefined | null,
): DigestSchedule | undefined {
  if (data === undefined || data.origin === 'now') return undefined;
  return {
    cluster: data.cluster,
    channel: data.channel,
    cron: data.cron,
    every: data.every,
    timezone: data.timezone ?? 'UTC',
    onlyChanges: data.onlyChanges,
    origin: data.origin,
    requestedBy: data.requestedBy,
    next: typeof next === 'number' && next > 0 ? new Date(next) : undefined,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class DigestSchedules {
  constructor(
    private readonly queue: Queue<DigestJobData>,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Creates or replaces the schedule of its (cluster, channel). */
  async put(schedule: DigestSchedule): Promise<DigestSchedule> {
    const data: DigestJobData = {
      cluster: schedule.cluster,
      channel: schedule.channel,
      onlyChanges: schedule.onlyChanges,
      cron: schedule.cron,
      every: schedule.every,
      timezone: schedule.timezone,
      requestedBy: schedule.requestedBy,
      origin: schedule.origin,
    };
    const repeat =
      schedule.every !== undefined
        ? { every: schedule.every }
        : { pattern: schedule.cron, tz: schedule.timezone };
    const id = digestSchedulerId(schedule.cluster, schedule.channel);
    const template = { name: DIGEST_JOB_NAME, data, opts: DIGEST_JOB_OPTIONS };
    try {
      await this.queue.upsertJobScheduler(id, repeat, template);
    } catch {
      // The tick's job went active between reading and replacing it (a job-id collision): the next upsert
      // finds the job of the following tick and replaces that one.
      await sleep(50);
      await this.queue.upsertJobScheduler(id, repeat, template);
    }
    return (await this.get(schedule.cluster, schedule.channel)) ?? schedule;
  }

  async get(cluster: string, channel: string): Promise<DigestSchedule | undefined> {
    const scheduler = await this.queue.getJobScheduler(digestSchedulerId(cluster, channel));
    return fromData(scheduler?.template?.data, scheduler?.next);
  }

  /** Removes the schedule of a (cluster, channel); false when there was none. */
  async remove(cluster: string, channel: string): Promise<boolean> {
    return this.queue.removeJobScheduler(digestSchedulerId(cluster, channel));
  }

  /** Every schedule, soonest first. */
  async list(): Promise<DigestSchedule[]> {
    const schedulers = await this.queue.getJobSchedulers(0, -1, true);
    return schedulers
      .map((s) => fromData(s.template?.data, s.next))
      .filter((s): s is DigestSchedule => s !== undefined);
  }

  /**
   * Makes the declared schedules exactly those of DIGESTS: upserts the ones that are new or changed, removes
   * declared ones no longer listed, leaves schedules made in Slack alone (unless DIGESTS now declares their
   * cluster and channel). Runs under a lock, so replicas starting together do it one after the other and the
   * later ones find nothing to change.
   */
  async syncDeclared(declared: readonly DigestSetting[]): Promise<{ upserted: number; removed: number }> {
    const lock = `${this.prefix}:digest:sync-lock`;
    const token = `${process.pid}-${Date.now()}-${Math.random()}`;
    const deadline = Date.now() + 15_000;
    while ((await this.redis.set(lock, token, 'PX', 10_000, 'NX')) !== 'OK') {
      if (Date.now() > deadline) break; // a holder that died: its lock expires; sync anyway, upserts are safe
      await sleep(50);
    }
    try {
      return await this.syncUnlocked(declared);
    } finally {
      await this.redis.eval(
        `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
        1,
        lock,
        token,
      );
    }
  }

  private async syncUnlocked(
    declared: readonly DigestSetting[],
  ): Promise<{ upserted: number; removed: number }> {
    let upserted = 0;
    let removed = 0;
    const existing = await this.list();
    for (const d of declared) {
      const wanted: DigestSchedule = {
        cluster: d.cluster,
        channel: d.channel,
        cron: d.cron,
        timezone: d.timezone,
        onlyChanges: d.onlyChanges,
        origin: 'declared',
      };
      const current = existing.find((s) => s.cluster === d.cluster && s.channel === d.channel);
      if (current && sameSettings(current, wanted)) continue;
      await this.put(wanted);
      upserted++;
    }
    for (const s of existing) {
      if (s.origin !== 'declared') continue;
      if (declared.some((d) => d.cluster === s.cluster && d.channel === s.channel)) continue;
      await this.remove(s.cluster, s.channel);
      removed++;
    }
    return { upserted, removed };
  }

  /** Adds a one-off digest (`/metallb digest now`); a retried delivery of the same request adds nothing. */
  async runNow(data: DigestJobData, jobId: string): Promise<{ duplicate: boolean }> {
    if (await this.queue.getJob(jobId)) return { duplicate: true };
    await this.queue.add(DIGEST_JOB_NAME, data, { ...DIGEST_JOB_OPTIONS, jobId });
    return { duplicate: false };
  }
}

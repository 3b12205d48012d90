/**
 * Why hand-written: BullMQ's group concurrency is a Pro feature, and a Redis lock (redlock) admits only one.
 *
 * A Redis-backed counting semaphore per cluster: at most `limit` checks of one cluster run at once across all
 * workers (CLUSTER_CONCURRENCY). Each holder has a lease that is renewed while it works, so a worker that dies
 * frees its slot when the lease runs out.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// KEYS[1] the slot set; ARGV: now, lease end, limit, token.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(ARGV[2]) - tonumber(ARGV[1])))
  return 1
end
return 0`;

export interface ClusterLimiterOptions {
  redis: Redis;
  prefix: string;
  limit: number;
  leaseMs?: number;
  pollMs?: number;
  now?: () => number;
}

export class ClusterLimiter {
  constructor(private readonly options: ClusterLimiterOptions) {}

  private key(cluster: string): string {
    return `${this.options.prefix}:limit:${cluster}`;
  }

  /** Waits for a slot (up to `timeoutMs`); returns the function that frees it. */
  async acquire(cluster: string, timeoutMs: number): Promise<() => Promise<void>> {
    const { redis, limit } = this.options;
    const now = this.options.now ?? Date.now;
    const leaseMs = this.options.leaseMs ?? 60_000;
    const token = randomUUID();
    const key = this.key(cluster);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = now();
      if ((await redis.eval(ACQUIRE, 1, key, t, t + leaseMs, limit, token)) === 1) break;
      if (Date.now() >= deadline)
        throw new Error(`no check slot for cluster ${cluster} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 100));
    }
    const renew = setInterval(() => {
      const until = now() + leaseMs;
      void redis
        .multi()
        .zadd(key, 'XX', until, token)
        .pexpire(key, leaseMs)
        .exec()
        .catch(() => undefined);
    }, leaseMs / 3);
    renew.unref();
    return async () => {
      clearInterval(renew);
      await redis.zrem(key, token);
    };
  }

  /** Slots in use now (for status and tests). */
  async inUse(cluster: string): Promise<number> {
    const now = (this.options.now ?? Date.now)();
    return this.options.redis.zcount(this.key(cluster), now, '+inf');
  }
}

/**
 * Redis-backed single flight: concurrent callers of the same key within a window share one result, across
 * every worker process (README.md, "Scale", and docs/adr/0004-single-flight-shares-reports.md: checks of one
 * cluster share one snapshot so a busy channel never floods the API server). The first caller computes; the
 * others wait for its result; a result stays shareable for `windowMs` after it was made. A fresh caller takes only a result whose computation began after its call.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface SingleFlightOptions {
  redis: Redis;
  prefix: string;
  /** How long a result is shared after it was made; 0 turns sharing off. */
  windowMs: number;
  /** Longest a computation may hold the key before others stop waiting for it. */
  computeTimeoutMs: number;
  pollMs?: number;
}

export interface RunOptions {
  /** Share no result whose computation began before this call (later ones are still shared). */
  fresh?: boolean;
}

/** What the result key holds: the value, and when (Redis time, µs) its computation began. */
interface Stored<T> {
  startedAt: number;
  value: T;
}

export class SingleFlight {
  constructor(private readonly options: SingleFlightOptions) {}

  private keys(key: string): { result: string; lock: string } {
    return {
      // Not `:result`, which held a bare value: a worker of the previous release must not read a stamped one.
      result: `${this.options.prefix}:sf:${key}:stamped`,
      lock: `${this.options.prefix}:sf:${key}:lock`,
    };
  }

  /** Redis' clock, in microseconds: one clock for every process, whatever their own clocks say. */
  private async redisTime(): Promise<number> {
    const [seconds, micros] = await this.options.redis.time();
    return Number(seconds) * 1_000_000 + Number(micros);
  }

  /** Runs `compute` once per key and window; `shared` tells whether this caller reused another's result. */
  async run<T>(
    key: string,
    compute: () => Promise<T>,
    options: RunOptions = {},
  ): Promise<{ value: T; shared: boolean }> {
    const { redis, windowMs, computeTimeoutMs } = this.options;
    if (windowMs <= 0) return { value: await compute(), shared: false };
    const keys = this.keys(key);
    const since = options.fresh ? await this.redisTime() : -Infinity;
    const deadline = Date.now() + computeTimeoutMs;
    while (Date.now() < deadline) {
      const cached = await redis.get(keys.result);
      const stored = cached === null ? undefined : (JSON.parse(cached) as Stored<T>);
      if (stored !== undefined && stored.startedAt >= since) return { value: stored.value, shared: true };
      const token = randomUUID();
      if ((await redis.set(keys.lock, token, 'PX', computeTimeoutMs, 'NX')) === 'OK') {
        try {
          const startedAt = await this.redisTime();
          const value = await compute();
          await redis.set(keys.result, JSON.stringify({ startedAt, value }), 'PX', windowMs);
          return { value, shared: false };
        } finally {
          await redis.eval(RELEASE, 1, keys.lock, token);
        }
      }
      // Someone computes now. Its result is taken next round if it began late enough; a fresh caller waits for
      // an older one to finish and then computes itself, so one cluster still sees one read at a time.
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 100));
    }
    // The holder took longer than it may: compute on our own rather than wait forever.
    return { value: await compute(), shared: false };
  }
}

/**
 * Redis-backed single flight: concurrent callers of the same key within a window share one result, across
 * every worker process (README.md, "Scale", and docs/adr/0004-single-flight-shares-reports.md: checks of one
 * cluster share one snapshot so a busy channel never floods the API server). The first caller computes; the
 * others wait for its result; a result stays shareable for `windowMs` after it was made.
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

export class SingleFlight {
  constructor(private readonly options: SingleFlightOptions) {}

  private keys(key: string): { result: string; lock: string } {
    return {
      result: `${this.options.prefix}:sf:${key}:result`,
      lock: `${this.options.prefix}:sf:${key}:lock`,
    };
  }

  /** Runs `compute` once per key and window; `shared` tells whether this caller reused another's result. */
  async run<T>(key: string, compute: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
    const { redis, windowMs, computeTimeoutMs } = this.options;
    if (windowMs <= 0) return { value: await compute(), shared: false };
    const keys = this.keys(key);
    const deadline = Date.now() + computeTimeoutMs;
    while (Date.now() < deadline) {
      const cached = await redis.get(keys.result);
      if (cached !== null) return { value: JSON.parse(cached) as T, shared: true };
      const token = randomUUID();
      if ((await redis.set(keys.lock, token, 'PX', computeTimeoutMs, 'NX')) === 'OK') {
        try {
          const value = await compute();
          await redis.set(keys.result, JSON.stringify(value), 'PX', windowMs);
          return { value, shared: false };
        } finally {
          await redis.eval(RELEASE, 1, keys.lock, token);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 100));
    }
    // The holder took longer than it may: compute on our own rather than wait forever.
    return { value: await compute(), shared: false };
  }
}

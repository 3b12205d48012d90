/**
 * Why not p-limit: it is ESM-only since v4 (Jest on Node 20 would have to transform it) for a few lines.
 *
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order. Bounds how many
 * requests one read sends to the API server however many lists and pods it covers.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now (for tests and diagnostics). */
  readonly active: number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    get active() {
      return active;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < limit) active++;
      // The releasing task hands its slot straight to the next waiter, so `active` never over-counts.
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

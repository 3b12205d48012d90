/** Real Redis for integration tests: a unique key prefix per test file, cleaned up afterwards. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(name: string): string {
  return `{test-${name}-${randomUUID().slice(0, 8)}}`;
}

export function connect(options: { blocking?: boolean } = {}): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: options.blocking ? null : 3, lazyConnect: false });
}

/** Deletes every key under a prefix. */
export async function cleanup(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

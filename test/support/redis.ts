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

export { cleanup } from '../../tools/redis-cleanup';

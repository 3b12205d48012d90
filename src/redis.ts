/**
 * Redis connections from the settings (REDIS_URL, or Sentinel). BullMQ workers need
 * `maxRetriesPerRequest: null` on their blocking connections (BullMQ refuses them otherwise); commands issued while
 * handling a Slack request fail fast instead, so an ack is never held up by a Redis outage.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from './config';

export type RedisRole = 'command' | 'blocking';

export function redisOptions(settings: RedisSettings, role: RedisRole): RedisOptions {
  const common: RedisOptions = {
    maxRetriesPerRequest: role === 'blocking' ? null : 3,
    enableOfflineQueue: true,
    // Reconnect forever with a capped backoff: Redis restarts must not kill the bot.
    retryStrategy: (times: number) => Math.min(200 * 2 ** Math.min(times, 6), 10_000),
    lazyConnect: false,
  };
  if (settings.sentinels && settings.sentinelName) {
    return { ...common, sentinels: settings.sentinels, name: settings.sentinelName };
  }
  return common;
}

/** Opens a connection. The URL may carry a password: it is never logged. */
export function createRedis(settings: RedisSettings, role: RedisRole): Redis {
  const options = redisOptions(settings, role);
  if (settings.sentinels && settings.sentinelName) return new Redis(options);
  return new Redis(settings.url, options);
}

/** Round-trip time of a PING in ms, or the problem (without secrets). */
export async function pingRedis(
  redis: Redis,
  timeoutMs = 1000,
): Promise<{ ok: true; latencyMs: number } | { ok: false; problem: string }> {
  const started = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Number((process.hrtime.bigint() - started) / 1_000_000n) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

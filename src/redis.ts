/**
 * Redis connections from the settings (REDIS_URL, or Sentinel). BullMQ workers need
 * `maxRetriesPerRequest: null` on their blocking connections (BullMQ refuses them otherwise); commands issued while
 * handling a Slack request fail fast instead, so an ack is never held up by a Redis outage.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from './config';
import { AppError } from './errors';
import type { Logger } from './logger';

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

/**
 * Opens a connection. The URL may carry a password: it is never logged. With `log`, the connection's state
 * changes go to that log; without a listener ioredis would print a stack trace per failed retry.
 */
export function createRedis(settings: RedisSettings, role: RedisRole, log?: RedisConnectionLog): Redis {
  const options = redisOptions(settings, role);
  const redis =
    settings.sentinels && settings.sentinelName ? new Redis(options) : new Redis(settings.url, options);
  if (log) log.watch(redis, role);
  return redis;
}

type Phase = 'starting' | 'connected' | 'lost' | 'reconnecting';

/**
 * One JSON log line per change of the process' Redis state (connected, lost, reconnecting, ready again), for all
 * the connections it watches together: an outage is one `lost` line however many connections and retries it
 * takes, never a line (or a stack trace) per failed attempt.
 */
export class RedisConnectionLog {
  private readonly ready = new Map<string, boolean>();
  private phase: Phase = 'starting';
  private everConnected = false;
  private downSince = 0;
  private lastError: string | undefined;
  private stopped = false;

  constructor(
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  watch(redis: Redis, name: string): void {
    this.ready.set(name, redis.status === 'ready');
    redis.on('ready', () => this.onReady(name));
    redis.on('error', (error: unknown) => this.onDown(name, error));
    redis.on('close', () => this.onDown(name, undefined));
    redis.on('reconnecting', (delayMs: unknown) => this.onReconnecting(delayMs));
  }

  /** Connections closed on purpose (shutdown) are not an outage. */
  stop(): void {
    this.stopped = true;
  }

  private onReady(name: string): void {
    this.ready.set(name, true);
    if (this.stopped || this.phase === 'connected' || [...this.ready.values()].some((r) => !r)) return;
    if (!this.everConnected)
      this.logger.info('redis connected', this.phase === 'starting' ? {} : { waitedMs: this.downFor() });
    else this.logger.info('redis ready again', { downMs: this.downFor() });
    this.everConnected = true;
    this.phase = 'connected';
    this.lastError = undefined;
  }

  private onDown(name: string, error: unknown): void {
    this.ready.set(name, false);
    if (error !== undefined) this.lastError = describeRedisError(error);
    if (this.stopped || this.phase === 'lost' || this.phase === 'reconnecting') return;
    // At start a close without an error comes before the first attempt failed; wait for the error.
    if (this.phase === 'starting' && error === undefined) return;
    this.downSince = this.now();
    const fields = { connection: name, ...(this.lastError ? { error: this.lastError } : {}) };
    this.logger.warn(this.everConnected ? 'redis connection lost' : 'redis unavailable', fields);
    this.phase = 'lost';
  }

  private onReconnecting(delayMs: unknown): void {
    if (this.stopped || this.phase !== 'lost') return;
    this.logger.info('redis reconnecting', {
      ...(typeof delayMs === 'number' ? { firstRetryInMs: delayMs } : {}),
      ...(this.lastError ? { error: this.lastError } : {}),
    });
    this.phase = 'reconnecting';
  }

  private downFor(): number {
    return this.downSince === 0 ? 0 : this.now() - this.downSince;
  }
}

/** A connection error's message, short (never a stack); ioredis never puts the URL's password in it. */
export function describeRedisError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES =
  /Connection is closed|Stream isn't writeable|max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Socket closed unexpectedly|All sentinels are unreachable/i;

/** Whether an error says Redis cannot be reached (as opposed to a command Redis refused). */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return error.name === 'MaxRetriesPerRequestError' || CONNECTION_MESSAGES.test(error.message);
}

/**
 * An `error` listener for BullMQ's Queue and Worker (they open connections of their own, which report through
 * them): connection errors are already told by the RedisConnectionLog, anything else is logged once per error.
 */
export function queueErrorListener(logger: Pick<Logger, 'error' | 'debug'>, source: string) {
  return (error: unknown): void => {
    if (isRedisConnectionError(error))
      logger.debug('queue connection error', { source, error: describeRedisError(error) });
    else logger.error('queue error', { source, error: describeRedisError(error) });
  };
}

/** The coded error of a request that needs Redis while it is down. */
export function redisUnavailable(what: string, cause?: unknown): AppError {
  return new AppError('E_REDIS_UNAVAILABLE', `cannot ${what}: Redis is unavailable; try again in a minute`, {
    cause,
  });
}

const DOWN = new Set(['reconnecting', 'close', 'end']);

/**
 * Runs Redis work a person waits for (a slash command must be answered within 3 s): refused at once while the
 * connection is down, and given up after `deadlineMs` if Redis hangs. Either way the caller gets
 * E_REDIS_UNAVAILABLE instead of waiting for ioredis' retries. Work given up on may still land later.
 */
export async function whileRedisAvailable<T>(
  redis: Redis,
  what: string,
  work: () => Promise<T>,
  deadlineMs = 2000,
): Promise<T> {
  if (DOWN.has(redis.status)) throw redisUnavailable(what);
  let timer: NodeJS.Timeout | undefined;
  const running = work();
  // A rejection after the deadline has no one waiting for it.
  running.catch(() => undefined);
  try {
    return await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(redisUnavailable(what)), deadlineMs);
      }),
    ]);
  } catch (error) {
    if (isRedisConnectionError(error)) throw redisUnavailable(what, error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The same store whose every method runs {@link whileRedisAvailable}: for stores a person waits on (a command,
 * a button, a modal, which Slack gives 3 s), so that a Redis outage is E_REDIS_UNAVAILABLE at once instead of a
 * request left hanging on ioredis' offline queue. Every method of `store` must return a promise.
 */
export function whileAvailable<T extends object>(redis: Redis, what: string, store: T): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): Promise<unknown> =>
        whileRedisAvailable(redis, what, () =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
        );
    },
  });
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

/**
 * The Redis outbox (docs/adr/0003-outbox-delivery.md). Jobs append messages to a per-thread list and return at
 * once; a sender delivers each thread in order, honours `ratelimited`, retries while Slack is down, and keeps
 * undelivered messages across restarts (they live in Redis). Any number of senders may run: a lease per thread
 * makes one of them deliver it, in order.
 *
 * Delivery is at least once: a sender that dies after Slack accepted a message but before it popped the item
 * posts that one message again on the next run. Nothing is ever lost.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  SlackDeliveryError,
  classifySlackError,
  type DeliveryFailure,
  type SlackTransport,
} from './transport';
import type { Block } from './views/blocks';
import { undeliverableMessage } from './views/help';

/** Who asked, so a thread that cannot be posted can still be explained to them. */
export interface Requester {
  user: string;
  responseUrl?: string;
}

interface Base {
  id: string;
  channel: string;
  requester?: Requester;
}

export type OutboxItem = Base &
  (
    | { kind: 'parent'; text: string; blocks?: Block[] }
    /** `key` names the reply so a later `update` item can change it in place (a fix's approval, its progress). */
    | { kind: 'reply'; text: string; blocks?: Block[]; key?: string }
    | { kind: 'update-parent'; text: string; blocks?: Block[] }
    /** chat.update of the reply posted under `key`; posted as that reply when it was never delivered. */
    | { kind: 'update'; key: string; text: string; blocks?: Block[] }
    | { kind: 'ephemeral'; user: string; text: string; blocks?: Block[] }
    | { kind: 'file'; filename: string; title: string; content: string }
    | { kind: 'respond'; responseUrl: string; text: string; blocks?: Block[] }
  );

/** An item before it gets its id. */
export type NewOutboxItem = OutboxItem extends infer T
  ? T extends OutboxItem
    ? Omit<T, 'id'>
    : never
  : never;

export interface OutboxLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface OutboxCounters {
  delivered(kind: string): void;
  dropped(reason: string): void;
  retried(reason: string): void;
}

class Keys {
  constructor(private readonly prefix: string) {}
  active = (): string => `${this.prefix}:outbox:active`;
  list = (thread: string): string => `${this.prefix}:outbox:t:${thread}`;
  parent = (thread: string): string => `${this.prefix}:outbox:parent:${thread}`;
  keyed = (thread: string, key: string): string => `${this.prefix}:outbox:msg:${thread}:${key}`;
  lease = (thread: string): string => `${this.prefix}:outbox:lease:${thread}`;
  retry = (thread: string): string => `${this.prefix}:outbox:retry:${thread}`;
  attempts = (thread: string): string => `${this.prefix}:outbox:attempts:${thread}`;
  channelWait = (channel: string): string => `${this.prefix}:outbox:wait:${channel}`;
}

/** Pops the head only if it is still the item we delivered (another sender cannot have, but be exact). */
const POP_IF_HEAD = `if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then return redis.call('LPOP', KEYS[1]) end return false`;
/** Forgets an empty thread; an append racing with it re-adds the thread. */
const FORGET_IF_EMPTY = `if redis.call('LLEN', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end return 0`;
const RELEASE_LEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const PARENT_TTL_SECONDS = 7 * 24 * 3600;

async function backlogOf(redis: Redis, keys: Keys): Promise<number> {
  const threads = await redis.smembers(keys.active());
  if (threads.length === 0) return 0;
  const pipeline = redis.pipeline();
  for (const t of threads) pipeline.llen(keys.list(t));
  const results = (await pipeline.exec()) ?? [];
  return results.reduce((sum, [, n]) => sum + (typeof n === 'number' ? n : 0), 0);
}

/** The producer side: what jobs call. */
export class Outbox {
  private readonly keys: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
  }

  /** Appends messages to a thread, in order, atomically. */
  async append(thread: string, items: readonly NewOutboxItem[]): Promise<void> {
    if (items.length === 0) return;
    const encoded = items.map((item) => JSON.stringify({ ...item, id: randomUUID() }));
    await this.redis
      .multi()
      .rpush(this.keys.list(thread), ...encoded)
      .sadd(this.keys.active(), thread)
      .exec();
  }

  /** Messages waiting for Slack, over all threads. */
  async backlog(): Promise<number> {
    return backlogOf(this.redis, this.keys);
  }

  /**
   * Makes an existing message the thread's parent: replies and files then go under it (a fix requested from a
   * check's thread, or under a parent posted by the request itself).
   */
  async adoptParent(thread: string, ts: string): Promise<void> {
    await this.redis.set(this.keys.parent(thread), ts, 'EX', PARENT_TTL_SECONDS);
  }

  /** The ts of a thread's parent message once delivered. */
  async parentTs(thread: string): Promise<string | null> {
    return this.redis.get(this.keys.parent(thread));
  }
}

export interface SenderOptions {
  redis: Redis;
  prefix: string;
  transport: SlackTransport;
  now?: () => number;
  logger?: OutboxLogger;
  counters?: OutboxCounters;
  /** How long to sleep when there is nothing to send. */
  idleMs?: number;
  /** The lease a sender holds on a thread while delivering it. */
  leaseMs?: number;
  /** Longest wait between retries while Slack is down. */
  maxBackoffMs?: number;
}

type Outcome = 'delivered' | 'stop-thread' | 'drop-item' | 'drop-thread';

/** The consumer side: delivers threads in order. One per process is enough; several are safe. */
export class OutboxSender {
  private readonly keys: Keys;
  private readonly now: () => number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly token = randomUUID();
  private lastFailure: string | undefined;

  constructor(private readonly options: SenderOptions) {
    this.keys = new Keys(options.prefix);
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops after the message in flight; undelivered ones stay in Redis for the next sender. With `drainMs`, it
   * first keeps delivering until nothing is pending or that time has passed, so the answer of a check that
   * finished during shutdown reaches Slack now rather than whenever another replica runs.
   */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    const drainMs = options.drainMs ?? 0;
    if (drainMs > 0 && this.running) {
      const deadline = Date.now() + drainMs;
      this.wake?.();
      while (Date.now() < deadline && (await backlogOf(this.options.redis, this.keys).catch(() => 0)) > 0)
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delivered = 0;
      try {
        delivered = await this.deliverAvailable();
        this.lastFailure = undefined;
      } catch (error) {
        // While Redis is down every pass fails the same way: one line for the outage, not one per pass.
        const message = error instanceof Error ? error.message : String(error);
        if (message !== this.lastFailure)
          this.options.logger?.error('outbox pass failed', { error: message });
        this.lastFailure = message;
      }
      if (delivered === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.idleMs ?? 200);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  /** One pass over every thread with pending messages; returns how many messages were delivered. */
  async deliverAvailable(): Promise<number> {
    const threads = await this.options.redis.smembers(this.keys.active());
    let delivered = 0;
    for (const thread of threads) {
      if (!this.running && this.loop !== undefined) break;
      delivered += await this.deliverThread(thread);
    }
    return delivered;
  }

  private async deliverThread(thread: string): Promise<number> {
    const { redis } = this.options;
    const retryAt = Number((await redis.get(this.keys.retry(thread))) ?? 0);
    if (retryAt > this.now()) return 0;
    const leased = await redis.set(
      this.keys.lease(thread),
      this.token,
      'PX',
      this.options.leaseMs ?? 30_000,
      'NX',
    );
    if (leased !== 'OK') return 0;
    let delivered = 0;
    try {
      for (;;) {
        const raw = await redis.lindex(this.keys.list(thread), 0);
        if (raw === null) {
          await redis.eval(FORGET_IF_EMPTY, 2, this.keys.list(thread), this.keys.active(), thread);
          break;
        }
        const outcome = await this.deliverItem(thread, raw);
        if (outcome === 'stop-thread') break;
        if (outcome === 'drop-thread') {
          await redis.del(this.keys.list(thread));
          continue;
        }
        await redis.eval(POP_IF_HEAD, 1, this.keys.list(thread), raw);
        if (outcome === 'delivered') delivered++;
      }
    } finally {
      await redis.eval(RELEASE_LEASE, 1, this.keys.lease(thread), this.token);
    }
    return delivered;
  }

  private async deliverItem(thread: string, raw: string): Promise<Outcome> {
    let item: OutboxItem;
    try {
      item = JSON.parse(raw) as OutboxItem;
    } catch {
      this.options.logger?.error('outbox item is not JSON; dropped', { thread });
      this.options.counters?.dropped('malformed');
      return 'drop-item';
    }
    const { redis } = this.options;
    const waitUntil = Number((await redis.get(this.keys.channelWait(item.channel))) ?? 0);
    if (waitUntil > this.now()) return 'stop-thread';
    try {
      await this.send(thread, item);
      await redis.del(this.keys.attempts(thread));
      this.options.counters?.delivered(item.kind);
      return 'delivered';
    } catch (error) {
      return this.onFailure(thread, item, classifySlackError(error));
    }
  }

  private async send(thread: string, item: OutboxItem): Promise<void> {
    const { transport, redis } = this.options;
    switch (item.kind) {
      case 'parent': {
        const { ts } = await transport.postMessage({
          channel: item.channel,
          text: item.text,
          blocks: item.blocks,
        });
        await redis.set(this.keys.parent(thread), ts, 'EX', PARENT_TTL_SECONDS);
        return;
      }
      case 'reply':
        await this.postReply(thread, item);
        return;
      case 'update': {
        const ts = await redis.get(this.keys.keyed(thread, item.key));
        if (ts === null) await this.postReply(thread, item);
        else
          await transport.updateMessage({ channel: item.channel, ts, text: item.text, blocks: item.blocks });
        return;
      }
      case 'update-parent': {
        const ts = await this.parentOf(thread);
        if (ts === undefined)
          throw new SlackDeliveryError({ kind: 'permanent', detail: 'no parent message to update' });
        await transport.updateMessage({ channel: item.channel, ts, text: item.text, blocks: item.blocks });
        return;
      }
      case 'ephemeral':
        await transport.postEphemeral({
          channel: item.channel,
          user: item.user,
          text: item.text,
          blocks: item.blocks,
        });
        return;
      case 'file':
        await transport.uploadFile({
          channel: item.channel,
          threadTs: await this.requiredParent(thread),
          filename: item.filename,
          title: item.title,
          content: item.content,
        });
        return;
      case 'respond':
        await transport.respond(item.responseUrl, {
          text: item.text,
          blocks: item.blocks,
          response_type: 'ephemeral',
        });
        return;
    }
  }

  private async postReply(
    thread: string,
    item: { channel: string; text: string; blocks?: Block[]; key?: string },
  ): Promise<void> {
    const { ts } = await this.options.transport.postMessage({
      channel: item.channel,
      text: item.text,
      blocks: item.blocks,
      threadTs: await this.requiredParent(thread),
    });
    if (item.key !== undefined)
      await this.options.redis.set(this.keys.keyed(thread, item.key), ts, 'EX', PARENT_TTL_SECONDS);
  }

  private async parentOf(thread: string): Promise<string | undefined> {
    return (await this.options.redis.get(this.keys.parent(thread))) ?? undefined;
  }

  /** A reply without its parent would land in the channel itself, where a thread's findings must not go. */
  private async requiredParent(thread: string): Promise<string> {
    const ts = await this.parentOf(thread);
    if (ts === undefined)
      throw new SlackDeliveryError({ kind: 'permanent', detail: 'no parent message to reply to' });
    return ts;
  }

  private async onFailure(thread: string, item: OutboxItem, failure: DeliveryFailure): Promise<Outcome> {
    const { redis, logger, counters } = this.options;
    switch (failure.kind) {
      case 'rate-limited':
        counters?.retried('rate-limited');
        await redis.set(
          this.keys.channelWait(item.channel),
          String(this.now() + failure.retryAfterMs),
          'PX',
          failure.retryAfterMs,
        );
        return 'stop-thread';
      case 'unavailable': {
        counters?.retried('unavailable');
        const attempts = await redis.incr(this.keys.attempts(thread));
        const backoff = Math.min(500 * 2 ** Math.min(attempts - 1, 10), this.options.maxBackoffMs ?? 30_000);
        await redis.set(this.keys.retry(thread), String(this.now() + backoff), 'PX', backoff);
        logger?.warn('slack unavailable; will retry', { thread, detail: failure.detail, backoffMs: backoff });
        return 'stop-thread';
      }
      case 'not-in-channel':
        return this.explainToRequester(thread, item, failure.detail);
      case 'permanent':
        // Without its parent the rest of the thread has nowhere to go, and the requester would wait forever.
        if (item.kind === 'parent') return this.explainToRequester(thread, item, failure.detail);
        counters?.dropped(failure.detail);
        logger?.error('slack refused a message; dropped', {
          thread,
          kind: item.kind,
          detail: failure.detail,
        });
        return 'drop-item';
    }
  }

  /**
   * Slack refused the thread for good (the bot is not in the channel, the channel is archived or gone, or the
   * parent itself was refused): nothing of this thread can be delivered there, so the requester is told why and
   * what to do, through the response_url (which works without membership), else, or when it has expired, a DM.
   */
  private async explainToRequester(thread: string, item: OutboxItem, detail: string): Promise<Outcome> {
    const { logger, counters } = this.options;
    counters?.dropped(detail);
    logger?.warn('slack refused the thread; telling the requester', {
      thread,
      channel: item.channel,
      kind: item.kind,
      detail,
    });
    if (item.kind === 'respond' || item.requester === undefined) return 'drop-thread';
    try {
      await this.tell(item.requester, undeliverableMessage(item.channel, detail));
    } catch (error) {
      const failure = classifySlackError(error);
      if (failure.kind === 'rate-limited' || failure.kind === 'unavailable')
        return this.onFailure(thread, item, failure);
      logger?.error('could not tell the requester either', { thread, detail: failure.kind });
    }
    return 'drop-thread';
  }

  /** The response_url first; a DM when there is none or Slack refuses it (it expires after 30 minutes). */
  private async tell(requester: Requester, notice: { text: string; blocks?: Block[] }): Promise<void> {
    const { transport } = this.options;
    if (requester.responseUrl) {
      try {
        await transport.respond(requester.responseUrl, { text: notice.text, blocks: notice.blocks });
        return;
      } catch (error) {
        if (classifySlackError(error).kind !== 'permanent') throw error;
      }
    }
    await transport.postMessage({ channel: requester.user, text: notice.text, blocks: notice.blocks });
  }
}

/**
 * What digests remember, in Redis: per channel and cluster the last successful digest (what the next one
 * compares with), the trend of the last digests, and when the last one ran; per cluster when each open finding
 * was first seen. All of it survives restarts and is shared by every replica.
 */
import type { Redis } from 'ioredis';
import { TREND_LENGTH, type PreviousDigest, type TrendPoint } from './digest-diff';

/** How long a tick's "already posted" mark is kept: longer than any retry of its job. */
const TICK_MARK_SECONDS = 24 * 3600;

export class DigestState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(kind: string, cluster: string, channel?: string): string {
    return `${this.prefix}:digest:${kind}:${cluster}${channel === undefined ? '' : `:${channel}`}`;
  }

  /**
   * Claims one tick of a schedule: true the first time, false when a job for the same tick already ran (a stalled
   * job run again), so a tick posts at most once.
   */
  async claimTick(tickId: string): Promise<boolean> {
    const set = await this.redis.set(
      `${this.prefix}:digest:tick:${tickId}`,
      '1',
      'EX',
      TICK_MARK_SECONDS,
      'NX',
    );
    return set === 'OK';
  }

  async previous(cluster: string, channel: string): Promise<PreviousDigest | undefined> {
    const text = await this.redis.get(this.key('last', cluster, channel));
    return text === null ? undefined : (JSON.parse(text) as PreviousDigest);
  }

  /** When the last digest (successful or not) ran, and whether its check failed. */
  async lastRun(cluster: string, channel: string): Promise<{ at: string; failed: boolean } | undefined> {
    const text = await this.redis.get(this.key('ran', cluster, channel));
    return text === null ? undefined : (JSON.parse(text) as { at: string; failed: boolean });
  }

  /** The trend, oldest first. */
  async trend(cluster: string, channel: string): Promise<TrendPoint[]> {
    const items = await this.redis.lrange(this.key('trend', cluster, channel), 0, TREND_LENGTH - 1);
    return items.map((s) => JSON.parse(s) as TrendPoint).reverse();
  }

  /**
   * First-seen times of `ids` in the cluster: ids not seen before are stamped `now`; ids no longer open are
   * forgotten, so a finding that comes back later counts from its return.
   */
  async firstSeen(cluster: string, ids: readonly string[], now: Date): Promise<Map<string, string>> {
    const key = this.key('first-seen', cluster);
    const stamp = now.toISOString();
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hsetnx(key, id, stamp);
    await pipeline.exec();
    const known = await this.redis.hgetall(key);
    const open = new Set(ids);
    const gone = Object.keys(known).filter((id) => !open.has(id));
    if (gone.length > 0) await this.redis.hdel(key, ...gone);
    return new Map(ids.map((id) => [id, known[id] ?? stamp]));
  }

  /** Records a successful digest: the next one compares with it. */
  async recordSuccess(cluster: string, channel: string, digest: PreviousDigest): Promise<void> {
    await this.redis
      .multi()
      .set(this.key('last', cluster, channel), JSON.stringify(digest))
      .set(this.key('ran', cluster, channel), JSON.stringify({ at: digest.at, failed: false }))
      .lpush(this.key('trend', cluster, channel), JSON.stringify({ at: digest.at, counts: digest.counts }))
      .ltrim(this.key('trend', cluster, channel), 0, TREND_LENGTH - 1)
      .exec();
  }

  /** Records a failed digest; the last successful one stays what the next compares with. */
  async recordFailure(cluster: string, channel: string, at: Date): Promise<void> {
    const iso = at.toISOString();
    await this.redis
      .multi()
      .set(this.key('ran', cluster, channel), JSON.stringify({ at: iso, failed: true }))
      .lpush(this.key('trend', cluster, channel), JSON.stringify({ at: iso }))
      .ltrim(this.key('trend', cluster, channel), 0, TREND_LENGTH - 1)
      .exec();
  }
}

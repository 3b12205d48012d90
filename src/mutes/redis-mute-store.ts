/**
 * Mutes in Redis. Per cluster one hash (`mutes:<cluster>`: mute id -> JSON), and one index hash (`mutes:index`:
 * mute id -> cluster) so `/metallb unmute m-…` needs no cluster. Expired mutes are kept for `retentionMs` (default
 * 30 days) after they expire, so a digest can still say they expired, and are pruned when the cluster is listed.
 */
import type { Redis } from 'ioredis';
import { muteActive } from '../drift/mutes';
import { AppError } from '../errors';
import { assertClusterName, assertMuteId, FINDING_ID, newMuteId } from './mute-ids';
import type { MuteStore, NewMute, StoredMute } from './mute-store';

const DAY_MS = 86_400_000;

export interface RedisMuteStoreOptions {
  redis: Redis;
  prefix: string;
  /** How long an expired mute is kept for digests. */
  retentionMs?: number;
  /** Ids are random; tests may fix them. */
  newId?: () => string;
}

const byCreation = (a: StoredMute, b: StoredMute): number =>
  a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt);

function parseStored(text: string): StoredMute | undefined {
  try {
    const value = JSON.parse(text) as StoredMute;
    return typeof value.id === 'string' && typeof value.cluster === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A stored mute from what `add` was given. */
function toStored(id: string, mute: NewMute, now: Date): StoredMute {
  const stored: StoredMute = {
    id,
    ...mute.target,
    reason: mute.reason,
    cluster: mute.cluster,
    createdBy: mute.createdBy,
    createdAt: now.toISOString(),
  };
  if (mute.channel !== undefined) stored.channel = mute.channel;
  if (mute.expires !== undefined) stored.expires = mute.expires;
  return stored;
}

function validateNew(mute: NewMute): void {
  assertClusterName(mute.cluster);
  if (mute.reason.trim() === '') throw new AppError('E_USAGE', 'a mute needs a reason');
  if ('findingId' in mute.target && !FINDING_ID.test(mute.target.findingId))
    throw new AppError('E_USAGE', 'a finding id is 16 hex characters');
  if (mute.expires !== undefined && Number.isNaN(Date.parse(mute.expires)))
    throw new AppError('E_USAGE', `"${mute.expires}" is not a time`);
}

export class RedisMuteStore implements MuteStore {
  private readonly retentionMs: number;

  constructor(private readonly options: RedisMuteStoreOptions) {
    this.retentionMs = options.retentionMs ?? 30 * DAY_MS;
  }

  private clusterKey(cluster: string): string {
    assertClusterName(cluster);
    return `${this.options.prefix}:mutes:${cluster}`;
  }

  private get indexKey(): string {
    return `${this.options.prefix}:mutes:index`;
  }

  async add(mute: NewMute, now: Date): Promise<StoredMute> {
    validateNew(mute);
    const key = this.clusterKey(mute.cluster);
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = (this.options.newId ?? newMuteId)();
      assertMuteId(id);
      // The index claims the id first: two mutes never share one, whatever their clusters.
      if ((await this.options.redis.hsetnx(this.indexKey, id, mute.cluster)) === 0) continue;
      const stored = toStored(id, mute, now);
      await this.options.redis.hset(key, id, JSON.stringify(stored));
      return stored;
    }
    throw new AppError('E_INTERNAL', 'could not find a free mute id');
  }

  async get(id: string): Promise<StoredMute | undefined> {
    assertMuteId(id);
    const cluster = await this.options.redis.hget(this.indexKey, id);
    if (cluster === null) return undefined;
    const text = await this.options.redis.hget(this.clusterKey(cluster), id);
    return text === null ? undefined : parseStored(text);
  }

  async remove(id: string): Promise<StoredMute | undefined> {
    const mute = await this.get(id);
    if (mute === undefined) return undefined;
    const [[, removed] = []] =
      (await this.options.redis
        .multi()
        .hdel(this.clusterKey(mute.cluster), id)
        .hdel(this.indexKey, id)
        .exec()) ?? [];
    // Another unmute of the same id won the race: report it as already gone.
    return removed === 1 ? mute : undefined;
  }

  async list(cluster: string): Promise<StoredMute[]> {
    const key = this.clusterKey(cluster);
    const all = Object.values(await this.options.redis.hgetall(key))
      .map(parseStored)
      .filter((m): m is StoredMute => m !== undefined);
    const pruneBefore = Date.now() - this.retentionMs;
    const stale = all.filter((m) => m.expires !== undefined && Date.parse(m.expires) < pruneBefore);
    if (stale.length > 0) {
      const ids = stale.map((m) => m.id);
      await this.options.redis
        .multi()
        .hdel(key, ...ids)
        .hdel(this.indexKey, ...ids)
        .exec();
    }
    return all.filter((m) => !stale.includes(m)).sort(byCreation);
  }

  async active(cluster: string, now: Date): Promise<StoredMute[]> {
    return (await this.list(cluster)).filter((m) => muteActive(m, now));
  }

  async expiredBetween(cluster: string, from: Date, to: Date): Promise<StoredMute[]> {
    return (await this.list(cluster)).filter((m) => {
      if (m.expires === undefined) return false;
      const at = Date.parse(m.expires);
      return at > from.getTime() && at <= to.getTime();
    });
  }
}

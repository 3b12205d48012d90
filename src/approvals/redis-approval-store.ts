/**
 * ApprovalStore on Redis. A record is a hash {version, record (JSON)} under `<prefix>:approval:<id>`; one Lua
 * script compares the version and writes the record and its indexes at once, so no reader ever sees a record
 * and indexes that disagree. Indexes: `approvals:open` (not final), `approvals:expiry` (requested, by expiry),
 * `approvals:recent` (bounded). Every key shares the `{prefix}` hash tag, so one script stays in one slot.
 */
import type { Redis } from 'ioredis';
import type { ApprovalStore } from './store';
import { APPROVAL_ID, checkId, isId } from './ids';
import { isFinal, type ApprovalRecord } from './state-machine';

const CAS = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'record', ARGV[3])
if ARGV[9] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[9]) else redis.call('PERSIST', KEYS[1]) end
if ARGV[5] == '1' then redis.call('ZADD', KEYS[2], ARGV[8], ARGV[4]) else redis.call('ZREM', KEYS[2], ARGV[4]) end
if ARGV[6] == '1' then redis.call('ZADD', KEYS[3], ARGV[7], ARGV[4]) else redis.call('ZREM', KEYS[3], ARGV[4]) end
redis.call('ZADD', KEYS[4], ARGV[8], ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -(tonumber(ARGV[10]) + 1))
return 1`;

export interface RedisApprovalStoreOptions {
  redis: Redis;
  prefix: string;
  /** How long a final record is kept for `/metallb jobs` and late clicks. */
  finalRetentionMs?: number;
  /** How many records `recent` can list. */
  recentLimit?: number;
}

export class RedisApprovalStore implements ApprovalStore {
  private readonly retentionMs: number;
  private readonly recentLimit: number;

  constructor(private readonly options: RedisApprovalStoreOptions) {
    this.retentionMs = options.finalRetentionMs ?? 30 * 86_400_000;
    this.recentLimit = options.recentLimit ?? 200;
  }

  private key(id: string): string {
    return `${this.options.prefix}:approval:${checkId('approval id', id, APPROVAL_ID)}`;
  }

  private index(name: 'open' | 'expiry' | 'recent'): string {
    return `${this.options.prefix}:approvals:${name}`;
  }

  create(record: ApprovalRecord): Promise<boolean> {
    return this.write(0, record);
  }

  compareAndSet(expectedVersion: number, next: ApprovalRecord): Promise<boolean> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 1) return Promise.resolve(false);
    return this.write(expectedVersion, next);
  }

  private async write(expected: number, record: ApprovalRecord): Promise<boolean> {
    const final = isFinal(record.state);
    const result = await this.options.redis.eval(
      CAS,
      4,
      this.key(record.id),
      this.index('open'),
      this.index('expiry'),
      this.index('recent'),
      String(expected),
      String(record.version),
      JSON.stringify(record),
      record.id,
      final ? '0' : '1',
      record.state === 'requested' ? '1' : '0',
      String(record.expiresAt),
      String(record.requestedAt),
      final ? String(this.retentionMs) : '0',
      String(this.recentLimit),
    );
    return result === 1;
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    if (!isId(id, APPROVAL_ID)) return undefined;
    const json = await this.options.redis.hget(this.key(id), 'record');
    return json === null ? undefined : (JSON.parse(json) as ApprovalRecord);
  }

  dueForExpiry(at: number, limit: number): Promise<string[]> {
    return this.options.redis.zrangebyscore(this.index('expiry'), '-inf', String(at), 'LIMIT', 0, limit);
  }

  async open(limit: number): Promise<ApprovalRecord[]> {
    return this.records(await this.options.redis.zrange(this.index('open'), '0', String(limit - 1)));
  }

  async recent(limit: number): Promise<ApprovalRecord[]> {
    return this.records(await this.options.redis.zrevrange(this.index('recent'), 0, limit - 1));
  }

  private async records(ids: string[]): Promise<ApprovalRecord[]> {
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((record): record is ApprovalRecord => record !== undefined);
  }
}

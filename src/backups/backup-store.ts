/**
 * Backups in Redis (issue 9, "Backups"): the rendered backup text (backup-format.ts makes it; here it is an
 * opaque string, returned byte for byte) with its id, time, cluster, requester and size. The newest
 * `retention` per cluster are kept; an older one survives while a fix that is not final pins it, because that
 * fix may still have to restore from it. Pinning and pruning are Lua scripts, so a prune never races a pin.
 *
 * Keys, under the `{prefix}` hash tag: `backup:<id>` (hash: text, meta), `backup:<id>:pins` (set of fix ids),
 * `backups:<cluster>` (sorted set of ids by time).
 */
import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { APPROVAL_ID, checkId, CLUSTER } from '../approvals/ids';
import { AppError } from '../errors';
import { BACKUP_ID, backupId, isBackupId } from '../fixes/backup-format';

export interface BackupMeta {
  id: string;
  cluster: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** Slack user id, or `cli:<user>`. */
  requestedBy: string;
  /** UTF-8 bytes of the text. */
  size: number;
}

export interface Backup {
  meta: BackupMeta;
  text: string;
}

const REQUESTER = /^([UW][A-Z0-9]{2,20}|cli:[A-Za-z0-9._@-]{1,64}|system)$/;

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'text', ARGV[1], 'meta', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if ARGV[5] ~= '' then redis.call('SADD', KEYS[1] .. ':pins', ARGV[5]) end
return 1`;

/** KEYS[1] = the cluster's index; ARGV[1] = key prefix, ARGV[2] = how many to keep. Returns the ids deleted. */
const PRUNE = `
local old = redis.call('ZREVRANGE', KEYS[1], tonumber(ARGV[2]), -1)
local deleted = {}
for _, id in ipairs(old) do
  local key = ARGV[1] .. ':backup:' .. id
  if redis.call('SCARD', key .. ':pins') == 0 then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], id)
    table.insert(deleted, id)
  end
end
return deleted`;

const PIN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1`;

/** A new backup id for a backup taken at `at`, with a cryptographic random suffix. */
export function newBackupId(at: Date): string {
  return backupId(at, () => randomInt(0x10000) / 0x10000);
}

export class BackupStore {
  constructor(
    private readonly options: {
      redis: Redis;
      prefix: string;
      /** BACKUP_RETENTION: backups kept per cluster. */
      retention: number;
    },
  ) {}

  private key(id: string): string {
    return `${this.options.prefix}:backup:${checkId('backup id', id, BACKUP_ID)}`;
  }

  private index(cluster: string): string {
    return `${this.options.prefix}:backups:${checkId('cluster', cluster, CLUSTER)}`;
  }

  /**
   * Stores a backup, then prunes the cluster's oldest beyond the retention. `id` is the id written in the backup's
   * own header (fixes/backup-format.ts), so the file and the store agree; without it a new id is drawn. A fix
   * passes its id as `pinnedBy`, so its backup is pinned from the moment it exists.
   */
  async save(input: {
    id?: string;
    cluster: string;
    requestedBy: string;
    text: string;
    at: Date;
    pinnedBy?: string;
  }): Promise<BackupMeta> {
    checkId('requester', input.requestedBy, REQUESTER);
    if (input.pinnedBy !== undefined) checkId('fix id', input.pinnedBy, APPROVAL_ID);
    if (input.id !== undefined) checkId('backup id', input.id, BACKUP_ID);
    const attempts = input.id === undefined ? 5 : 1;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const meta: BackupMeta = {
        id: input.id ?? newBackupId(input.at),
        cluster: input.cluster,
        createdAt: input.at.toISOString(),
        requestedBy: input.requestedBy,
        size: Buffer.byteLength(input.text, 'utf8'),
      };
      const created = await this.options.redis.eval(
        CREATE,
        2,
        this.key(meta.id),
        this.index(meta.cluster),
        input.text,
        JSON.stringify(meta),
        String(input.at.getTime()),
        meta.id,
        input.pinnedBy ?? '',
      );
      if (created === 1) {
        await this.prune(meta.cluster);
        return meta;
      }
    }
    throw new AppError(
      'E_INTERNAL',
      input.id === undefined ? 'could not allocate a free backup id' : `backup ${input.id} already exists`,
    );
  }

  async get(id: string): Promise<Backup | undefined> {
    if (!isBackupId(id)) return undefined;
    const [text = null, meta = null] = await this.options.redis.hmget(this.key(id), 'text', 'meta');
    if (text === null || meta === null) return undefined;
    return { text, meta: JSON.parse(meta) as BackupMeta };
  }

  /** The cluster's backups, newest first. */
  async list(cluster: string, limit = 50): Promise<BackupMeta[]> {
    const ids = await this.options.redis.zrevrange(this.index(cluster), 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.options.redis.pipeline();
    for (const id of ids) pipeline.hget(this.key(id), 'meta');
    const rows = (await pipeline.exec()) ?? [];
    return rows.flatMap(([error, meta]) =>
      error === null && typeof meta === 'string' ? [JSON.parse(meta) as BackupMeta] : [],
    );
  }

  /** Keeps the backup while `fixId` is unfinished; false when the backup is gone. */
  async pin(id: string, fixId: string): Promise<boolean> {
    checkId('fix id', fixId, APPROVAL_ID);
    const key = this.key(id);
    return (await this.options.redis.eval(PIN, 2, key, `${key}:pins`, fixId)) === 1;
  }

  /** The fix is final: the backup is an ordinary one again, pruned when it falls out of the retention. */
  async unpin(id: string, fixId: string): Promise<void> {
    checkId('fix id', fixId, APPROVAL_ID);
    const key = this.key(id);
    await this.options.redis.srem(`${key}:pins`, fixId);
    const meta = await this.options.redis.hget(key, 'meta');
    if (meta !== null) await this.prune((JSON.parse(meta) as BackupMeta).cluster);
  }

  async pins(id: string): Promise<string[]> {
    return (await this.options.redis.smembers(`${this.key(id)}:pins`)).sort();
  }

  /** Deletes the cluster's backups beyond the newest `retention` that no fix pins; returns their ids. */
  async prune(cluster: string): Promise<string[]> {
    const deleted = await this.options.redis.eval(
      PRUNE,
      1,
      this.index(cluster),
      this.options.prefix,
      String(this.options.retention),
    );
    return Array.isArray(deleted) ? deleted.map(String) : [];
  }
}

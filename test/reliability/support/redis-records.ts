/**
 * What a Redis holds under a prefix, read with SCAN and dumped key by key (type, value, remaining time to live),
 * so a test can compare the records before and after a fault instead of assuming nothing was lost.
 */
import { Redis } from 'ioredis';

export interface KeyRecord {
  type: string;
  /** string: the text; list: the items; hash: field -> value; set: sorted members; zset: [member, score][]. */
  value: unknown;
  /** Milliseconds left, -1 without expiry. */
  pttl: number;
}

/** Opens a connection, dumps every key matching `pattern`, and closes it. */
export async function dumpKeys(url: string, pattern: string): Promise<Map<string, KeyRecord>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    const records = new Map<string, KeyRecord>();
    for (const key of keys.sort()) {
      const type = await redis.type(key);
      const pttl = await redis.pttl(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'set') value = (await redis.smembers(key)).sort();
      else if (type === 'zset') {
        const flat = await redis.zrange(key, '0', '-1', 'WITHSCORES');
        const pairs: [string, string][] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1] as string]);
        value = pairs;
      } else if (type === 'stream') value = await redis.xlen(key);
      else if (type === 'none') continue;
      records.set(key, { type, value, pttl });
    }
    return records;
  } finally {
    redis.disconnect();
  }
}

/** The records whose key (without the prefix) matches `pattern`. */
export function pick(records: Map<string, KeyRecord>, pattern: RegExp): Map<string, KeyRecord> {
  return new Map([...records].filter(([key]) => pattern.test(key)));
}

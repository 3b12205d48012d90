import type { Redis } from 'ioredis';
import { BackupStore } from '../../../src/backups/backup-store';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('backups');
const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
let redis: Redis;

const store = (retention = 3): BackupStore => new BackupStore({ redis, prefix, retention });
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

async function saveMany(s: BackupStore, cluster: string, count: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const meta = await s.save({ cluster, requestedBy: 'U0ALICE', text: `# backup ${i}\n`, at: at(from + i) });
    ids.push(meta.id);
  }
  return ids;
}

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

describe('backup store', () => {
  it('returns the stored text byte for byte, with its metadata', async () => {
    const text = [
      '# metallb-chatops backup v1',
      '# id: (set by the store)   trailing spaces   ',
      'apiVersion: metallb.io/v1beta1\r',
      'kind: IPAddressPool',
      'metadata: {name: "prod-ü-池-🚀"}',
      '\t# tab, NUL-free, and a final line without newline',
    ].join('\n');
    const big = `${text}\n${'x: 1\n'.repeat(200_000)}`;
    for (const body of [text, big, '']) {
      const meta = await store(100).save({ cluster: 'bytes', requestedBy: 'cli:ops', text: body, at: at(0) });
      expect(meta).toMatchObject({
        cluster: 'bytes',
        requestedBy: 'cli:ops',
        createdAt: '2025-01-15T09:00:00.000Z',
        size: Buffer.byteLength(body, 'utf8'),
      });
      expect(meta.id).toMatch(/^b-20250115-090000-[0-9a-f]{4}$/);
      const got = await store(100).get(meta.id);
      expect(got?.meta).toEqual(meta);
      expect(Buffer.from(got?.text ?? 'missing', 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
    }
  });

  it('stores a backup under the id of its own header, once', async () => {
    const input = {
      id: 'b-20250115-090000-beef',
      cluster: 'own-id',
      requestedBy: 'cli:ops',
      text: 'x',
      at: at(0),
    };
    const meta = await store(100).save(input);
    expect(meta.id).toBe('b-20250115-090000-beef');
    expect((await store(100).get(meta.id))?.text).toBe('x');
    await expect(store(100).save(input)).rejects.toThrow('backup b-20250115-090000-beef already exists');
    await expect(store(100).save({ ...input, id: 'b-../../etc' })).rejects.toThrow(/backup id/);
  });

  it('lists a cluster newest first and keeps only the newest BACKUP_RETENTION', async () => {
    const s = store(3);
    const ids = await saveMany(s, 'keep', 5);
    await saveMany(s, 'other', 2);
    const listed = await s.list('keep');
    expect(listed.map((m) => m.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(listed.map((m) => m.createdAt)).toEqual([at(4), at(3), at(2)].map((d) => d.toISOString()));
    expect(await s.get(ids[0] as string)).toBeUndefined();
    expect(await s.get(ids[1] as string)).toBeUndefined();
    expect(await s.list('other')).toHaveLength(2);
  });

  it('never prunes a backup a fix still refers to, and prunes it once the fix lets go', async () => {
    const s = store(2);
    const [oldest] = await saveMany(s, 'pinned', 1);
    expect(await s.pin(oldest as string, 'f-00000000000000aa')).toBe(true);
    expect(await s.pin(oldest as string, 'f-00000000000000bb')).toBe(true);
    const newer = await saveMany(s, 'pinned', 4, 1);
    expect((await s.list('pinned')).map((m) => m.id)).toEqual([newer[3], newer[2], oldest]);
    expect(await s.pins(oldest as string)).toEqual(['f-00000000000000aa', 'f-00000000000000bb']);

    await s.unpin(oldest as string, 'f-00000000000000aa');
    expect(await s.get(oldest as string)).toBeDefined();
    await s.unpin(oldest as string, 'f-00000000000000bb');
    expect(await s.get(oldest as string)).toBeUndefined();
    expect((await s.list('pinned')).map((m) => m.id)).toEqual([newer[3], newer[2]]);
    expect(await redis.exists(`${prefix}:backup:${oldest}:pins`)).toBe(0);
  });

  it('a fix pins its backup as it is saved, so even retention 1 cannot prune it', async () => {
    const s = store(1);
    const mine = await s.save({
      cluster: 'saved-pinned',
      requestedBy: 'U0ALICE',
      text: 'mine',
      at: at(0),
      pinnedBy: 'f-00000000000000dd',
    });
    await saveMany(s, 'saved-pinned', 3, 1);
    expect(await s.get(mine.id)).toMatchObject({ text: 'mine' });
    expect(await s.pins(mine.id)).toEqual(['f-00000000000000dd']);
    expect(await s.list('saved-pinned')).toHaveLength(2);
  });

  it('cannot pin a backup that is gone', async () => {
    expect(await store().pin('b-20000101-000000-ffff', 'f-00000000000000aa')).toBe(false);
    expect(await redis.exists(`${prefix}:backup:b-20000101-000000-ffff:pins`)).toBe(0);
  });

  it('a pin racing the prune of the same backup either keeps it or is told it is gone', async () => {
    for (let round = 0; round < 10; round += 1) {
      const cluster = `race-${round}`;
      const s = store(1);
      const [first] = await saveMany(s, cluster, 1);
      const other = connect();
      const [pinned] = await Promise.all([
        new BackupStore({ redis: other, prefix, retention: 1 }).pin(first as string, 'f-00000000000000cc'),
        s.save({ cluster, requestedBy: 'U0ALICE', text: 'newer', at: at(10) }),
      ]);
      await other.quit();
      expect((await s.get(first as string)) !== undefined).toBe(pinned);
    }
  });

  it.each([
    ['a malformed id', () => store().get('b-2025*')],
    ['an id with a key separator', () => store().get('b-20250115-090000-ab12:pins')],
  ])('answers nothing for %s', async (_title, call) => {
    await expect(call()).resolves.toBeUndefined();
  });

  it.each([
    ['cluster', { cluster: 'prod:*', requestedBy: 'U0ALICE' }],
    ['requester', { cluster: 'prod', requestedBy: 'U0ALICE}' }],
  ])('refuses a malformed %s before it reaches a key', async (_title, input) => {
    const before = (await redis.keys(`${prefix}*`)).length;
    await expect(store().save({ ...input, text: 'x', at: at(0) })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(store().list('prod:*')).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(store().pin('b-20250115-090000-ab12', 'f-1:*')).rejects.toMatchObject({ code: 'E_USAGE' });
    expect((await redis.keys(`${prefix}*`)).length).toBe(before);
  });
});

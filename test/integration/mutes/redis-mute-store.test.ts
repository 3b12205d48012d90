import type { Redis } from 'ioredis';
import { RedisMuteStore } from '../../../src/mutes/redis-mute-store';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('mute-store');
let redis: Redis;
let store: RedisMuteStore;

const T0 = new Date('2026-11-30T10:00:00Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const ID = '0123456789abcdef';

beforeAll(() => {
  redis = connect();
  store = new RedisMuteStore({ redis, prefix });
});

afterEach(() => cleanup(redis, prefix));

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

describe('RedisMuteStore', () => {
  it('adds a mute with a fresh id and provenance, and lists it per cluster', async () => {
    const mute = await store.add(
      { cluster: 'prod', target: { findingId: ID }, reason: 'known', createdBy: 'U0ALICE', channel: 'C0OPS' },
      T0,
    );
    expect(mute.id).toMatch(/^m-[0-9a-f]{8}$/);
    expect(mute).toEqual({
      id: mute.id,
      findingId: ID,
      reason: 'known',
      cluster: 'prod',
      createdBy: 'U0ALICE',
      createdAt: T0.toISOString(),
      channel: 'C0OPS',
    });
    expect(await store.list('prod')).toEqual([mute]);
    expect(await store.list('lab')).toEqual([]);
    expect(await store.get(mute.id)).toEqual(mute);
  });

  it('keeps expired mutes for digests but not among the active ones', async () => {
    const short = await store.add(
      {
        cluster: 'prod',
        target: { code: 'POOL_NOT_ADVERTISED', kind: '*', namespace: 'metallb-system', name: 'staging' },
        reason: 'migration',
        createdBy: 'U0ALICE',
        expires: at(60).toISOString(),
      },
      T0,
    );
    const forever = await store.add(
      { cluster: 'prod', target: { findingId: ID }, reason: 'r', createdBy: 'U0BOB' },
      at(1),
    );
    expect((await store.active('prod', at(59))).map((m) => m.id)).toEqual([short.id, forever.id]);
    expect((await store.active('prod', at(60))).map((m) => m.id)).toEqual([forever.id]);
    expect((await store.list('prod')).map((m) => m.id)).toEqual([short.id, forever.id]);
    expect((await store.expiredBetween('prod', at(30), at(90))).map((m) => m.id)).toEqual([short.id]);
    expect(await store.expiredBetween('prod', at(60), at(90))).toEqual([]);
    expect(await store.expiredBetween('lab', at(0), at(90))).toEqual([]);
  });

  it('prunes mutes expired longer than the retention', async () => {
    const brief = new RedisMuteStore({ redis, prefix, retentionMs: 1000 });
    const old = await brief.add(
      {
        cluster: 'prod',
        target: { findingId: ID },
        reason: 'r',
        createdBy: 'U0A',
        expires: '2020-01-01T00:00:00Z',
      },
      T0,
    );
    expect(await brief.list('prod')).toEqual([]);
    expect(await brief.get(old.id)).toBeUndefined();
  });

  it('removes by id whatever the cluster, once', async () => {
    const mute = await store.add(
      { cluster: 'lab', target: { findingId: ID }, reason: 'r', createdBy: 'U0A' },
      T0,
    );
    const [first, second] = await Promise.all([store.remove(mute.id), store.remove(mute.id)]);
    expect([first, second].filter((m) => m !== undefined)).toEqual([mute]);
    expect(await store.list('lab')).toEqual([]);
    expect(await store.remove('m-00000000')).toBeUndefined();
  });

  it('never lets two mutes share an id', async () => {
    const ids = ['m-00000001', 'm-00000001', 'm-00000002'];
    const fixed = new RedisMuteStore({ redis, prefix, newId: () => ids.shift() ?? 'm-ffffffff' });
    const a = await fixed.add(
      { cluster: 'prod', target: { findingId: ID }, reason: 'r', createdBy: 'U0A' },
      T0,
    );
    const b = await fixed.add(
      { cluster: 'lab', target: { findingId: ID }, reason: 'r', createdBy: 'U0A' },
      T0,
    );
    expect([a.id, b.id]).toEqual(['m-00000001', 'm-00000002']);
  });

  it.each([
    ['a cluster name that could reach another key', () => store.list('prod:*')],
    ['a cluster name with a brace', () => store.active('{x}', T0)],
    ['a mute id that is a pattern', () => store.get('m-*')],
    ['a mute id of another shape', () => store.remove('../index')],
    [
      'an empty reason',
      () => store.add({ cluster: 'prod', target: { findingId: ID }, reason: ' ', createdBy: 'U' }, T0),
    ],
    [
      'a bad finding id',
      () => store.add({ cluster: 'prod', target: { findingId: 'zz' }, reason: 'r', createdBy: 'U' }, T0),
    ],
  ])('refuses %s before touching Redis', async (_what, call) => {
    await expect(call()).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });
});

/** The sweep's lock in real Redis: one sweep of a fix at a time, across processes, kept while the sweep runs. */
import { redisSweepLock } from '../../../src/jobs/fix-sweep';
import { cleanup, connect, testPrefix } from '../../support/redis';

const redis = connect();
const other = connect();
const prefix = testPrefix('sweep-lock');
const FIX = 'f-00000000000000cc';

afterAll(async () => {
  await cleanup(redis, prefix);
  await Promise.all([redis.quit(), other.quit()]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('is held by one process at a time, and free again once released', async () => {
  const mine = redisSweepLock(redis, prefix);
  const theirs = redisSweepLock(other, prefix);
  const release = await mine(FIX, 5000);
  expect(release).toBeDefined();
  expect(await theirs(FIX, 5000)).toBeUndefined();
  expect(await theirs('f-00000000000000dd', 5000)).toBeDefined();
  await release?.();
  const next = await theirs(FIX, 5000);
  expect(next).toBeDefined();
  // A release by a process whose lock expired does not free the lock another process took since.
  await release?.();
  expect(await mine(FIX, 5000)).toBeUndefined();
  await next?.();
});

it('is renewed while held, and expires by itself when its process is gone', async () => {
  const lock = redisSweepLock(redis, prefix);
  const release = await lock('f-00000000000000ee', 600);
  await sleep(1500);
  expect(await redisSweepLock(other, prefix)('f-00000000000000ee', 600)).toBeUndefined();
  await release?.();
  // A lock nobody renews (the key as a dead process leaves it) is free after its TTL.
  await redis.set(`${prefix}:fix:sweep-lock:f-00000000000000ff`, 'dead', 'PX', 300);
  expect(await lock('f-00000000000000ff', 600)).toBeUndefined();
  await sleep(500);
  const taken = await lock('f-00000000000000ff', 600);
  expect(taken).toBeDefined();
  await taken?.();
});

it('refuses a fix id that is not one', async () => {
  await expect(redisSweepLock(redis, prefix)('f-1} *', 1000)).rejects.toThrow();
});

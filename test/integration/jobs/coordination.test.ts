import { ClusterLimiter } from '../../../src/jobs/cluster-limiter';
import { SingleFlight } from '../../../src/jobs/single-flight';
import { cleanup, connect, testPrefix } from '../../support/redis';

const redis = connect();
const prefix = testPrefix('coordination');

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SingleFlight', () => {
  it('lets concurrent callers of one key share one computation', async () => {
    const flight = new SingleFlight({ redis, prefix, windowMs: 5000, computeTimeoutMs: 5000, pollMs: 20 });
    let computed = 0;
    const compute = async () => {
      computed++;
      await sleep(150);
      return { snapshot: computed };
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => flight.run('cluster-a', compute)));
    expect(computed).toBe(1);
    expect(results.map((r) => r.value)).toEqual(Array(5).fill({ snapshot: 1 }));
    expect(results.filter((r) => !r.shared)).toHaveLength(1);
  });

  it('shares across separate instances, as workers in other processes would', async () => {
    const other = connect();
    const a = new SingleFlight({ redis, prefix, windowMs: 5000, computeTimeoutMs: 5000, pollMs: 20 });
    const b = new SingleFlight({ redis: other, prefix, windowMs: 5000, computeTimeoutMs: 5000, pollMs: 20 });
    let computed = 0;
    const compute = async () => {
      computed++;
      await sleep(100);
      return computed;
    };
    const [x, y] = await Promise.all([a.run('cluster-b', compute), b.run('cluster-b', compute)]);
    await other.quit();
    expect(computed).toBe(1);
    expect(x.value).toBe(1);
    expect(y.value).toBe(1);
  });

  it('computes again once the window has passed', async () => {
    const flight = new SingleFlight({ redis, prefix, windowMs: 100, computeTimeoutMs: 5000, pollMs: 20 });
    let computed = 0;
    await flight.run('cluster-c', () => Promise.resolve(++computed));
    await sleep(150);
    const second = await flight.run('cluster-c', () => Promise.resolve(++computed));
    expect(second).toEqual({ value: 2, shared: false });
  });

  it('does not share when the window is 0', async () => {
    const flight = new SingleFlight({ redis, prefix, windowMs: 0, computeTimeoutMs: 5000 });
    let computed = 0;
    await Promise.all([
      flight.run('cluster-d', () => Promise.resolve(++computed)),
      flight.run('cluster-d', () => Promise.resolve(++computed)),
    ]);
    expect(computed).toBe(2);
  });

  it('lets a waiter compute when the first caller fails', async () => {
    const flight = new SingleFlight({ redis, prefix, windowMs: 5000, computeTimeoutMs: 5000, pollMs: 20 });
    const failing = flight.run('cluster-e', async () => {
      await sleep(50);
      throw new Error('api server down');
    });
    await sleep(10);
    const waiting = flight.run('cluster-e', () => Promise.resolve('second try'));
    await expect(failing).rejects.toThrow('api server down');
    await expect(waiting).resolves.toEqual({ value: 'second try', shared: false });
  });
});

describe('SingleFlight with a fresh read', () => {
  const flight = () =>
    new SingleFlight({ redis, prefix, windowMs: 5000, computeTimeoutMs: 5000, pollMs: 10 });

  it('never takes a result whose computation began before the call, and shares its own with later callers', async () => {
    const sf = flight();
    const older = sf.run('fresh-a', async () => {
      await sleep(200);
      return 'before the change';
    });
    await sleep(50);
    const joined = sf.run('fresh-a', () => Promise.resolve('unused'));
    const fresh = sf.run('fresh-a', () => Promise.resolve('after the change'), { fresh: true });
    await expect(older).resolves.toEqual({ value: 'before the change', shared: false });
    await expect(joined).resolves.toEqual({ value: 'before the change', shared: true });
    await expect(fresh).resolves.toEqual({ value: 'after the change', shared: false });
    await expect(sf.run('fresh-a', () => Promise.resolve('unused'))).resolves.toEqual({
      value: 'after the change',
      shared: true,
    });
  });

  it('reads again rather than take a result still inside the window', async () => {
    const sf = flight();
    let computed = 0;
    await sf.run('fresh-b', () => Promise.resolve(++computed));
    await expect(sf.run('fresh-b', () => Promise.resolve(++computed))).resolves.toEqual({
      value: 1,
      shared: true,
    });
    await expect(sf.run('fresh-b', () => Promise.resolve(++computed), { fresh: true })).resolves.toEqual({
      value: 2,
      shared: false,
    });
  });

  it('lets fresh callers of the same moment share one read that began after them', async () => {
    const sf = flight();
    let computed = 0;
    const compute = async () => {
      computed++;
      await sleep(100);
      return computed;
    };
    const results = await Promise.all([1, 2, 3].map(() => sf.run('fresh-c', compute, { fresh: true })));
    expect(computed).toBe(1);
    expect(results.filter((r) => r.shared)).toHaveLength(2);
  });
});

describe('ClusterLimiter', () => {
  it('runs at most `limit` holders of one cluster at once', async () => {
    const limiter = new ClusterLimiter({ redis, prefix, limit: 2, pollMs: 10 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const release = await limiter.acquire('prod', 5000);
        running++;
        peak = Math.max(peak, running);
        await sleep(40);
        running--;
        await release();
      }),
    );
    expect(peak).toBe(2);
    expect(await limiter.inUse('prod')).toBe(0);
  });

  it("keeps a long-running holder's slot while it renews its lease", async () => {
    const limiter = new ClusterLimiter({ redis, prefix, limit: 1, leaseMs: 90, pollMs: 10 });
    const release = await limiter.acquire('long', 1000);
    await sleep(300); // more than three leases
    await expect(limiter.acquire('long', 50)).rejects.toThrow('no check slot for cluster long');
    await release();
  });

  it('keeps clusters independent', async () => {
    const limiter = new ClusterLimiter({ redis, prefix, limit: 1, pollMs: 10 });
    const a = await limiter.acquire('a', 1000);
    const b = await limiter.acquire('b', 1000);
    await expect(limiter.acquire('a', 100)).rejects.toThrow('no check slot for cluster a');
    await a();
    await b();
  });

  it('frees the slot of a holder that died once its lease runs out', async () => {
    const limiter = new ClusterLimiter({ redis, prefix, limit: 1, leaseMs: 150, pollMs: 10 });
    // A worker that died holding the only slot: its entry stays until its lease ends, nobody renews it.
    await redis.zadd(`${prefix}:limit:dead`, Date.now() + 150, 'dead-worker');
    const started = Date.now();
    const release = await limiter.acquire('dead', 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await release();
  });
});

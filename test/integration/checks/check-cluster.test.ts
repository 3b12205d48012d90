import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterChecker, type CheckCluster } from '../../../src/checks/check-cluster';
import type { Mute, Report } from '../../../src/drift/model';
import { AppError } from '../../../src/errors';
import { ClusterLimiter } from '../../../src/jobs/cluster-limiter';
import { SingleFlight } from '../../../src/jobs/single-flight';
import { connectMetalLbCluster } from '../../../src/kubernetes';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { metallbCluster, service } from '../kubernetes/cluster-fixture';

const now = new Date();
const redis = connect();
const prefix = testPrefix('check-cluster');
let standIn: KubeStandIn;
let dir: string;
let limiter: ClusterLimiter;
let check: CheckCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'check-cluster-'));
  const kubeconfig = join(dir, 'kubeconfig');
  standIn = await startKubeStandIn({ snapshot: metallbCluster(now) });
  await standIn.writeKubeconfig(kubeconfig);
  limiter = new ClusterLimiter({ redis, prefix, limit: 2 });
  check = clusterChecker({
    clusters: new Map([['prod', connectMetalLbCluster({ kubeconfig })]]),
    singleFlight: new SingleFlight({ redis, prefix, windowMs: 10_000, computeTimeoutMs: 10_000, pollMs: 10 }),
    limiter,
    now: () => now,
  });
});

afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
  await cleanup(redis, prefix);
  await redis.quit();
});

const serviceLists = (): number =>
  standIn.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/services').length;

describe('mutes and the single flight', () => {
  it('mutes a shared report with the mutes in force when it is handed out, and records the unmuted one once', async () => {
    let mutes: Mute[] = [];
    const recorded: Report[] = [];
    const muting = clusterChecker({
      clusters: new Map([['prod', connectMetalLbCluster({ kubeconfig: join(dir, 'kubeconfig') })]]),
      singleFlight: new SingleFlight({
        redis,
        prefix: `${prefix}-m`,
        windowMs: 10_000,
        computeTimeoutMs: 10_000,
        pollMs: 10,
      }),
      limiter,
      now: () => now,
      mutesFor: () => Promise.resolve(mutes),
      recordUnmuted: (_cluster, report) => {
        recorded.push(report);
        return Promise.resolve();
      },
    });
    const first = await muting('prod');
    const target = first.report.findings[0];
    expect(target).toBeDefined();
    mutes = [{ id: 'm-0a1b2c3d', findingId: target!.id, reason: 'accepted' }];
    const second = await muting('prod');
    expect(second.shared).toBe(true);
    expect(second.report.findings.map((f) => f.id)).not.toContain(target!.id);
    expect(second.report.summary.muted).toBe(first.report.summary.muted + 1);
    mutes = [];
    const third = await muting('prod');
    expect(third.shared).toBe(true);
    expect(third.report).toEqual(first.report);
    expect(recorded).toEqual([first.report]);
  });
});

describe('checking a cluster', () => {
  it('reads the cluster once for concurrent checks and gives each the same report', async () => {
    const before = serviceLists();
    const [a, b] = await Promise.all([check('prod'), check('prod')]);
    expect(serviceLists() - before).toBe(1);
    expect([a.shared, b.shared].sort()).toEqual([false, true]);
    expect(b.report).toEqual(a.report);
    expect(a.report.summary.services).toBeGreaterThan(0);
    expect(await limiter.inUse('prod')).toBe(0);
  });

  it('reads again for a fresh check, and sees a change made after the last read', async () => {
    await check('prod');
    const port = connectMetalLbCluster({ kubeconfig: join(dir, 'kubeconfig') });
    await port.createObject(service('shop', 'added-after-read', '203.0.113.77'));
    const shared = await check('prod');
    const fresh = await check('prod', { fresh: true });
    expect(shared.shared).toBe(true);
    expect(fresh.shared).toBe(false);
    expect(fresh.report.summary.services).toBe(shared.report.summary.services + 1);
  });

  it('refuses a cluster that is not configured, with E_USAGE, taking no slot', async () => {
    const error = await check('staging').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('E_USAGE');
    expect(await limiter.inUse('staging')).toBe(0);
  });
});

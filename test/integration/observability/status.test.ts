import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSetting } from '../../../src/config';
import { connectMetalLbCluster } from '../../../src/kubernetes';
import { LastCheckStore } from '../../../src/observability/last-check';
import { gatherStatus } from '../../../src/observability/status';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { sampleReport } from '../../unit/report/sample-report';
import { metallbCluster } from '../kubernetes/cluster-fixture';

const redis = connect();
const prefix = testPrefix('status');
let standIn: KubeStandIn;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'status-'));
  standIn = await startKubeStandIn({ snapshot: metallbCluster(new Date()) });
  await standIn.writeKubeconfig(join(dir, 'kubeconfig'));
});

afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
  await cleanup(redis, prefix);
  await redis.quit();
});

const setting = (name: string, context?: string): ClusterSetting => ({
  name,
  context,
  channelIds: [],
  channelNames: [],
});

describe('gathering /metallb status', () => {
  it('probes each configured cluster in order and shows its last check', async () => {
    const lastChecks = new LastCheckStore(redis, prefix);
    await lastChecks.record('prod', sampleReport());
    const status = await gatherStatus({
      clusters: [setting('prod', 'stand-in'), setting('lab')],
      ports: new Map([
        ['prod', connectMetalLbCluster({ kubeconfig: join(dir, 'kubeconfig') })],
        ['lab', connectMetalLbCluster({ kubeconfig: join(dir, 'missing-kubeconfig') })],
      ]),
      lastChecks,
      redis,
      queueCounts: () => Promise.resolve({ waiting: 1, active: 0, delayed: 0, failed: 0 }),
      outboxBacklog: () => Promise.reject(new Error('redis went away')),
    });
    expect(status.clusters.map((c) => [c.name, c.reachable])).toEqual([
      ['prod', true],
      ['lab', false],
    ]);
    expect(status.clusters[0]).toMatchObject({
      context: 'stand-in',
      kubernetesVersion: 'v1.30.0-stand-in',
      metallbVersion: '0.14.9',
      lastCheck: { at: '2026-11-26T12:00:00.000Z', critical: 1, warning: 1, info: 1 },
    });
    expect(status.clusters[1]?.problem).toMatch(/^E_KUBECONFIG: /);
    expect(status.clusters[1]?.lastCheck).toBeUndefined();
    expect(status.redis.ok).toBe(true);
    expect(status.queue.waiting).toBe(1);
    expect(status.outboxBacklog).toBe(-1);
  });
});

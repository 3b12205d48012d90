/**
 * reapply-config on the MetalLB simulation with 1,000 services in 50 pools (issue 9, "Benchmark"): the runner's
 * own time excluding the waits on MetalLB (target < 30 s), the API requests it sent, and the longest time any
 * service was without its address (sampled from the stand-in's objects).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeObject, Snapshot } from '../src/drift/model';
import type { Backup } from '../src/fixes/backup-format';
import { buildPlan } from '../src/fixes/build-plan';
import { fixRunner, type FixCheckpoint } from '../src/fix-runner';
import { connectMetalLbCluster } from '../src/kubernetes';
import { startKubeStandIn } from '../tools/kube-stand-in';
import { round } from './measure';

const NS = 'metallb-system';

export interface FixBenchResult {
  services: number;
  pools: number;
  simulateDelayMs: number;
  outcome: string;
  totalMs: number;
  waitedMs: number;
  ownMs: number;
  apiRequests: number;
  longestWithoutAddressMs: number;
  samplingMs: number;
}

function seed(services: number, pools: number): Snapshot {
  const labels = { app: 'metallb', component: 'controller' };
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'controller', namespace: NS, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'controller', image: 'quay.io/metallb/controller:v0.14.9' }] },
        },
      },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'all', namespace: NS },
      spec: {},
    },
  ];
  const perPool = Math.ceil(services / pools);
  for (let p = 0; p < pools; p += 1) {
    objects.push({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: `pool-${p}`, namespace: NS },
      spec: { addresses: [`10.${p}.0.0/24`] },
    });
    for (let i = 0; i < perPool && p * perPool + i < services; i += 1) {
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${p}-${i}`, namespace: 'apps' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
        // The last addresses of the pool: a fresh allocation would not give them back.
        status: { loadBalancer: { ingress: [{ ip: `10.${p}.0.${250 - i}` }] } },
      });
    }
  }
  return { objects, logs: [], metrics: [], notes: [], source: 'bench' };
}

export async function runFixBench(options: {
  services: number;
  pools: number;
  delayMs: number;
}): Promise<FixBenchResult> {
  const standIn = await startKubeStandIn({
    snapshot: seed(options.services, options.pools),
    simulateMetallb: '0.14.9',
    simulateDelayMs: options.delayMs,
  });
  const kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'fix-bench-')), 'kubeconfig');
  await standIn.writeKubeconfig(kubeconfig);
  const cluster = connectMetalLbCluster({ kubeconfig, concurrency: 16 });
  const lost = new Map<string, number>();
  let longest = 0;
  const samplingMs = 50;
  const sampler = setInterval(() => {
    const now = Date.now();
    for (const s of standIn.objects('Service')) {
      const key = String(s.metadata?.name);
      const has =
        ((s.status as { loadBalancer?: { ingress?: unknown[] } }).loadBalancer?.ingress ?? []).length > 0;
      const since = lost.get(key);
      if (!has && since === undefined) lost.set(key, now);
      if (has && since !== undefined) {
        longest = Math.max(longest, now - since);
        lost.delete(key);
      }
    }
  }, samplingMs);
  try {
    const requestsBefore = standIn.requests.length;
    const started = Date.now();
    let waited = 0;
    const rebuild = async () => {
      const now = new Date();
      return buildPlan({
        fix: 'reapply-config',
        cluster: 'bench',
        snapshot: await cluster.readSnapshot({ now }),
        now,
        targets: [],
      });
    };
    const outcome = await rebuild();
    if (outcome.kind !== 'plan') throw new Error(`no plan: ${outcome.kind}`);
    let checkpoint: FixCheckpoint | undefined;
    const backups = new Map<string, Backup>();
    const result = await fixRunner.runFix({
      fixId: 'f-00000000000be0c4',
      plan: outcome.plan,
      cluster,
      clusterName: 'bench',
      requestedBy: 'cli:bench',
      rebuildPlan: rebuild,
      checkpoints: {
        load: () => Promise.resolve(checkpoint),
        save: (cp) => {
          checkpoint = cp;
          return Promise.resolve();
        },
      },
      backups: {
        save: (b) => {
          backups.set(b.id, b);
          return Promise.resolve();
        },
        load: (id) => Promise.resolve(backups.get(id)),
      },
      lease: { whenHeld: () => Promise.resolve('refuse'), waitTimeoutMs: 0 },
      settleTimeoutMs: 60_000,
      pollIntervalMs: 50,
      onWait: (ms) => (waited += ms),
    });
    const totalMs = Date.now() - started;
    for (const since of lost.values()) longest = Math.max(longest, Date.now() - since);
    return {
      services: options.services,
      pools: options.pools,
      simulateDelayMs: options.delayMs,
      outcome: result.kind,
      totalMs,
      waitedMs: waited,
      ownMs: round(totalMs - waited),
      apiRequests: standIn.requests.length - requestsBefore,
      longestWithoutAddressMs: longest,
      samplingMs,
    };
  } finally {
    clearInterval(sampler);
    await standIn.close();
  }
}

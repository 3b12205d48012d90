/**
 * What `/metallb status` shows, gathered: each configured cluster's probe and last check, Redis, the job queue and
 * the outbox backlog, and every digest schedule. A part that cannot answer shows as such (unreachable, -1); gathering never throws for it.
 */
import type { Redis } from 'ioredis';
import type { ClusterSetting } from '../config';
import { checkCapabilities, type MetalLbCluster } from '../kubernetes';
import type { DigestSchedule } from '../digests/digest-schedules';
import { pingRedis } from '../redis';
import type { ClusterStatus, StatusInput } from '../slack/views/status';
import type { LastCheckStore } from './last-check';

export interface StatusSources {
  clusters: readonly ClusterSetting[];
  ports: ReadonlyMap<string, MetalLbCluster>;
  lastChecks: LastCheckStore;
  redis: Redis;
  queueCounts(): Promise<StatusInput['queue']>;
  outboxBacklog(): Promise<number>;
  /** METALLB_NAMESPACE: where the capabilities' namespaced permissions are asked for. */
  metallbNamespace?: string;
  /** Every digest schedule with its next run. */
  digestSchedules?(): Promise<DigestSchedule[]>;
}

async function clusterStatus(setting: ClusterSetting, sources: StatusSources): Promise<ClusterStatus> {
  const port = sources.ports.get(setting.name);
  const [probe, lastCheck, capabilities] = await Promise.all([
    port ? port.probe() : Promise.resolve({ reachable: false as const, problem: 'not connected' }),
    sources.lastChecks.read(setting.name),
    port ? checkCapabilities(port, sources.metallbNamespace) : Promise.resolve(undefined),
  ]);
  return {
    name: setting.name,
    context: setting.inCluster ? 'in-cluster' : setting.context,
    reachable: probe.reachable,
    kubernetesVersion: probe.reachable ? probe.kubernetesVersion : undefined,
    problem: probe.reachable ? undefined : probe.problem,
    metallbVersion: lastCheck?.version,
    lastCheck,
    // Asked afresh each time: a component added or removed shows at the next status.
    capabilities: probe.reachable ? capabilities : undefined,
  };
}

export async function gatherStatus(sources: StatusSources): Promise<StatusInput> {
  const clusters = await Promise.all(sources.clusters.map((c) => clusterStatus(c, sources)));
  const redis = await pingRedis(sources.redis);
  const queue = await sources
    .queueCounts()
    .catch(() => ({ waiting: -1, active: -1, delayed: -1, failed: -1 }));
  const outboxBacklog = await sources.outboxBacklog().catch(() => -1);
  const digests = sources.digestSchedules
    ? await sources.digestSchedules().catch(() => 'unreadable' as const)
    : undefined;
  return { clusters, redis, queue, outboxBacklog, digests };
}

import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../src/drift/model';
import { at, labelsOf, nameOf, strMap } from './object-fields';
import type { Cluster } from './cluster';
import { logLine, logTime } from './metallb-records';

const POD_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function suffix(length: number): string {
  return [...randomBytes(length)].map((b) => POD_CHARS[b % POD_CHARS.length]).join('');
}

function templateKey(workload: KubeObject): string {
  return JSON.stringify(at(workload, 'spec', 'template') ?? null);
}

/**
 * Replaces the pods of a workload whose pod template changed (what `kubectl rollout restart` causes): each old
 * pod goes, a new one with a new name, a new startTime and the old pod's labels comes up Running, with a log
 * that starts with MetalLB's startup line.
 */
export class RolloutWatcher {
  private readonly templates = new Map<string, string>();

  constructor(
    private readonly cluster: Cluster,
    private readonly version: string,
  ) {}

  /** Remembers the current templates; returns the workloads whose template changed since the last call. */
  changed(workloads: KubeObject[]): KubeObject[] {
    const out: KubeObject[] = [];
    for (const w of workloads) {
      const key = `${w.kind}/${w.metadata?.namespace ?? ''}/${nameOf(w)}`;
      const template = templateKey(w);
      const before = this.templates.get(key);
      this.templates.set(key, template);
      if (before !== undefined && before !== template) out.push(w);
    }
    return out;
  }

  replacePods(workload: KubeObject, component: string): void {
    const podType = this.cluster.typeForKind('Pod');
    if (podType === undefined) return;
    const namespace = workload.metadata?.namespace ?? 'default';
    const selector = strMap(workload, 'spec', 'selector', 'matchLabels');
    const pods = this.cluster.store
      .list(podType, namespace)
      .filter((p) => Object.entries(selector).every(([k, v]) => labelsOf(p)[k] === v));
    const now = new Date();
    const hash = suffix(10);
    this.markRolledOut(workload, pods.length);
    for (const old of pods) {
      this.cluster.store.delete(podType, namespace, nameOf(old));
      const name =
        workload.kind === 'Deployment'
          ? `${nameOf(workload)}-${hash}-${suffix(5)}`
          : `${nameOf(workload)}-${suffix(5)}`;
      const labels = {
        ...labelsOf(old),
        ...(workload.kind === 'Deployment' ? { 'pod-template-hash': hash } : {}),
      };
      const annotations = strMap(workload, 'spec', 'template', 'metadata', 'annotations');
      const started = logTime(now);
      const status = at(old, 'status') as Record<string, unknown> | undefined;
      const containers = (at(old, 'spec', 'containers') as { name?: string }[] | undefined) ?? [];
      this.cluster.store.create(podType, namespace, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace, labels, annotations, ownerReferences: old.metadata?.ownerReferences },
        spec: old.spec,
        status: {
          ...(status ?? {}),
          phase: 'Running',
          startTime: started,
          containerStatuses: containers.map((c) => ({
            name: c.name,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: started } },
          })),
        },
      });
      const metrics = this.cluster.metrics.get(`${namespace}/${nameOf(old)}`);
      if (metrics !== undefined) this.cluster.metrics.set(`${namespace}/${name}`, metrics);
      this.cluster.appendLog(namespace, name, [
        logLine(
          {
            caller: 'main.go:159',
            level: 'info',
            msg: `MetalLB ${component} starting version ${this.version}`,
            version: this.version,
          },
          now,
        ),
      ]);
    }
  }

  /** What the Deployment and DaemonSet controllers write once every pod is replaced: the rollout is observed and done. */
  private markRolledOut(workload: KubeObject, pods: number): void {
    const type = this.cluster.typeForKind(workload.kind);
    if (type === undefined) return;
    const namespace = workload.metadata?.namespace ?? 'default';
    const current = this.cluster.store.get(type, namespace, nameOf(workload));
    const generation = typeof current.metadata?.generation === 'number' ? current.metadata.generation : 1;
    const count = Math.max(1, pods);
    const status =
      workload.kind === 'Deployment'
        ? { replicas: count, updatedReplicas: count, readyReplicas: count, availableReplicas: count }
        : {
            desiredNumberScheduled: count,
            currentNumberScheduled: count,
            updatedNumberScheduled: count,
            numberReady: count,
            numberAvailable: count,
          };
    this.cluster.store.update(
      type,
      namespace,
      nameOf(workload),
      {
        ...current,
        status: {
          ...((current.status as Record<string, unknown> | undefined) ?? {}),
          ...status,
          observedGeneration: generation,
        },
        metadata: { ...current.metadata, resourceVersion: undefined },
      },
      type.hasStatus ? 'status' : undefined,
    );
  }
}

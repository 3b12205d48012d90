import {
  buildContext,
  isControllerObject,
  isSpeakerObject,
  parseVersion,
  compareVersions,
  type AnalysisContext,
  type ServiceView,
} from '../../src/drift/context';
import type { KubeObject } from '../../src/drift/model';
import { nameOf } from '../../src/drift/fields';
import { allocate, keepCheck } from './allocator';
import type { Cluster } from './cluster';
import { goQuotedList, logLine, serviceEvent } from './metallb-records';
import { RolloutWatcher } from './rollout';

/**
 * MetalLB's controller, as far as IP assignment goes (research/metallb.md section 4.1): it assigns IPs to pending
 * LoadBalancer services, and reacts to pool changes the way the simulated version does. Up to 0.14.1 a pool set
 * that strands an assigned IP is refused (`reload failed, retry`) and the controller keeps the previous pools; from
 * 0.14.2 on it honours the new pools, clears IPs they no longer allow (ClearAssignment) and allocates anew, and
 * with no pools at all clears every IP without an event. It runs after every write the stand-in accepts.
 */
export class MetallbSimulation {
  private readonly legacy: boolean;
  private readonly annotationKey: string;
  /** The pools the controller runs on: the stored ones, or older ones after a refused reload. */
  private activePools: KubeObject[];
  private seenPools: string;
  /** Services whose last allocation failed, by key, with the state it failed in (no event storm). */
  private readonly failed = new Map<string, string>();
  private readonly rollouts: RolloutWatcher;

  constructor(
    private readonly cluster: Cluster,
    readonly versionText: string,
  ) {
    const version = parseVersion(versionText);
    if (version === undefined) throw new Error(`simulateMetallb: "${versionText}" is not a MetalLB version`);
    this.legacy = compareVersions(version, { major: 0, minor: 14, patch: 2 }) < 0;
    this.annotationKey =
      compareVersions(version, { major: 0, minor: 14, patch: 9 }) >= 0
        ? 'metallb.io/ip-allocated-from-pool'
        : 'metallb.universe.tf/ip-allocated-from-pool';
    this.activePools = this.storedPools();
    this.seenPools = JSON.stringify(this.activePools);
    this.rollouts = new RolloutWatcher(cluster, versionText);
    this.rollouts.changed(this.workloads());
  }

  private get namespace(): string {
    return buildContext(this.snapshot([]), { now: new Date() }).namespace;
  }

  private snapshot(pools: KubeObject[] | undefined): {
    objects: KubeObject[];
    logs: [];
    metrics: [];
    notes: [];
    source: string;
  } {
    const objects = this.cluster.objects().filter((o) => pools === undefined || o.kind !== 'IPAddressPool');
    return {
      objects: [...objects, ...(pools ?? [])],
      logs: [],
      metrics: [],
      notes: [],
      source: 'simulation',
    };
  }

  private storedPools(): KubeObject[] {
    const namespace = this.namespace;
    return this.cluster.objects('IPAddressPool').filter((p) => p.metadata?.namespace === namespace);
  }

  private workloads(): KubeObject[] {
    return [
      ...this.cluster.objects('Deployment').filter(isControllerObject),
      ...this.cluster.objects('DaemonSet').filter(isSpeakerObject),
    ];
  }

  reconcile(): void {
    const restarted = this.rollouts.changed(this.workloads());
    for (const workload of restarted) {
      this.rollouts.replacePods(workload, workload.kind === 'Deployment' ? 'controller' : 'speaker');
    }
    const fresh = restarted.some((w) => w.kind === 'Deployment');
    const poolsChanged = this.reloadPools(fresh);
    const ctx = buildContext(this.snapshot(this.activePools), { now: new Date() });
    this.converge(ctx, poolsChanged || fresh);
  }

  /** Applies a pool change as the version does; true when the controller now runs on a new pool set. */
  private reloadPools(fresh: boolean): boolean {
    const stored = this.storedPools();
    const text = JSON.stringify(stored);
    if (text === this.seenPools && !fresh) return false;
    this.seenPools = text;
    if (this.legacy && !fresh) {
      const stranded = this.strandedBy(stored);
      if (stranded !== undefined) {
        this.logController([
          {
            caller: 'main.go:111',
            error: `new config not compatible with assigned IPs: service "${stranded.key}" cannot own ${goQuotedList(stranded.ips)} under new config`,
            level: 'error',
            msg: 'applying new configuration failed',
            op: 'setConfig',
          },
          {
            caller: 'pool_controller.go:89',
            controller: 'PoolReconciler',
            event: 'reload failed, retry',
            level: 'error',
          },
        ]);
        this.setStaleMetric(1);
        return false;
      }
    }
    this.activePools = stored;
    this.setStaleMetric(0);
    this.logController([
      {
        caller: 'pool_controller.go:110',
        controller: 'PoolReconciler',
        event: 'config reloaded',
        level: 'info',
      },
    ]);
    return true;
  }

  /** The first service holding an IP the candidate pools do not contain (SetPools' check up to 0.14.1). */
  private strandedBy(pools: KubeObject[]): { key: string; ips: string[] } | undefined {
    const ctx = buildContext(this.snapshot(pools), { now: new Date() });
    for (const service of ctx.handledServices) {
      const outside = service.ingress.filter(({ ip }) => ctx.poolIndex.lookup(ip).length === 0);
      if (outside.length > 0)
        return { key: `${service.namespace}/${service.name}`, ips: outside.map((o) => o.text) };
    }
    return undefined;
  }

  private converge(ctx: AnalysisContext, reprocess: boolean): void {
    const used = new Set(ctx.services.flatMap((s) => s.ingressIps));
    for (const service of ctx.handledServices) {
      if (service.ingressIps.length > 0) {
        if (reprocess) this.recheck(service, ctx, used);
      } else {
        this.assign(service, ctx, used);
      }
    }
  }

  private recheck(service: ServiceView, ctx: AnalysisContext, used: Set<string>): void {
    const key = `${service.namespace}/${service.name}`;
    if (ctx.pools.length === 0) {
      this.logController([
        {
          caller: 'service.go:85',
          event: 'clearAssignment',
          level: 'debug',
          msg: 'pools are empty',
          reason: 'noConfig',
          service: key,
        },
      ]);
      this.clear(service, used);
      return;
    }
    const verdict = keepCheck(service, ctx);
    if ('pool' in verdict) {
      if (service.annotations[this.annotationKey] !== verdict.pool) this.annotate(service.obj, verdict.pool);
      return;
    }
    this.event(
      service.obj,
      'ClearAssignment',
      'Normal',
      `current IP for "${key}" not allowed by config, will attempt for new IP assignment: ${verdict.error}`,
    );
    this.logController([
      {
        caller: 'service.go:141',
        event: 'clearAssignment',
        level: 'info',
        msg: 'current IP not allowed by config, clearing',
        reason: 'notAllowedByConfig',
        service: key,
      },
    ]);
    const cleared = this.clear(service, used);
    const view = buildContext(this.snapshot(this.activePools), { now: new Date() }).services.find(
      (s) => s.namespace === service.namespace && s.name === service.name,
    );
    if (cleared && view) this.assign(view, ctx, used);
  }

  private assign(service: ServiceView, ctx: AnalysisContext, used: Set<string>): void {
    const key = `${service.namespace}/${service.name}`;
    if (ctx.pools.length === 0) return; // "not processing, still waiting for config"
    const state = JSON.stringify([service.obj.spec, service.annotations, this.activePools, [...used].sort()]);
    if (this.failed.get(key) === state) return;
    const result = allocate(service, ctx, used);
    if (!result.ok) {
      this.failed.set(key, state);
      this.event(
        service.obj,
        'AllocationFailed',
        'Warning',
        `Failed to allocate IP for "${key}": ${result.error}`,
      );
      this.logController([
        {
          caller: 'service.go:150',
          error: result.error,
          level: 'error',
          msg: 'IP allocation failed',
          op: 'allocateIPs',
          service: key,
        },
      ]);
      return;
    }
    this.failed.delete(key);
    used.add(result.ip);
    const updated = this.annotate(service.obj, result.pool);
    this.setIngress(updated, [{ ip: result.ip }]);
    this.event(updated, 'IPAllocated', 'Normal', `Assigned IP ${goQuotedList([result.ip])}`);
    this.logController([
      {
        caller: 'service.go:180',
        event: 'ipAllocated',
        ip: [result.ip],
        level: 'info',
        msg: 'IP address assigned by controller',
        pool: result.pool,
      },
    ]);
  }

  private clear(service: ServiceView, used: Set<string>): boolean {
    for (const ip of service.ingressIps) used.delete(ip);
    const type = this.cluster.typeForKind('Service');
    if (type === undefined) return false;
    const current = this.cluster.store.get(type, service.namespace, service.name);
    const annotations = { ...(current.metadata?.annotations ?? {}) };
    if (this.annotationKey in annotations) {
      delete annotations[this.annotationKey];
      current.metadata = { ...current.metadata, annotations };
      delete current.metadata.resourceVersion;
      this.cluster.store.update(type, service.namespace, service.name, current);
    }
    this.setIngress(this.cluster.store.get(type, service.namespace, service.name), []);
    return true;
  }

  private annotate(service: KubeObject, pool: string): KubeObject {
    const type = this.cluster.typeForKind('Service');
    if (type === undefined) return service;
    const current = this.cluster.store.get(type, service.metadata?.namespace, nameOf(service));
    current.metadata = {
      ...current.metadata,
      annotations: { ...(current.metadata?.annotations ?? {}), [this.annotationKey]: pool },
    };
    delete current.metadata.resourceVersion;
    return this.cluster.store.update(type, current.metadata.namespace, nameOf(current), current);
  }

  private setIngress(service: KubeObject, ingress: { ip: string }[]): void {
    const type = this.cluster.typeForKind('Service');
    if (type === undefined) return;
    const status = {
      ...((service.status as Record<string, unknown> | undefined) ?? {}),
      loadBalancer: ingress.length > 0 ? { ingress } : {},
    };
    this.cluster.store.update(
      type,
      service.metadata?.namespace,
      nameOf(service),
      { ...service, status, metadata: { ...service.metadata, resourceVersion: undefined } },
      'status',
    );
  }

  private event(service: KubeObject, reason: string, type: 'Normal' | 'Warning', message: string): void {
    const eventType = this.cluster.typeForKind('Event');
    if (eventType === undefined) return;
    const event = serviceEvent(service, reason, type, message, new Date());
    this.cluster.store.create(eventType, event.metadata?.namespace, event);
  }

  /** `metallb_k8s_client_config_stale_bool` in the controller's metrics, when the seed has them. */
  private setStaleMetric(value: 0 | 1): void {
    const pod = this.controllerPod();
    if (pod === undefined) return;
    const key = `${this.namespace}/${nameOf(pod)}`;
    const text = this.cluster.metrics.get(key);
    if (text === undefined) return;
    this.cluster.metrics.set(
      key,
      text.replace(/^(metallb_k8s_client_config_stale_bool(?:\{[^}]*\})?) \S+$/m, `$1 ${value}`),
    );
  }

  private controllerPod(): KubeObject | undefined {
    const namespace = this.namespace;
    return this.cluster
      .objects('Pod')
      .find((p) => p.metadata?.namespace === namespace && isControllerObject(p));
  }

  private logController(lines: Record<string, unknown>[]): void {
    const pod = this.controllerPod();
    if (pod === undefined) return;
    const now = new Date();
    this.cluster.appendLog(
      this.namespace,
      nameOf(pod),
      lines.map((l) => logLine(l, now)),
    );
  }
}

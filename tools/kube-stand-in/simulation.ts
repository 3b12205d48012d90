import type { KubeObject } from '../../src/drift/model';
import { Allocator, goQuoted, poolAllows } from './metallb/allocator';
import { formatIp, type Ip } from './metallb/ip';
import { isController, isSpeaker, lbClassOf, metallbNamespace } from './metallb/install';
import { parsePools, type Pool } from './metallb/pools';
import { annotation, isHandled, readService, type ServiceRequest } from './metallb/services';
import { atLeast, parseVersion, type Version } from './metallb/version';
import type { Cluster } from './cluster';
import { logLine, serviceEvent } from './metallb-records';
import { typeFromObject, type ResourceType } from './kinds';
import { annotationsOf, nameOf } from './object-fields';
import { RolloutWatcher } from './rollout';

/**
 * MetalLB's controller, as far as IP assignment goes (`controller/service.go`; ./README.md), written from MetalLB's
 * behaviour in metallb/ and never from the engine's code. It assigns IPs to pending LoadBalancer services and reacts
 * to pool changes the way the simulated version does: up to 0.14.1 a pool set that strands an assigned IP is
 * refused (`reload failed, retry`) and the controller keeps the previous pools; from 0.14.2 on it honours the new
 * pools, clears IPs they no longer allow (ClearAssignment) and allocates anew, and with no pools at all clears every
 * IP without an event. A config MetalLB cannot parse is refused in every version. It runs after every write the
 * stand-in accepts. The seed counts as already processed: a service keeps its IP until it, the pools or the
 * controller change.
 */
export class MetallbSimulation {
  private readonly version: Version;
  /** Where this version writes the pool an IP came from (not written before 0.13.9). */
  private readonly annotationKey: string | undefined;
  /** The pools the controller runs on; undefined while it has never loaded a config. */
  private activePools: Pool[] | undefined;
  private seenConfig: string | undefined;
  /** What each handled service looked like when last processed, by key. */
  private readonly seenServices = new Map<string, string>();
  /** Services whose last allocation failed, by key, with the state it failed in (no event storm). */
  private readonly failed = new Map<string, string>();
  private readonly rollouts: RolloutWatcher;
  /** The error of a `controllerRejects` fault: the next reload refuses the config with it, once. */
  private injectedRejection: string | undefined;

  constructor(
    private readonly cluster: Cluster,
    readonly versionText: string,
  ) {
    const version = parseVersion(versionText);
    if (version === undefined) throw new Error(`simulateMetallb: "${versionText}" is not a MetalLB version`);
    this.version = version;
    this.annotationKey = atLeast(version, '0.14.9')
      ? 'metallb.io/ip-allocated-from-pool'
      : atLeast(version, '0.13.9')
        ? 'metallb.universe.tf/ip-allocated-from-pool'
        : undefined;
    this.rollouts = new RolloutWatcher(cluster, versionText);
    this.rollouts.changed(this.workloads());
    const initial = this.readConfig();
    // A seed config that parses counts as loaded; one that does not is refused (and logged) on the first reconcile.
    if (initial.result.ok) {
      this.seenConfig = initial.text;
      this.activePools = initial.result.pools;
      // A seeded ConfigurationState is the state the seed describes; only a missing one is written.
      this.writeConfigState(undefined, true);
    }
    for (const service of this.handledServices()) this.seenServices.set(service.request.key, service.state);
  }

  /**
   * Makes the next reload of a changed config fail with `error` as a parse failure does (a fault: MetalLB refusing
   * a config it would otherwise take). Kept until a reload happens; only the config the simulation reads (the pools)
   * causes reloads.
   */
  rejectNextReload(error: string): void {
    this.injectedRejection = error;
  }

  private get namespace(): string {
    return metallbNamespace(this.cluster.objects('Deployment'));
  }

  private readConfig(): { text: string; result: ReturnType<typeof parsePools> } {
    const namespace = this.namespace;
    const objects = [...this.cluster.objects('IPAddressPool'), ...this.cluster.objects('AddressPool')];
    const namespaces = this.cluster.objects('Namespace');
    const text = JSON.stringify([
      objects
        .filter((o) => o.metadata?.namespace === namespace)
        .map((o) => [o.kind, o.metadata?.name, o.spec]),
      namespaces.map((n) => [nameOf(n), n.metadata?.labels]),
    ]);
    return { text, result: parsePools(objects, namespace, this.version, namespaces) };
  }

  private handledServices(): { obj: KubeObject; request: ServiceRequest; state: string }[] {
    const lbClass = lbClassOf(this.cluster.objects('Deployment'));
    return this.cluster
      .objects('Service')
      .filter((s) => isHandled(s, lbClass))
      .map((obj) => {
        const annotations = annotationsOf(obj);
        const read = ['address-pool', 'loadBalancerIPs', 'allow-shared-ip'].map((a) =>
          annotation(annotations, a, this.version),
        );
        return {
          obj,
          request: readService(obj, this.version),
          state: JSON.stringify([obj.spec, obj.metadata?.labels, read]),
        };
      });
  }

  private workloads(): KubeObject[] {
    return [
      ...this.cluster.objects('Deployment').filter(isController),
      ...this.cluster.objects('DaemonSet').filter(isSpeaker),
    ];
  }

  reconcile(): void {
    const restarted = this.rollouts.changed(this.workloads());
    for (const workload of restarted) {
      this.rollouts.replacePods(workload, workload.kind === 'Deployment' ? 'controller' : 'speaker');
    }
    const fresh = restarted.some((w) => w.kind === 'Deployment');
    const poolsChanged = this.reloadPools(fresh);
    const pools = this.activePools;
    if (pools === undefined) return; // "not processing, still waiting for config"
    const services = this.handledServices();
    const allocator = new Allocator(pools);
    for (const { request } of services) allocator.claim(request, this.ingressIps(request));
    for (const { obj, request, state } of services) {
      const changed = this.seenServices.get(request.key) !== state;
      this.seenServices.set(request.key, state);
      if (request.ingress.length === 0) this.assign(obj, request, allocator);
      else if (poolsChanged || fresh || changed) this.recheck(obj, request, allocator);
    }
  }

  private ingressIps(request: ServiceRequest): Ip[] {
    return request.ingress.map((i) => i.ip).filter((ip): ip is Ip => ip !== undefined);
  }

  /** Applies a config change as the version does; true when the controller now runs on a new pool set. */
  private reloadPools(fresh: boolean): boolean {
    const { text, result } = this.readConfig();
    if (text === this.seenConfig && !fresh) return false;
    this.seenConfig = text;
    const injected = this.injectedRejection;
    this.injectedRejection = undefined;
    if (!result.ok || injected !== undefined) {
      this.refuse([
        {
          caller: 'config_controller.go:139',
          controller: 'ConfigReconciler',
          error: result.ok ? injected : result.error,
          level: 'error',
          msg: 'failed to parse the configuration',
        },
      ]);
      return false;
    }
    if (!atLeast(this.version, '0.14.2') && !fresh) {
      const stranded = this.strandedBy(result.pools);
      if (stranded !== undefined) {
        this.refuse([
          {
            caller: 'main.go:111',
            error: `new config not compatible with assigned IPs: service "${stranded.key}" cannot own ${goQuoted(stranded.ips)} under new config`,
            level: 'error',
            msg: 'applying new configuration failed',
            op: 'setConfig',
          },
        ]);
        return false;
      }
    }
    this.activePools = result.pools;
    this.setStaleMetric(0);
    this.writeConfigState(undefined);
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

  private refuse(lines: Record<string, unknown>[]): void {
    const error = lines.map((l) => l.error).find((e): e is string => typeof e === 'string');
    this.writeConfigState(error ?? 'reload failed');
    this.logController([
      ...lines,
      {
        caller: 'pool_controller.go:89',
        controller: 'PoolReconciler',
        event: 'reload failed, retry',
        level: 'error',
      },
    ]);
    this.setStaleMetric(1);
  }

  /** The first service whose IPs no single new pool holds (SetPools' check up to 0.14.1, avoidBuggyIPs included). */
  private strandedBy(pools: Pool[]): { key: string; ips: string[] } | undefined {
    for (const { request } of this.handledServices()) {
      const ips = this.ingressIps(request);
      if (ips.length === 0) continue;
      const fits = pools.some((p) => ips.every((ip) => poolAllows(p, ip)));
      if (!fits) return { key: request.key, ips: ips.map(formatIp) };
    }
    return undefined;
  }

  /** `convergeBalancer` for a service holding IPs: keep them, or clear them and allocate anew. */
  private recheck(obj: KubeObject, request: ServiceRequest, allocator: Allocator): void {
    if (allocator.pools.length === 0) {
      if (!atLeast(this.version, '0.14.2')) return;
      this.logController([
        {
          caller: 'service.go:85',
          event: 'clearAssignment',
          level: 'debug',
          msg: 'pools are empty',
          reason: 'noConfig',
          service: request.key,
        },
      ]);
      this.clear(obj, request, allocator);
      return;
    }
    const verdict = this.keepVerdict(request, allocator);
    if (verdict.keep) {
      if (this.annotationKey && annotationsOf(obj)[this.annotationKey] !== verdict.pool) {
        this.annotate(obj, verdict.pool);
      }
      return;
    }
    if (verdict.event) {
      this.event(
        obj,
        'ClearAssignment',
        'Normal',
        `current IP for "${request.key}" not allowed by config, will attempt for new IP assignment: ${verdict.error}`,
      );
    }
    this.logController([
      {
        caller: 'service.go:141',
        event: 'clearAssignment',
        level: 'info',
        msg: verdict.event ? 'current IP not allowed by config, clearing' : verdict.error,
        reason: verdict.reason,
        service: request.key,
      },
    ]);
    const cleared = this.clear(obj, request, allocator);
    this.assign(cleared, { ...request, ingress: [] }, allocator);
  }

  private keepVerdict(
    request: ServiceRequest,
    allocator: Allocator,
  ): { keep: true; pool: string } | { keep: false; error: string; reason: string; event: boolean } {
    const ips = this.ingressIps(request);
    const texts = ips.map(formatIp).sort();
    const requested = 'error' in request.requested ? [] : request.requested.map(formatIp).sort();
    if (requested.length > 0 && JSON.stringify(requested) !== JSON.stringify(texts)) {
      const error = 'user requested a different IP than the one currently assigned';
      return { keep: false, error, reason: 'differentIPRequested', event: false };
    }
    if (
      request.pool !== undefined &&
      !ips.some((ip) => allocator.pools.some((p) => p.name === request.pool && poolAllows(p, ip)))
    ) {
      const error = 'user requested a different pool than the one currently assigned';
      return { keep: false, error, reason: 'differentPoolRequested', event: false };
    }
    if (ips.length < request.ingress.length) {
      const bad = request.ingress.filter((i) => i.ip === undefined).map((i) => i.text);
      return {
        keep: false,
        error: `${goQuoted(bad)} is not allowed in config`,
        reason: 'notAllowedByConfig',
        event: true,
      };
    }
    const outcome = allocator.assign(request, ips);
    return outcome.ok
      ? { keep: true, pool: outcome.pool.name }
      : { keep: false, error: outcome.error, reason: 'notAllowedByConfig', event: true };
  }

  private assign(obj: KubeObject, request: ServiceRequest, allocator: Allocator): void {
    if (allocator.pools.length === 0) return; // "not processing, still waiting for config"
    const state = JSON.stringify([
      obj.spec,
      obj.metadata?.annotations,
      this.seenConfig,
      allocator.fingerprint(),
    ]);
    if (this.failed.get(request.key) === state) return;
    if ('error' in request.requested) {
      this.failed.set(request.key, state);
      this.event(
        obj,
        'LoadBalancerFailed',
        'Warning',
        `invalid requested loadbalancer IPs: ${request.requested.error}`,
      );
      return;
    }
    const result = allocator.allocate(request);
    if (!result.ok) {
      this.failed.set(request.key, state);
      this.event(
        obj,
        'AllocationFailed',
        'Warning',
        `Failed to allocate IP for "${request.key}": ${result.error}`,
      );
      this.logController([
        {
          caller: 'service.go:150',
          error: result.error,
          level: 'error',
          msg: 'IP allocation failed',
          op: 'allocateIPs',
          service: request.key,
        },
      ]);
      return;
    }
    this.failed.delete(request.key);
    allocator.claim(request, result.ips);
    const texts = result.ips.map(formatIp);
    const updated = this.annotationKey ? this.annotate(obj, result.pool.name) : obj;
    this.setIngress(
      updated,
      texts.map((ip) => ({ ip })),
    );
    this.event(updated, 'IPAllocated', 'Normal', `Assigned IP ${goQuoted(texts)}`);
    this.logController([
      {
        caller: 'service.go:180',
        event: 'ipAllocated',
        ip: texts,
        level: 'info',
        msg: 'IP address assigned by controller',
        pool: result.pool.name,
      },
    ]);
  }

  /** `clearServiceState`: the IPs and this version's `ip-allocated-from-pool` key go; returns the service after. */
  private clear(obj: KubeObject, request: ServiceRequest, allocator: Allocator): KubeObject {
    allocator.release(request);
    const type = this.cluster.typeForKind('Service');
    if (type === undefined) return obj;
    const current = this.cluster.store.get(type, request.namespace, request.name);
    const annotations = { ...(current.metadata?.annotations ?? {}) };
    if (this.annotationKey !== undefined && this.annotationKey in annotations) {
      delete annotations[this.annotationKey];
      current.metadata = { ...current.metadata, annotations };
      delete current.metadata.resourceVersion;
      this.cluster.store.update(type, request.namespace, request.name, current);
    }
    this.setIngress(this.cluster.store.get(type, request.namespace, request.name), []);
    return this.cluster.store.get(type, request.namespace, request.name);
  }

  private annotate(service: KubeObject, pool: string): KubeObject {
    const type = this.cluster.typeForKind('Service');
    if (type === undefined || this.annotationKey === undefined) return service;
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

  /**
   * From 0.15.3 the controller reports its config's validity in the ConfigurationState `controller` of its
   * namespace (`status.result` Valid/Invalid, `errorSummary`, a `configReconcilerValid` condition); older versions
   * have no such kind.
   */
  private writeConfigState(error: string | undefined, onlyIfMissing = false): void {
    if (!atLeast(this.version, '0.15.3')) return;
    const namespace = this.namespace;
    const status = configStateStatus(error);
    const seed: KubeObject = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'ConfigurationState',
      metadata: { name: 'controller', namespace, labels: { 'metallb.io/component-type': 'controller' } },
    };
    const type = this.cluster.typeForKind('ConfigurationState') ?? typeFromObject(seed);
    this.cluster.registry.add(type);
    const existing = this.configState(type, namespace);
    if (existing !== undefined && onlyIfMissing) return;
    const before = existing?.status as { result?: unknown; errorSummary?: unknown } | undefined;
    if (before?.result === status.result && before.errorSummary === status.errorSummary) return;
    const base = existing ?? this.cluster.store.create(type, namespace, seed);
    this.cluster.store.update(
      type,
      namespace,
      'controller',
      { ...base, status, metadata: { ...base.metadata, resourceVersion: undefined } },
      type.hasStatus ? 'status' : undefined,
    );
  }

  private configState(type: ResourceType, namespace: string): KubeObject | undefined {
    return this.cluster.store
      .list(type)
      .find((o) => o.metadata?.namespace === namespace && nameOf(o) === 'controller');
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
    return this.cluster.objects('Pod').find((p) => p.metadata?.namespace === namespace && isController(p));
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

/** The status MetalLB's controller writes to its ConfigurationState (api/v1beta1/configurationstate_types.go). */
function configStateStatus(error: string | undefined): {
  result: string;
  errorSummary: string;
  conditions: Record<string, string>[];
} {
  const valid = error === undefined;
  return {
    result: valid ? 'Valid' : 'Invalid',
    errorSummary: error ?? '',
    conditions: [
      {
        type: 'configReconcilerValid',
        status: valid ? 'True' : 'False',
        reason: valid ? 'Reconciled' : 'ConfigurationError',
        message: error ?? '',
        lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    ],
  };
}

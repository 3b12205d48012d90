/**
 * The port to one cluster ({@link MetalLbCluster}): everything the bot, the CLI and fix jobs do to a cluster goes
 * through it: the Snapshot read, the reachability probe, and the mutations. One is built per cluster, so its
 * reads and writes share one kubeconfig load and one bound on requests in flight. Every write that could
 * overwrite someone else's change is guarded by `resourceVersion`: a 409 surfaces as E_CONFLICT and nothing is
 * retried over it.
 */
import type { AccessNeed, AccessReviewer } from './capabilities';
import { componentSelectors, isControllerObject, isSpeakerObject } from '../drift/metallb-facts';
import { namespaceOf, nameOf, str } from '../drift/fields';
import type { KubeObject, Snapshot } from '../drift/model';
import { AppError, isAppError } from '../errors';
import { KubeClient, type KubeClientOptions } from './client';
import { statusOf } from './errors';
import { kindInfo, resourcePath, targetOf, type KindInfo } from './kinds';
import { loadKubeConfig, type KubeConfigChoice } from './kubeconfig';
import { metricsProxyName } from './pods';
import { readSnapshot } from './read-snapshot';
import { restartPatch, rolloutStatus, type WorkloadKind } from './rollout';
import { createTransport } from './transport';

export type { WorkloadKind } from './rollout';

export interface ObjectRef {
  kind: string;
  /** Omitted for cluster-scoped kinds. */
  namespace?: string;
  name: string;
}

export const MERGE_PATCH = 'application/merge-patch+json';

/** What `/metallb status` shows of a cluster. */
export type ProbeResult =
  | { reachable: true; kubernetesVersion: string }
  | { reachable: false; problem: string };

export interface SnapshotRead {
  /** Log windows are relative to it. */
  now: Date;
  /** One line per page and step, for a person watching. */
  progress?: (line: string) => void;
}

export interface MetalLbCluster extends AccessReviewer {
  /**
   * Every kind the engine reads, with the controller's and speakers' logs and metrics. What cannot be read is a
   * note; a failure of an essential kind, or of the cluster, throws a coded error.
   */
  readSnapshot(read: SnapshotRead): Promise<Snapshot>;
  /** Whether the API server answers, with its version; never throws. */
  probe(): Promise<ProbeResult>;
  /** The object, or undefined when it does not exist. */
  getObject(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** `kubectl rollout restart`: stamps the pod template so every pod is replaced. */
  rolloutRestart(kind: WorkloadKind, namespace: string, name: string, now: Date): Promise<KubeObject>;
  /** Waits until the rollout is complete; E_CLUSTER_TIMEOUT after `timeoutMs`. Returns the final object. */
  waitForRollout(kind: WorkloadKind, namespace: string, name: string, timeoutMs: number): Promise<KubeObject>;
  createObject(obj: KubeObject): Promise<KubeObject>;
  /** PUT of the whole object; its `metadata.resourceVersion` is required and guards the write. */
  replaceObject(obj: KubeObject): Promise<KubeObject>;
  /** True when deleted, false when it was already gone. With `resourceVersion`, only that version is deleted. */
  deleteObject(ref: ObjectRef, resourceVersion?: string): Promise<boolean>;
  /** Merge patch of annotations: a `null` value removes the key. */
  patchServiceAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
    resourceVersion: string,
  ): Promise<KubeObject>;
  /** Sets `spec.loadBalancerIP`, or removes it with `null`. */
  patchServiceLoadBalancerIP(
    namespace: string,
    name: string,
    ip: string | null,
    resourceVersion: string,
  ): Promise<KubeObject>;
  /** Merge patch of the status subresource (`{ loadBalancer: { ingress: null } }` clears the IPs). */
  patchServiceStatus(
    namespace: string,
    name: string,
    status: Record<string, unknown>,
    resourceVersion: string,
  ): Promise<KubeObject>;
  /**
   * Merge patch of any object this adapter knows (or of its status subresource), guarded by `resourceVersion`:
   * a stale version is E_CONFLICT and nothing is written.
   */
  patchObject(
    ref: ObjectRef,
    patch: Record<string, unknown>,
    resourceVersion: string,
    subresource?: 'status',
  ): Promise<KubeObject>;
  /** Objects of a kind (in `namespace`, or everywhere), optionally by label or field selector; paginated. */
  listObjects(
    kind: string,
    options?: { namespace?: string; labelSelector?: string; fieldSelector?: string },
  ): Promise<KubeObject[]>;
  /** The `coordination.k8s.io/v1` Lease, or undefined. */
  getLease(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Creates a Lease; E_CONFLICT (409 AlreadyExists) when someone else created it first. */
  createLease(lease: KubeObject): Promise<KubeObject>;
  /** Replaces a Lease; its `metadata.resourceVersion` is required, a stale one is E_CONFLICT. */
  updateLease(lease: KubeObject): Promise<KubeObject>;
  /** The controller Deployment, by either label scheme; in `namespace` when given. */
  findController(namespace?: string): Promise<KubeObject | undefined>;
  /** The speaker DaemonSet, by either label scheme; in `namespace` when given. */
  findSpeaker(namespace?: string): Promise<KubeObject | undefined>;
  /** One SelfSubjectAccessReview per need: whether this identity may do it (capabilities.ts). */
  reviewAccess(needs: readonly AccessNeed[]): Promise<boolean[]>;
  /**
   * The running controller pods' log of the last `sinceSeconds` and their metrics text, for watching a config
   * change land (apply-config). What cannot be read is left out (a denial, a missing port); never throws for it.
   */
  readControllerEvidence?(namespace: string, sinceSeconds: number): Promise<ControllerEvidence>;
}

/** What {@link MetalLbCluster.readControllerEvidence} read: each running controller pod's log and metrics. */
export interface ControllerEvidence {
  logs: string[];
  metrics: string[];
  /** Why something could not be read (`pods/log forbidden (403)`). */
  problems: string[];
}

export interface KubeMetalLbClusterOptions {
  /** The namespace MetalLB runs in; found from the controller's labels when unset. */
  metallbNamespace?: string;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Longest a probe waits for `/version` (default 5 s); a probe is never retried. */
  probeTimeoutMs?: number;
  /** Between two reads while waiting for a rollout. */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function asObject(value: unknown, fallbackKind: string): KubeObject {
  const record = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return { kind: fallbackKind, ...record } as KubeObject;
}

function byNamespacedName(a: KubeObject, b: KubeObject): number {
  const ka = `${namespaceOf(a) ?? ''}/${nameOf(a)}`;
  const kb = `${namespaceOf(b) ?? ''}/${nameOf(b)}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function requireNamespace(info: KindInfo, namespace: string | undefined, name: string): string | undefined {
  if (info.namespaced && !namespace) {
    throw new AppError('E_INTERNAL', `${info.kind} ${name} needs a namespace`);
  }
  return info.namespaced ? namespace : undefined;
}

const CONTROLLER_SELECTORS = componentSelectors('controller');
const SPEAKER_SELECTORS = componentSelectors('speaker');

/** The client of a cluster and the source its Snapshots name (`context NAME` or `in-cluster`). */
export interface KubeConnection {
  client: KubeClient;
  source: string;
}

/** {@link MetalLbCluster} on the Kubernetes API. */
export class KubeMetalLbCluster implements MetalLbCluster {
  private readonly pollIntervalMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => Date;

  /** `connect` is called for every request; {@link connectMetalLbCluster} makes it load the kubeconfig once. */
  constructor(
    private readonly connect: () => KubeConnection,
    private readonly options: KubeMetalLbClusterOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.sleep = options.sleep ?? realSleep;
    this.clock = options.clock ?? (() => new Date());
  }

  private get client(): KubeClient {
    return this.connect().client;
  }

  async readSnapshot(read: SnapshotRead): Promise<Snapshot> {
    const { client, source } = this.connect();
    return readSnapshot(client, {
      source,
      now: read.now,
      progress: read.progress,
      pageSize: this.options.pageSize,
      metallbNamespace: this.options.metallbNamespace,
    });
  }

  async probe(): Promise<ProbeResult> {
    try {
      const version = (await this.client.json(
        { method: 'GET', path: '/version' },
        { verb: 'get', resource: 'version', group: '' },
        { timeoutMs: this.options.probeTimeoutMs ?? 5000, attempts: 1 },
      )) as { gitVersion?: unknown } | null;
      const gitVersion = version?.gitVersion;
      return { reachable: true, kubernetesVersion: typeof gitVersion === 'string' ? gitVersion : 'unknown' };
    } catch (error) {
      return { reachable: false, problem: describe(error) };
    }
  }

  async getObject(ref: ObjectRef): Promise<KubeObject | undefined> {
    const info = kindInfo(ref.kind);
    const namespace = requireNamespace(info, ref.namespace, ref.name);
    try {
      const body = await this.client.json(
        { method: 'GET', path: resourcePath(info, namespace, ref.name) },
        targetOf(info, 'get', namespace, ref.name),
      );
      return asObject(body, info.kind);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async mergePatch(
    info: KindInfo,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource?: string,
  ) {
    const result = await this.client.json(
      {
        method: 'PATCH',
        path: resourcePath(info, namespace, name, subresource),
        body,
        contentType: MERGE_PATCH,
      },
      targetOf(info, 'patch', namespace, name, subresource),
    );
    return asObject(result, info.kind);
  }

  async rolloutRestart(kind: WorkloadKind, namespace: string, name: string, now: Date): Promise<KubeObject> {
    return this.mergePatch(kindInfo(kind), namespace, name, restartPatch(now));
  }

  async waitForRollout(
    kind: WorkloadKind,
    namespace: string,
    name: string,
    timeoutMs: number,
  ): Promise<KubeObject> {
    const deadline = this.clock().getTime() + timeoutMs;
    for (;;) {
      const obj = await this.getObject({ kind, namespace, name });
      if (!obj)
        throw new AppError('E_API', `${kind} ${namespace}/${name} does not exist, so it cannot roll out`);
      const status = rolloutStatus(kind, obj);
      if (status.done) return obj;
      if (status.failed)
        throw new AppError('E_API', `rollout of ${kind} ${namespace}/${name}: ${status.failed}`);
      if (this.clock().getTime() >= deadline) {
        throw new AppError(
          'E_CLUSTER_TIMEOUT',
          `rollout of ${kind} ${namespace}/${name} did not finish within ${duration(timeoutMs)}: ${status.message}`,
        );
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  async createObject(obj: KubeObject): Promise<KubeObject> {
    const info = kindInfo(obj.kind);
    const name = str(obj, 'metadata', 'name') ?? '';
    const namespace = requireNamespace(info, str(obj, 'metadata', 'namespace'), name);
    // A resourceVersion on a create is rejected by the API server; backups may still carry one.
    const metadata = { ...obj.metadata };
    delete metadata.resourceVersion;
    const body = { ...obj, metadata };
    const result = await this.client.json(
      { method: 'POST', path: resourcePath(info, namespace), body },
      targetOf(info, 'create', namespace, name),
    );
    return asObject(result, info.kind);
  }

  async replaceObject(obj: KubeObject): Promise<KubeObject> {
    const info = kindInfo(obj.kind);
    const name = str(obj, 'metadata', 'name') ?? '';
    const namespace = requireNamespace(info, str(obj, 'metadata', 'namespace'), name);
    if (!str(obj, 'metadata', 'resourceVersion')) {
      throw new AppError('E_INTERNAL', `replace of ${info.kind} ${name} needs metadata.resourceVersion`);
    }
    const result = await this.client.json(
      { method: 'PUT', path: resourcePath(info, namespace, name), body: obj },
      targetOf(info, 'update', namespace, name),
    );
    return asObject(result, info.kind);
  }

  async deleteObject(ref: ObjectRef, resourceVersion?: string): Promise<boolean> {
    const info = kindInfo(ref.kind);
    const namespace = requireNamespace(info, ref.namespace, ref.name);
    const body = resourceVersion
      ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } }
      : undefined;
    try {
      await this.client.request(
        { method: 'DELETE', path: resourcePath(info, namespace, ref.name), body },
        targetOf(info, 'delete', namespace, ref.name),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async patchServiceAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
    resourceVersion: string,
  ): Promise<KubeObject> {
    // A resourceVersion inside a patch is a precondition: the API server answers 409 when it is stale.
    return this.mergePatch(kindInfo('Service'), namespace, name, {
      metadata: { resourceVersion, annotations },
    });
  }

  async patchServiceLoadBalancerIP(
    namespace: string,
    name: string,
    ip: string | null,
    resourceVersion: string,
  ): Promise<KubeObject> {
    return this.mergePatch(kindInfo('Service'), namespace, name, {
      metadata: { resourceVersion },
      spec: { loadBalancerIP: ip },
    });
  }

  async patchServiceStatus(
    namespace: string,
    name: string,
    status: Record<string, unknown>,
    resourceVersion: string,
  ): Promise<KubeObject> {
    return this.mergePatch(
      kindInfo('Service'),
      namespace,
      name,
      { metadata: { resourceVersion }, status },
      'status',
    );
  }

  async patchObject(
    ref: ObjectRef,
    patch: Record<string, unknown>,
    resourceVersion: string,
    subresource?: 'status',
  ): Promise<KubeObject> {
    const info = kindInfo(ref.kind);
    const namespace = requireNamespace(info, ref.namespace, ref.name);
    const metadata = { ...((patch.metadata as Record<string, unknown> | undefined) ?? {}), resourceVersion };
    return this.mergePatch(info, namespace, ref.name, { ...patch, metadata }, subresource);
  }

  async listObjects(
    kind: string,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KubeObject[]> {
    const info = kindInfo(kind);
    const items = await this.client.list(
      resourcePath(info, options.namespace),
      targetOf(info, 'list', options.namespace),
      {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        pageSize: this.options.pageSize,
      },
    );
    return items.map((item) => asObject(item, info.kind));
  }

  async readControllerEvidence(namespace: string, sinceSeconds: number): Promise<ControllerEvidence> {
    const evidence: ControllerEvidence = { logs: [], metrics: [], problems: [] };
    const pods = (await this.listObjects('Pod', { namespace })).filter(
      (p) => isControllerObject(p) && str(p, 'status', 'phase') === 'Running',
    );
    const info = kindInfo('Pod');
    const read = async (pod: KubeObject, what: 'log' | 'metrics'): Promise<void> => {
      const name = nameOf(pod);
      const proxy = what === 'metrics' ? metricsProxyName(pod, 'controller') : undefined;
      if (what === 'metrics' && proxy === undefined) return;
      try {
        const response = await this.client.request(
          what === 'log'
            ? {
                method: 'GET',
                path: resourcePath(info, namespace, name, 'log'),
                query: { container: 'controller', sinceSeconds: Math.max(1, Math.ceil(sinceSeconds)) },
                accept: 'text/plain, */*',
              }
            : {
                method: 'GET',
                path: `${resourcePath(info, namespace, proxy, 'proxy')}/metrics`,
                accept: 'text/plain, */*',
              },
          targetOf(info, 'get', namespace, name, what === 'log' ? 'log' : 'proxy'),
        );
        (what === 'log' ? evidence.logs : evidence.metrics).push(response.text);
      } catch (error) {
        evidence.problems.push(
          `${what} of pod ${namespace}/${name}: ${isAppError(error) ? error.message : String(error)}`,
        );
      }
    };
    await Promise.all(pods.flatMap((pod) => [read(pod, 'log'), read(pod, 'metrics')]));
    return evidence;
  }

  getLease(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.getObject({ kind: 'Lease', namespace, name });
  }

  createLease(lease: KubeObject): Promise<KubeObject> {
    return this.createObject({ apiVersion: 'coordination.k8s.io/v1', ...lease, kind: 'Lease' });
  }

  updateLease(lease: KubeObject): Promise<KubeObject> {
    return this.replaceObject({ apiVersion: 'coordination.k8s.io/v1', ...lease, kind: 'Lease' });
  }

  private async findWorkload(
    kind: WorkloadKind,
    selectors: string[],
    namespace?: string,
  ): Promise<KubeObject | undefined> {
    const info = kindInfo(kind);
    const lists = await Promise.all(
      selectors.map((labelSelector) =>
        this.client.list(resourcePath(info, namespace), targetOf(info, 'list', namespace), { labelSelector }),
      ),
    );
    const matches = kind === 'Deployment' ? isControllerObject : isSpeakerObject;
    // The label selector already filters; checking again keeps a server that ignores selectors from misleading us.
    const found = lists
      .flat()
      .map((item) => asObject(item, kind))
      .filter(matches)
      .sort(byNamespacedName);
    return found[0];
  }

  findController(namespace?: string): Promise<KubeObject | undefined> {
    return this.findWorkload('Deployment', CONTROLLER_SELECTORS, namespace);
  }

  findSpeaker(namespace?: string): Promise<KubeObject | undefined> {
    return this.findWorkload('DaemonSet', SPEAKER_SELECTORS, namespace);
  }

  reviewAccess(needs: readonly AccessNeed[]): Promise<boolean[]> {
    return Promise.all(needs.map((need) => this.reviewOne(need)));
  }

  private async reviewOne(need: AccessNeed): Promise<boolean> {
    const body = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { ...need, namespace: need.namespace ?? '' } },
    };
    // A review is a create that changes nothing; it needs no RBAC grant (every authenticated user may ask).
    const answer = (await this.client.json(
      { method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body },
      { verb: 'create', resource: 'selfsubjectaccessreviews', group: 'authorization.k8s.io' },
    )) as { status?: { allowed?: unknown } } | null;
    return answer?.status?.allowed === true;
  }
}

function duration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)}s`;
}

function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

function describe(error: unknown): string {
  if (isAppError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export interface ConnectOptions extends KubeConfigChoice, KubeClientOptions, KubeMetalLbClusterOptions {}

/**
 * The {@link MetalLbCluster} of a kubeconfig context (or of the pod's service account). The kubeconfig is loaded
 * at the first request and kept once it loads; until then every request tries again, so a bot that starts before
 * its kubeconfig is mounted answers with E_KUBECONFIG and recovers by itself. Credentials that expire (exec, OIDC,
 * projected tokens) are refreshed per request by the transport.
 */
export function connectMetalLbCluster(options: ConnectOptions = {}): MetalLbCluster {
  let connection: KubeConnection | undefined;
  const connect = (): KubeConnection => {
    if (connection === undefined) {
      const { kc, source } = loadKubeConfig(options);
      connection = { client: new KubeClient(createTransport(kc), options), source };
    }
    return connection;
  };
  return new KubeMetalLbCluster(connect, options);
}

/**
 * Small builders of Kubernetes objects and snapshots for unit tests of the drift engine. Shapes follow real
 * kubectl output (MetalLB release manifests); each builder takes overrides merged over its defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildContext, type AnalysisContext } from '../../src/drift/context';
import type { KubeObject, PodLog, PodMetrics, Snapshot } from '../../src/drift/model';

export const NOW = new Date('2026-11-26T12:00:00Z');
export const METALLB_NS = 'metallb-system';

type Meta = Record<string, unknown>;

/** A snapshot of the given objects, with optional logs and metrics. */
export function snapshotOf(
  objects: KubeObject[],
  evidence: { logs?: PodLog[]; metrics?: PodMetrics[] } = {},
): Snapshot {
  return { objects, logs: evidence.logs ?? [], metrics: evidence.metrics ?? [], notes: [], source: 'test' };
}

/** The analysis context of a snapshot at {@link NOW} (or the given time). */
export function contextOf(snapshot: Snapshot, now: Date = NOW): AnalysisContext {
  return buildContext(snapshot, { now });
}

/** Any object: kind, name, namespace (null for cluster-scoped) and extra top-level fields. */
export function object(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | null,
  rest: Record<string, unknown> = {},
  meta: Meta = {},
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name, ...(namespace === null ? {} : { namespace }), ...meta },
    ...rest,
  };
}

export function ipAddressPool(
  name: string,
  addresses: string[],
  spec: Record<string, unknown> = {},
  meta: Meta = {},
  namespace = METALLB_NS,
): KubeObject {
  return object(
    'metallb.io/v1beta1',
    'IPAddressPool',
    name,
    namespace,
    { spec: { addresses, ...spec } },
    meta,
  );
}

export function service(
  namespace: string,
  name: string,
  spec: Record<string, unknown> = { type: 'LoadBalancer' },
  status: Record<string, unknown> = {},
  meta: Meta = {},
): KubeObject {
  return object('v1', 'Service', name, namespace, { spec, status }, meta);
}

export function node(name: string, labels: Record<string, string> = {}): KubeObject {
  return object('v1', 'Node', name, null, {}, { labels: { 'kubernetes.io/os': 'linux', ...labels } });
}

export const PLAIN_CONTROLLER_LABELS = { app: 'metallb', component: 'controller' };
export const PLAIN_SPEAKER_LABELS = { app: 'metallb', component: 'speaker' };
export const HELM_CONTROLLER_LABELS = {
  'app.kubernetes.io/name': 'metallb',
  'app.kubernetes.io/instance': 'metallb',
  'app.kubernetes.io/component': 'controller',
};
export const HELM_SPEAKER_LABELS = {
  'app.kubernetes.io/name': 'metallb',
  'app.kubernetes.io/instance': 'metallb',
  'app.kubernetes.io/component': 'speaker',
};

/** The controller Deployment of the plain manifests (trimmed), at a version, with a status. */
export function controllerDeployment(
  options: {
    version?: string;
    namespace?: string;
    name?: string;
    labels?: Record<string, string>;
    replicas?: number;
    status?: Record<string, unknown>;
  } = {},
): KubeObject {
  const labels = options.labels ?? PLAIN_CONTROLLER_LABELS;
  return object(
    'apps/v1',
    'Deployment',
    options.name ?? 'controller',
    options.namespace ?? METALLB_NS,
    {
      spec: {
        ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'controller',
                image: `quay.io/metallb/controller:v${options.version ?? '0.15.3'}`,
                args: ['--port=7472', '--log-level=info'],
              },
            ],
            nodeSelector: { 'kubernetes.io/os': 'linux' },
          },
        },
      },
      status: options.status ?? { replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
    },
    { labels },
  );
}

/** The speaker DaemonSet of the plain manifests (trimmed), with a status. */
export function speakerDaemonSet(
  options: { namespace?: string; labels?: Record<string, string>; status?: Record<string, unknown> } = {},
): KubeObject {
  const labels = options.labels ?? PLAIN_SPEAKER_LABELS;
  return object(
    'apps/v1',
    'DaemonSet',
    'speaker',
    options.namespace ?? METALLB_NS,
    {
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'speaker', image: 'quay.io/metallb/speaker:v0.15.3' }],
            hostNetwork: true,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [
              { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' },
            ],
          },
        },
      },
      status: options.status ?? {
        currentNumberScheduled: 2,
        desiredNumberScheduled: 2,
        numberAvailable: 2,
        numberReady: 2,
        updatedNumberScheduled: 2,
      },
    },
    { labels },
  );
}

/** A MetalLB component Pod: running and ready on a node unless overridden. */
export function componentPod(
  role: 'controller' | 'speaker',
  name: string,
  options: {
    node?: string;
    ready?: boolean;
    phase?: string;
    startTime?: string;
    namespace?: string;
    labels?: Record<string, string>;
    spec?: Record<string, unknown>;
  } = {},
): KubeObject {
  const labels = options.labels ?? (role === 'controller' ? PLAIN_CONTROLLER_LABELS : PLAIN_SPEAKER_LABELS);
  const startTime = options.startTime ?? '2026-11-20T08:00:00Z';
  return object(
    'v1',
    'Pod',
    name,
    options.namespace ?? METALLB_NS,
    {
      spec: {
        containers: [{ name: role, image: `quay.io/metallb/${role}:v0.15.3` }],
        ...(options.node === undefined ? {} : { nodeName: options.node }),
        ...options.spec,
      },
      status: {
        phase: options.phase ?? 'Running',
        startTime,
        conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
        containerStatuses: [
          { name: role, ready: options.ready !== false, state: { running: { startedAt: startTime } } },
        ],
      },
    },
    { labels },
  );
}

/** A CustomResourceDefinition of group metallb.io (or another group) by plural. */
export function crd(plural: string, group = 'metallb.io', spec: Record<string, unknown> = {}): KubeObject {
  return object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${plural}.${group}`, null, {
    spec: { group, scope: 'Namespaced', ...spec },
  });
}

/** The objects of `test/fixtures/<file>` (one or more YAML documents), freshly parsed on every call. */
export function fixture(file: string): KubeObject[] {
  const text = readFileSync(join(__dirname, '..', 'fixtures', file), 'utf8');
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as unknown)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object' && 'kind' in o);
}

/** An L2Advertisement in the MetalLB namespace (or another one). */
export function l2Advertisement(
  name: string,
  spec: Record<string, unknown> = {},
  meta: Meta = {},
  namespace = METALLB_NS,
): KubeObject {
  return object('metallb.io/v1beta1', 'L2Advertisement', name, namespace, { spec }, meta);
}

/** A BGPAdvertisement in the MetalLB namespace (or another one). */
export function bgpAdvertisement(
  name: string,
  spec: Record<string, unknown> = {},
  meta: Meta = {},
  namespace = METALLB_NS,
): KubeObject {
  return object('metallb.io/v1beta1', 'BGPAdvertisement', name, namespace, { spec }, meta);
}

/** A BGPPeer (v1beta2) in the MetalLB namespace (or another one). */
export function bgpPeer(
  name: string,
  spec: Record<string, unknown> = {},
  namespace = METALLB_NS,
): KubeObject {
  return object('metallb.io/v1beta2', 'BGPPeer', name, namespace, {
    spec: { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1', ...spec },
  });
}

/** A BFDProfile in the MetalLB namespace (or another one). */
export function bfdProfile(name: string, namespace = METALLB_NS): KubeObject {
  return object('metallb.io/v1beta1', 'BFDProfile', name, namespace, { spec: { receiveInterval: 300 } });
}

/** A Service status holding the given ingress IPs (`status.loadBalancer.ingress[].ip`). */
export function ingressStatus(...ips: string[]): Record<string, unknown> {
  return { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } };
}

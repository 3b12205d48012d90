/**
 * A small MetalLB 0.14.9 cluster for the adapter's tests: the controller and a speaker in metallb-system, a pool,
 * a stray pool in another namespace, an L2Advertisement, seven LoadBalancer services over three namespaces (so
 * pages of two take four requests), and timed log lines relative to `now`.
 */
import type { KubeObject, Snapshot } from '../../../src/drift/model';

const NS = 'metallb-system';
const HOUR = 3_600_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function workload(kind: 'Deployment' | 'DaemonSet', name: string, component: string): KubeObject {
  const labels = { app: 'metallb', component };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: NS, labels, generation: 1 },
    spec: {
      ...(kind === 'Deployment' ? { replicas: 1 } : { updateStrategy: { type: 'RollingUpdate' } }),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: component, image: `quay.io/metallb/${component}:v0.14.9` }] },
      },
    },
    status:
      kind === 'Deployment'
        ? { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 }
        : {
            observedGeneration: 1,
            desiredNumberScheduled: 1,
            updatedNumberScheduled: 1,
            numberAvailable: 1,
            numberReady: 1,
          },
  };
}

function pod(name: string, component: string, port: { name: string; containerPort: number }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'metallb', component } },
    spec: { nodeName: 'node-1', containers: [{ name: component, ports: [port] }] },
    status: { phase: 'Running' },
  };
}

export function service(namespace: string, name: string, ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: { 'metallb.io/address-pool': 'default' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

export const SERVICE_NAMES = [
  'shop/web',
  'shop/api',
  'shop/cart',
  'blog/web',
  'blog/db',
  'ops/grafana',
  'ops/loki',
];

/** The seed, with the pool created three hours before `now` so logs are read from then. */
export function metallbCluster(now: Date): Snapshot {
  const t = now.getTime();
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    },
    workload('Deployment', 'controller', 'controller'),
    workload('DaemonSet', 'speaker', 'speaker'),
    pod('controller-7d9f', 'controller', { name: 'monitoring', containerPort: 7472 }),
    pod('speaker-x2k4', 'speaker', { name: 'monitoring', containerPort: 7472 }),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'default', namespace: NS, creationTimestamp: iso(t - 3 * HOUR) },
      spec: { addresses: ['192.168.10.0/24'] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'stray', namespace: 'default', creationTimestamp: iso(t - 5 * HOUR) },
      spec: { addresses: ['10.9.0.0/24'] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'l2', namespace: NS, creationTimestamp: iso(t - 4 * HOUR) },
      spec: {},
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'metallb-excludel2', namespace: NS },
      data: { 'excludel2.yaml': 'announcedInterfacesToExclude: []' },
    },
    ...SERVICE_NAMES.map((ref, i) => {
      const [namespace, name] = ref.split('/') as [string, string];
      return service(namespace, name, `192.168.10.${10 + i}`);
    }),
  ];
  const line = (ms: number, msg: string): string => JSON.stringify({ level: 'info', ts: iso(ms), msg });
  return {
    objects,
    logs: [
      {
        namespace: NS,
        pod: 'controller-7d9f',
        text: [line(t - 5 * HOUR, 'too old to read'), line(t - 2 * HOUR, 'inside the window'), ''].join('\n'),
      },
      { namespace: NS, pod: 'speaker-x2k4', text: `${line(t - 10 * 60_000, 'speaker line')}\n` },
    ],
    metrics: [
      { namespace: NS, pod: 'controller-7d9f', text: 'metallb_k8s_client_config_stale_bool 0\n' },
      { namespace: NS, pod: 'speaker-x2k4', text: 'metallb_k8s_client_config_stale_bool 1\n' },
    ],
    notes: [],
    source: 'seed',
  };
}

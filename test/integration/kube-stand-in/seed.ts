import type { KubeObject, Snapshot } from '../../../src/drift/model';

const NS = 'metallb-system';
const CONTROLLER = { app: 'metallb', component: 'controller' };
const SPEAKER = { app: 'metallb', component: 'speaker' };

export function pool(name: string, addresses: string[], spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: NS },
    spec: { addresses, ...spec },
  };
}

export function service(
  name: string,
  namespace = 'default',
  extra: { ip?: string; annotations?: Record<string, string>; spec?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      type: 'LoadBalancer',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      ...(extra.spec ?? {}),
    },
    status: { loadBalancer: extra.ip ? { ingress: [{ ip: extra.ip }] } : {} },
  };
}

function workload(
  kind: 'Deployment' | 'DaemonSet',
  name: string,
  labels: Record<string, string>,
  version: string,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: NS, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name, image: `quay.io/metallb/${name}:v${version}`, args: ['--port=7472', '--log-level=info'] },
          ],
        },
      },
    },
  };
}

export function pod(name: string, labels: Record<string, string>, node = 'node-a'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels },
    spec: { nodeName: node, containers: [{ name: labels.component ?? 'main' }] },
    status: { phase: 'Running', startTime: '2026-11-26T10:00:00Z' },
  };
}

export const CONTROLLER_POD = 'controller-7d9f8b6c5-x2x8q';
export const SPEAKER_POD = 'speaker-4kq9z';

/** A small MetalLB installation in `metallb-system`, in the shapes `kubectl get -o json` gives. */
export function metallbCluster(
  version: string,
  objects: KubeObject[] = [],
  logs: Snapshot['logs'] = [],
): Snapshot {
  return {
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NS, labels: { 'kubernetes.io/metadata.name': NS } },
      },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      },
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } },
      },
      workload('Deployment', 'controller', CONTROLLER, version),
      workload('DaemonSet', 'speaker', SPEAKER, version),
      pod(CONTROLLER_POD, { ...CONTROLLER, 'pod-template-hash': '7d9f8b6c5' }),
      pod(SPEAKER_POD, SPEAKER),
      ...objects,
    ],
    logs,
    metrics: [
      {
        namespace: NS,
        pod: CONTROLLER_POD,
        text: 'metallb_k8s_client_config_stale_bool 0\nmetallb_k8s_client_config_loaded_bool 1\n',
      },
    ],
    notes: [],
    source: 'test seed',
  };
}

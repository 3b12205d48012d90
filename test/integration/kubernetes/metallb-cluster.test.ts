import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annotationsOf, at, nameOf, str } from '../../../src/drift/fields';
import type { KubeObject } from '../../../src/drift/model';
import { AppError } from '../../../src/errors';
import { connectMetalLbCluster, KubernetesApiError, type MetalLbCluster } from '../../../src/kubernetes';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster } from './cluster-fixture';

const now = new Date();
let standIn: KubeStandIn;
let dir: string;
let cluster: MetalLbCluster;
let kubeconfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-mutate-'));
  kubeconfig = join(dir, 'kubeconfig');
  const seed = metallbCluster(now);
  // The Helm label scheme for the speaker, so both schemes are found.
  const speaker = seed.objects.find((o) => o.kind === 'DaemonSet') as KubeObject;
  speaker.metadata = {
    ...speaker.metadata,
    name: 'metallb-speaker',
    labels: { 'app.kubernetes.io/name': 'metallb', 'app.kubernetes.io/component': 'speaker' },
  };
  standIn = await startKubeStandIn({ snapshot: seed });
  await standIn.writeKubeconfig(kubeconfig);
  cluster = connectMetalLbCluster({ kubeconfig, pollIntervalMs: 20, retry: { baseDelayMs: 5 } });
});

afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

function stored(kind: string, namespace: string, name: string): KubeObject | undefined {
  return standIn.objects(kind).find((o) => nameOf(o) === name && o.metadata?.namespace === namespace);
}

function rv(obj: KubeObject | undefined): string {
  return str(obj, 'metadata', 'resourceVersion') ?? '';
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const pool = (name: string, addresses: string[]): KubeObject => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system' },
  spec: { addresses },
});

describe('mutations of a MetalLB cluster', () => {
  it('finds the controller and the speaker by either label scheme', async () => {
    expect(nameOf((await cluster.findController()) as KubeObject)).toBe('controller');
    expect(nameOf((await cluster.findSpeaker('metallb-system')) as KubeObject)).toBe('metallb-speaker');
    expect(await cluster.findController('elsewhere')).toBeUndefined();
  });

  it.each([
    ['Deployment', 'controller'],
    ['DaemonSet', 'metallb-speaker'],
  ] as const)('restarts a %s as kubectl rollout restart does', async (kind, name) => {
    await cluster.rolloutRestart(kind, 'metallb-system', name, new Date('2026-11-26T12:00:00.500Z'));
    expect(at(stored(kind, 'metallb-system', name), 'spec', 'template', 'metadata', 'annotations')).toEqual({
      'kubectl.kubernetes.io/restartedAt': '2026-11-26T12:00:00Z',
    });
    const patch = standIn.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/${name}`));
    expect(patch.at(-1)?.status).toBe(200);
  });

  it('waits for a rollout until the controller reports the new generation available', async () => {
    const before = stored('Deployment', 'metallb-system', 'controller');
    const generation = Number(at(before, 'metadata', 'generation'));
    const waiting = cluster.waitForRollout('Deployment', 'metallb-system', 'controller', 5000);
    // Acts as the Deployment controller would, a little later.
    setTimeout(() => {
      const status = {
        observedGeneration: generation,
        replicas: 1,
        updatedReplicas: 1,
        availableReplicas: 1,
      };
      void fetch(`${standIn.url}/apis/apps/v1/namespaces/metallb-system/deployments/controller/status`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json', authorization: 'Bearer stand-in-token' },
        body: JSON.stringify({ status }),
      });
    }, 100);
    const done = await waiting;
    expect(at(done, 'status', 'observedGeneration')).toBe(generation);
  });

  it('gives up waiting for a rollout after its timeout with E_CLUSTER_TIMEOUT saying what it waited for', async () => {
    await cluster.rolloutRestart(
      'DaemonSet',
      'metallb-system',
      'metallb-speaker',
      new Date('2026-11-26T13:00:00Z'),
    );
    const error = await failureOf(
      cluster.waitForRollout('DaemonSet', 'metallb-system', 'metallb-speaker', 150),
    );
    expect(error.code).toBe('E_CLUSTER_TIMEOUT');
    expect(error.message).toContain(
      'rollout of DaemonSet metallb-system/metallb-speaker did not finish within 150 ms',
    );
    expect(error.message).toContain('waiting for the rollout to be observed');
  });

  it('creates, replaces and deletes a MetalLB object', async () => {
    const created = await cluster.createObject({
      ...pool('extra', ['10.1.0.0/24']),
      metadata: { name: 'extra', namespace: 'metallb-system', resourceVersion: '7' },
    });
    expect(at(stored('IPAddressPool', 'metallb-system', 'extra'), 'spec', 'addresses')).toEqual([
      '10.1.0.0/24',
    ]);

    await cluster.replaceObject({ ...created, spec: { addresses: ['10.2.0.0/24'] } });
    expect(at(stored('IPAddressPool', 'metallb-system', 'extra'), 'spec', 'addresses')).toEqual([
      '10.2.0.0/24',
    ]);

    await expect(
      cluster.deleteObject({ kind: 'IPAddressPool', namespace: 'metallb-system', name: 'extra' }),
    ).resolves.toBe(true);
    expect(stored('IPAddressPool', 'metallb-system', 'extra')).toBeUndefined();
    await expect(
      cluster.deleteObject({ kind: 'IPAddressPool', namespace: 'metallb-system', name: 'extra' }),
    ).resolves.toBe(false);
  });

  it('refuses to replace an object changed since it was read (E_CONFLICT) and leaves it as it is', async () => {
    const first = await cluster.createObject(pool('contested', ['10.3.0.0/24']));
    await cluster.replaceObject({ ...first, spec: { addresses: ['10.4.0.0/24'] } });
    const error = await failureOf(cluster.replaceObject({ ...first, spec: { addresses: ['10.5.0.0/24'] } }));
    expect(error.code).toBe('E_CONFLICT');
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: 409, reason: 'Conflict', retryable: false });
    expect(at(stored('IPAddressPool', 'metallb-system', 'contested'), 'spec', 'addresses')).toEqual([
      '10.4.0.0/24',
    ]);
  });

  it('adds and removes service annotations guarded by resourceVersion', async () => {
    const before = stored('Service', 'shop', 'web');
    await cluster.patchServiceAnnotations(
      'shop',
      'web',
      { 'metallb.io/loadBalancerIPs': '192.168.10.10', 'metallb.io/address-pool': null },
      rv(before),
    );
    expect(annotationsOf(stored('Service', 'shop', 'web') as KubeObject)).toEqual({
      'metallb.io/loadBalancerIPs': '192.168.10.10',
    });

    const error = await failureOf(
      cluster.patchServiceAnnotations('shop', 'web', { 'metallb.io/loadBalancerIPs': null }, rv(before)),
    );
    expect(error.code).toBe('E_CONFLICT');
    expect(annotationsOf(stored('Service', 'shop', 'web') as KubeObject)).toEqual({
      'metallb.io/loadBalancerIPs': '192.168.10.10',
    });
  });

  it('sets and clears spec.loadBalancerIP', async () => {
    await cluster.patchServiceLoadBalancerIP(
      'shop',
      'api',
      '192.168.10.50',
      rv(stored('Service', 'shop', 'api')),
    );
    expect(at(stored('Service', 'shop', 'api'), 'spec', 'loadBalancerIP')).toBe('192.168.10.50');
    await cluster.patchServiceLoadBalancerIP('shop', 'api', null, rv(stored('Service', 'shop', 'api')));
    expect(at(stored('Service', 'shop', 'api'), 'spec', 'loadBalancerIP')).toBeUndefined();
  });

  it('clears a service status through the status subresource, and not on a stale version', async () => {
    const before = stored('Service', 'blog', 'web');
    await cluster.patchServiceStatus('blog', 'web', { loadBalancer: { ingress: null } }, rv(before));
    expect(at(stored('Service', 'blog', 'web'), 'status', 'loadBalancer', 'ingress')).toBeUndefined();
    expect(
      standIn.requests.some(
        (r) => r.method === 'PATCH' && r.path === '/api/v1/namespaces/blog/services/web/status',
      ),
    ).toBe(true);

    const error = await failureOf(
      cluster.patchServiceStatus(
        'blog',
        'web',
        { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
        rv(before),
      ),
    );
    expect(error.code).toBe('E_CONFLICT');
  });

  it('reads an object, or undefined when it does not exist', async () => {
    expect(
      str(await cluster.getObject({ kind: 'Service', namespace: 'ops', name: 'loki' }), 'metadata', 'name'),
    ).toBe('loki');
    expect(await cluster.getObject({ kind: 'Service', namespace: 'ops', name: 'gone' })).toBeUndefined();
  });

  it('names the missing permission when a patch is forbidden', async () => {
    standIn.setFaults([{ method: 'PATCH', path: '/services/grafana$', status: 403 }]);
    try {
      const error = await failureOf(
        cluster.patchServiceLoadBalancerIP('ops', 'grafana', '192.168.10.99', '1'),
      );
      expect(error.code).toBe('E_FORBIDDEN');
      expect(error.message).toContain('verb "patch", resource "services", group "" (core), namespace "ops"');
    } finally {
      standIn.setFaults([]);
    }
  });
});

describe('one port per cluster', () => {
  afterEach(() => standIn.setFaults([]));

  it('probes the API server and says which Kubernetes version answers', async () => {
    await expect(cluster.probe()).resolves.toEqual({
      reachable: true,
      kubernetesVersion: 'v1.30.0-stand-in',
    });
  });

  it('reports a server slower than the probe timeout as unreachable, asking only once', async () => {
    const port = connectMetalLbCluster({ kubeconfig, probeTimeoutMs: 100 });
    standIn.setFaults([{ path: '^/version$', delayMs: 1000 }]);
    const before = standIn.requests.filter((r) => r.path === '/version').length;
    const probe = await port.probe();
    expect(probe).toMatchObject({ reachable: false });
    expect(probe.reachable ? '' : probe.problem).toMatch(/^E_CLUSTER_TIMEOUT: .*no answer within 100 ms/);
    expect(standIn.requests.filter((r) => r.path === '/version').length - before).toBeLessThanOrEqual(1);
  });

  it('loads its kubeconfig once: a port keeps working after the file is gone', async () => {
    const copy = join(dir, 'kubeconfig-once');
    copyFileSync(kubeconfig, copy);
    const port = connectMetalLbCluster({ kubeconfig: copy });
    expect((await port.readSnapshot({ now })).source).toMatch(/^context /);
    rmSync(copy);
    expect((await port.probe()).reachable).toBe(true);
    expect(await port.getObject({ kind: 'Service', namespace: 'ops', name: 'loki' })).toBeDefined();
  });

  it('answers E_KUBECONFIG while its kubeconfig is missing, and works once it appears', async () => {
    const later = join(dir, 'kubeconfig-later');
    const port = connectMetalLbCluster({ kubeconfig: later });
    const error = await failureOf(port.readSnapshot({ now }));
    expect(error.code).toBe('E_KUBECONFIG');
    const missing = await port.probe();
    expect(missing.reachable ? 'reachable' : missing.problem).toMatch(/^E_KUBECONFIG: /);
    copyFileSync(kubeconfig, later);
    expect((await port.probe()).reachable).toBe(true);
  });

  it('sends its reads, probes and writes through one bound on requests in flight', async () => {
    const port = connectMetalLbCluster({ kubeconfig, concurrency: 1 });
    standIn.setFaults([{ path: '.*', delayMs: 80 }]);
    const started = Date.now();
    await Promise.all([
      port.probe(),
      port.getObject({ kind: 'Service', namespace: 'ops', name: 'loki' }),
      port.patchServiceAnnotations('ops', 'loki', { 'example.com/probe': null }, ''),
    ]);
    // One at a time: three answers of 80 ms each cannot overlap.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 80 - 10);
  });
});

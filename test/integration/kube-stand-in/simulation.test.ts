import type { KubeObject } from '../../../src/drift/model';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { CONTROLLER_POD, metallbCluster, pool, service } from './seed';

const POOLS = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools';

async function send(
  standIn: KubeStandIn,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<number> {
  const res = await fetch(`${standIn.url}${path}`, {
    method,
    headers: { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

const mergePatch = (standIn: KubeStandIn, path: string, body: unknown): Promise<number> =>
  send(standIn, 'PATCH', path, body, 'application/merge-patch+json');

function ipOf(standIn: KubeStandIn, name: string): string[] {
  const svc = standIn.objects('Service').find((s) => s.metadata?.name === name);
  const ingress =
    (svc?.status as { loadBalancer?: { ingress?: { ip: string }[] } } | undefined)?.loadBalancer?.ingress ??
    [];
  return ingress.map((i) => i.ip);
}

function annotationsOf(standIn: KubeStandIn, name: string): Record<string, string> {
  return standIn.objects('Service').find((s) => s.metadata?.name === name)?.metadata?.annotations ?? {};
}

function events(standIn: KubeStandIn): string[] {
  return standIn
    .objects('Event')
    .sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion))
    .map(
      (e: KubeObject) =>
        `${String(e.type)} ${String(e.reason)} ${(e.involvedObject as { name: string }).name}: ${String(e.message)}`,
    );
}

async function controllerLog(standIn: KubeStandIn): Promise<string> {
  const pod = standIn.objects('Pod').find((p) => p.metadata?.labels?.component === 'controller');
  const res = await fetch(
    `${standIn.url}/api/v1/namespaces/metallb-system/pods/${pod?.metadata?.name ?? ''}/log`,
  );
  return res.text();
}

describe('the simulated MetalLB controller', () => {
  let standIn: KubeStandIn | undefined;
  afterEach(() => standIn?.close());

  it.each([
    ['0.14.9', 'metallb.io/ip-allocated-from-pool'],
    ['0.13.12', 'metallb.universe.tf/ip-allocated-from-pool'],
  ])(
    'on %s assigns a pending service the first allowed IP and writes %s and IPAllocated',
    async (version, key) => {
      standIn = await startKubeStandIn({
        simulateMetallb: version,
        snapshot: metallbCluster(version, [
          pool('default', ['192.168.10.0/24'], { avoidBuggyIPs: true }),
          service('web'),
        ]),
      });
      expect(ipOf(standIn, 'web')).toEqual(['192.168.10.1']);
      expect(annotationsOf(standIn, 'web')).toEqual({ [key]: 'default' });
      expect(events(standIn)).toEqual(['Normal IPAllocated web: Assigned IP ["192.168.10.1"]']);
    },
  );

  it('assigns a service created through the API and fails with AllocationFailed when the pool is full', async () => {
    standIn = await startKubeStandIn({
      simulateMetallb: '0.14.9',
      snapshot: metallbCluster('0.14.9', [pool('tiny', ['10.0.0.7/32']), service('first')]),
    });
    expect(await send(standIn, 'POST', '/api/v1/namespaces/default/services', service('second'))).toBe(201);
    expect(ipOf(standIn, 'first')).toEqual(['10.0.0.7']);
    expect(ipOf(standIn, 'second')).toEqual([]);
    expect(events(standIn)).toContain(
      'Warning AllocationFailed second: Failed to allocate IP for "default/second": no available IPs',
    );
  });

  it('from 0.14.2 clears an IP a shrunk pool no longer holds (ClearAssignment) and assigns a new one', async () => {
    standIn = await startKubeStandIn({
      simulateMetallb: '0.14.2',
      snapshot: metallbCluster('0.14.2', [
        pool('default', ['10.0.0.0/24']),
        service('web', 'default', { ip: '10.0.0.200' }),
      ]),
    });
    expect(await mergePatch(standIn, `${POOLS}/default`, { spec: { addresses: ['10.0.0.0/25'] } })).toBe(200);
    expect(ipOf(standIn, 'web')).toEqual(['10.0.0.0']);
    expect(events(standIn)).toEqual([
      'Normal ClearAssignment web: current IP for "default/web" not allowed by config, will attempt for new IP assignment: ["10.0.0.200"] is not allowed in config',
      'Normal IPAllocated web: Assigned IP ["10.0.0.0"]',
    ]);
  });

  it('from 0.14.2 clears every IP without an event when the last pool is deleted', async () => {
    standIn = await startKubeStandIn({
      simulateMetallb: '0.15.3',
      snapshot: metallbCluster('0.15.3', [
        pool('default', ['10.0.0.0/24']),
        service('a', 'default', {
          ip: '10.0.0.1',
          annotations: { 'metallb.io/ip-allocated-from-pool': 'default' },
        }),
        service('b', 'shop', {
          ip: '10.0.0.2',
          annotations: { 'metallb.io/ip-allocated-from-pool': 'default' },
        }),
      ]),
    });
    expect(await send(standIn, 'DELETE', `${POOLS}/default`)).toBe(200);
    expect([ipOf(standIn, 'a'), ipOf(standIn, 'b')]).toEqual([[], []]);
    expect(annotationsOf(standIn, 'a')).toEqual({});
    expect(events(standIn)).toEqual([]);
    expect(await controllerLog(standIn)).toContain('"msg":"pools are empty","reason":"noConfig"');
  });

  it('up to 0.14.1 refuses a pool change that strands an IP: keeps the IP and the old pools, logs reload failed', async () => {
    standIn = await startKubeStandIn({
      simulateMetallb: '0.14.1',
      snapshot: metallbCluster('0.14.1', [
        pool('default', ['10.0.0.0/24']),
        service('web', 'default', { ip: '10.0.0.200' }),
      ]),
    });
    expect(await mergePatch(standIn, `${POOLS}/default`, { spec: { addresses: ['10.0.1.0/24'] } })).toBe(200);
    expect(ipOf(standIn, 'web')).toEqual(['10.0.0.200']);
    const log = await controllerLog(standIn);
    expect(log).toContain(
      'new config not compatible with assigned IPs: service \\"default/web\\" cannot own [\\"10.0.0.200\\"] under new config',
    );
    expect(log).toContain('"event":"reload failed, retry"');
    const metrics = await fetch(
      `${standIn.url}/api/v1/namespaces/metallb-system/pods/${CONTROLLER_POD}:7472/proxy/metrics`,
    );
    expect(await metrics.text()).toContain('metallb_k8s_client_config_stale_bool 1\n');
    // The controller still runs on the old pool: a new service gets an address the stored pool does not have.
    expect(await send(standIn, 'POST', '/api/v1/namespaces/default/services', service('late'))).toBe(201);
    expect(ipOf(standIn, 'late')).toEqual(['10.0.0.0']);
    expect(events(standIn).filter((e) => e.includes('ClearAssignment'))).toEqual([]);
  });

  it('replaces the controller pod on a rollout restart, keeping its labels', async () => {
    standIn = await startKubeStandIn({
      simulateMetallb: '0.14.9',
      snapshot: metallbCluster('0.14.9', [pool('default', ['10.0.0.0/24'])]),
    });
    const restartedAt = new Date().toISOString();
    const patch = {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } },
    };
    expect(
      await send(
        standIn,
        'PATCH',
        '/apis/apps/v1/namespaces/metallb-system/deployments/controller',
        patch,
        'application/strategic-merge-patch+json',
      ),
    ).toBe(200);
    const pods = standIn.objects('Pod').filter((p) => p.metadata?.labels?.component === 'controller');
    expect(pods).toHaveLength(1);
    const [fresh] = pods as [KubeObject];
    expect(fresh.metadata?.name).not.toBe(CONTROLLER_POD);
    expect(fresh.metadata?.name).toMatch(/^controller-[a-z0-9]{10}-[a-z0-9]{5}$/);
    expect(fresh.metadata?.labels).toMatchObject({ app: 'metallb', component: 'controller' });
    expect(Date.parse((fresh.status as { startTime: string }).startTime)).toBeGreaterThan(
      Date.parse('2026-11-26T10:00:00Z'),
    );
    expect(fresh.metadata?.annotations).toEqual({ 'kubectl.kubernetes.io/restartedAt': restartedAt });
    expect(await controllerLog(standIn)).toContain('MetalLB controller starting version 0.14.9');
  });
});

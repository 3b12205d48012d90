import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { CONTROLLER_POD, metallbCluster, pool, service } from './seed';

const POOLS = {
  group: 'metallb.io',
  version: 'v1beta1',
  namespace: 'metallb-system',
  plural: 'ipaddresspools',
};

function clientConfig(standIn: KubeStandIn): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(standIn.kubeconfigYaml);
  return kc;
}

async function statusOf(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) {
      return { code: error.code, body: JSON.parse(error.body as string) as Record<string, unknown> };
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('the Kubernetes API stand-in driven by @kubernetes/client-node', () => {
  let standIn: KubeStandIn;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const now = Date.now();
  const iso = (secondsAgo: number): string =>
    new Date(now - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

  beforeAll(async () => {
    const services = Array.from({ length: 7 }, (_, i) =>
      service(`svc-${i}`, i % 2 === 0 ? 'default' : 'shop'),
    );
    services[0]!.metadata!.labels = { tier: 'web' };
    services[3]!.metadata!.labels = { tier: 'web' };
    standIn = await startKubeStandIn({
      snapshot: metallbCluster(
        '0.14.9',
        [pool('default', ['192.168.10.0/24']), pool('spare', ['10.9.0.0/28']), ...services],
        [
          {
            namespace: 'metallb-system',
            pod: CONTROLLER_POD,
            text: [
              `{"caller":"main.go:159","level":"info","msg":"MetalLB controller starting","ts":"${iso(7200)}"}`,
              `{"caller":"service.go:180","event":"ipAllocated","level":"info","ts":"${iso(600)}"}`,
              `{"caller":"pool_controller.go:89","event":"reload failed, retry","level":"error","ts":"${iso(120)}"}`,
              `{"caller":"pool_controller.go:89","event":"reload failed, retry","level":"error","ts":"${iso(60)}"}`,
            ].join('\n'),
          },
        ],
      ),
    });
    const kc = clientConfig(standIn);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  afterAll(() => standIn.close());

  it('pages services with limit and continue until every one is read', async () => {
    const names: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const list = await core.listServiceForAllNamespaces({ limit: 3, _continue: token });
      names.push(...list.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`));
      pages.push(list.items.length);
      token = list.metadata?._continue;
    } while (token);
    expect(pages).toEqual([3, 3, 1]);
    expect(names.sort()).toEqual(
      [
        'default/svc-0',
        'default/svc-2',
        'default/svc-4',
        'default/svc-6',
        'shop/svc-1',
        'shop/svc-3',
        'shop/svc-5',
      ].sort(),
    );
  });

  it.each([
    ['tier=web', ['default/svc-0', 'shop/svc-3']],
    ['tier!=web', ['default/svc-2', 'default/svc-4', 'default/svc-6', 'shop/svc-1', 'shop/svc-5']],
    ['tier in (web,db)', ['default/svc-0', 'shop/svc-3']],
    ['!tier', ['default/svc-2', 'default/svc-4', 'default/svc-6', 'shop/svc-1', 'shop/svc-5']],
  ])('filters services by the label selector %s', async (labelSelector, expected) => {
    const list = await core.listServiceForAllNamespaces({ labelSelector });
    expect(list.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual(expected);
  });

  it('lists and gets MetalLB pools as custom objects', async () => {
    const list = (await custom.listNamespacedCustomObject(POOLS)) as {
      items: { metadata: { name: string } }[];
    };
    expect(list.items.map((p) => p.metadata.name)).toEqual(['default', 'spare']);
    const got = (await custom.getNamespacedCustomObject({ ...POOLS, name: 'spare' })) as { spec: unknown };
    expect(got.spec).toEqual({ addresses: ['10.9.0.0/28'] });
  });

  it('merge-patches a pool sent with the merge-patch content type', async () => {
    const patched = (await custom.patchNamespacedCustomObject(
      { ...POOLS, name: 'spare', body: { spec: { autoAssign: false } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { spec: unknown; metadata: { resourceVersion: string } };
    expect(patched.spec).toEqual({ addresses: ['10.9.0.0/28'], autoAssign: false });
    const stored = standIn.objects('IPAddressPool').find((p) => p.metadata?.name === 'spare');
    expect(stored?.spec).toEqual({ addresses: ['10.9.0.0/28'], autoAssign: false });
  });

  it('applies a JSON patch, the client default for patches', async () => {
    await custom.patchNamespacedCustomObject({
      ...POOLS,
      name: 'spare',
      body: [{ op: 'replace', path: '/spec/addresses/0', value: '10.9.1.0/28' }],
    });
    const stored = standIn.objects('IPAddressPool').find((p) => p.metadata?.name === 'spare');
    expect((stored?.spec as { addresses: string[] }).addresses).toEqual(['10.9.1.0/28']);
  });

  it('refuses a strategic merge patch on a custom resource with 415, as the apiserver does', async () => {
    const failure = await statusOf(
      custom.patchNamespacedCustomObject(
        { ...POOLS, name: 'spare', body: { spec: { autoAssign: true } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(failure.code).toBe(415);
    expect(failure.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
  });

  it('answers 409 Conflict with a Status body to an update carrying a stale resourceVersion', async () => {
    const current = (await custom.getNamespacedCustomObject({ ...POOLS, name: 'default' })) as {
      metadata: { resourceVersion: string };
    };
    await custom.replaceNamespacedCustomObject({
      ...POOLS,
      name: 'default',
      body: { ...current, spec: { addresses: ['192.168.10.0/25'] } },
    });
    const stale = await statusOf(
      custom.replaceNamespacedCustomObject({
        ...POOLS,
        name: 'default',
        body: { ...current, spec: { addresses: ['192.168.11.0/24'] } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: expect.stringContaining(
        'ipaddresspools.metallb.io "default": the object has been modified',
      ) as unknown,
    });
    const stored = standIn.objects('IPAddressPool').find((p) => p.metadata?.name === 'default');
    expect(stored?.spec).toEqual({ addresses: ['192.168.10.0/25'] });
  });

  it('gives increasing resourceVersions across writes', async () => {
    const before = Number(
      (await core.readNamespacedService({ name: 'svc-2', namespace: 'default' })).metadata?.resourceVersion,
    );
    const after = await core.patchNamespacedService(
      { name: 'svc-2', namespace: 'default', body: { metadata: { labels: { touched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(Number(after.metadata?.resourceVersion)).toBeGreaterThan(before);
  });

  it('writes status only through the status subresource', async () => {
    const ingress = { loadBalancer: { ingress: [{ ip: '192.168.10.9' }] } };
    await core.patchNamespacedService(
      {
        name: 'svc-4',
        namespace: 'default',
        body: { spec: { loadBalancerIP: '192.168.10.8' }, status: ingress },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const afterMain = await core.readNamespacedService({ name: 'svc-4', namespace: 'default' });
    expect([afterMain.spec?.loadBalancerIP, afterMain.status?.loadBalancer?.ingress]).toEqual([
      '192.168.10.8',
      undefined,
    ]);
    await core.patchNamespacedServiceStatus(
      {
        name: 'svc-4',
        namespace: 'default',
        body: { spec: { loadBalancerIP: '10.0.0.1' }, status: ingress },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const afterStatus = await core.readNamespacedService({ name: 'svc-4', namespace: 'default' });
    expect([afterStatus.spec?.loadBalancerIP, afterStatus.status?.loadBalancer?.ingress?.[0]?.ip]).toEqual([
      '192.168.10.8',
      '192.168.10.9',
    ]);
  });

  it('answers a missing object with a NotFound Status body', async () => {
    const missing = await statusOf(custom.getNamespacedCustomObject({ ...POOLS, name: 'nope' }));
    expect(missing).toEqual({
      code: 404,
      body: expect.objectContaining({
        kind: 'Status',
        reason: 'NotFound',
        message: 'ipaddresspools.metallb.io "nope" not found',
      }) as unknown,
    });
  });

  it.each([
    [{}, 4],
    [{ tailLines: 1 }, 1],
    [{ sinceSeconds: 300 }, 2],
    [{ sinceSeconds: 900, tailLines: 2 }, 2],
    [{ sinceSeconds: 30 }, 0],
  ])('reads the controller log honouring %j', async (options, lines) => {
    const text = await core.readNamespacedPodLog({
      name: CONTROLLER_POD,
      namespace: 'metallb-system',
      ...options,
    });
    const got = text.split('\n').filter((l) => l !== '');
    expect(got).toHaveLength(lines);
    if (lines > 0) expect(got[got.length - 1]).toContain(`"ts":"${iso(60)}"`);
  });

  it('serves pod metrics through the proxy path in both port forms', async () => {
    const plain = await fetch(
      `${standIn.url}/api/v1/namespaces/metallb-system/pods/${CONTROLLER_POD}:7472/proxy/metrics`,
    );
    expect(await plain.text()).toContain('metallb_k8s_client_config_stale_bool 0');
    const tls = await fetch(
      `${standIn.url}/api/v1/namespaces/metallb-system/pods/https:${CONTROLLER_POD}:9120/proxy/metrics`,
    );
    expect(tls.status).toBe(200);
    expect(await tls.text()).toContain('metallb_k8s_client_config_loaded_bool 1');
  });
});

describe('a stand-in with a page size cap', () => {
  it('pages a list the client asked for whole, so a client that ignores continue misses objects', async () => {
    const standIn = await startKubeStandIn({
      pageSizeCap: 2,
      snapshot: metallbCluster('0.14.9', [service('a'), service('b'), service('c')]),
    });
    try {
      const core = clientConfig(standIn).makeApiClient(CoreV1Api);
      const first = await core.listNamespacedService({ namespace: 'default' });
      expect(first.items.map((s) => s.metadata?.name)).toEqual(['a', 'b']);
      const rest = await core.listNamespacedService({
        namespace: 'default',
        _continue: first.metadata?._continue,
      });
      expect([rest.items.map((s) => s.metadata?.name), rest.metadata?._continue]).toEqual([['c'], undefined]);
    } finally {
      await standIn.close();
    }
  });
});

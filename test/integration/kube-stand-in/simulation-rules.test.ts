/**
 * The simulated MetalLB controller through the stand-in's HTTP API, case by case from MetalLB's behaviour
 * (tools/kube-stand-in/README.md): what it assigns, keeps, clears and refuses, by version.
 */
import type { KubeObject } from '../../../src/drift/model';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { CONTROLLER_POD, metallbCluster, pool, service } from './seed';

const POOLS = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools';

async function send(standIn: KubeStandIn, method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${standIn.url}${path}`, {
    method,
    headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

const create = (standIn: KubeStandIn, svc: KubeObject) =>
  send(standIn, 'POST', `/api/v1/namespaces/${svc.metadata?.namespace ?? 'default'}/services`, svc);

function find(standIn: KubeStandIn, name: string): KubeObject | undefined {
  return standIn.objects('Service').find((s) => s.metadata?.name === name);
}

function ipOf(standIn: KubeStandIn, name: string): string[] {
  const status = find(standIn, name)?.status as { loadBalancer?: { ingress?: { ip: string }[] } } | undefined;
  return (status?.loadBalancer?.ingress ?? []).map((i) => i.ip);
}

function events(standIn: KubeStandIn): string[] {
  return standIn
    .objects('Event')
    .sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion))
    .map((e) => `${String(e.reason)} ${(e.involvedObject as { name: string }).name}: ${String(e.message)}`);
}

async function controllerLog(standIn: KubeStandIn): Promise<string> {
  const pod = standIn.objects('Pod').find((p) => p.metadata?.labels?.component === 'controller');
  return (
    await fetch(`${standIn.url}/api/v1/namespaces/metallb-system/pods/${pod?.metadata?.name ?? ''}/log`)
  ).text();
}

async function staleMetric(standIn: KubeStandIn): Promise<string | undefined> {
  const res = await fetch(
    `${standIn.url}/api/v1/namespaces/metallb-system/pods/${CONTROLLER_POD}:7472/proxy/metrics`,
  );
  return /metallb_k8s_client_config_stale_bool (\d)/.exec(await res.text())?.[1];
}

let standIn: KubeStandIn | undefined;
afterEach(() => standIn?.close());

async function start(version: string, objects: KubeObject[]): Promise<KubeStandIn> {
  standIn = await startKubeStandIn({ simulateMetallb: version, snapshot: metallbCluster(version, objects) });
  return standIn;
}

describe('a service created through the API', () => {
  const pools = [pool('main', ['10.0.0.0/24']), pool('manual', ['10.9.0.0/24'], { autoAssign: false })];

  it.each<[string, string, Record<string, string>, Record<string, unknown>, string[], string | undefined]>([
    [
      'metallb.io/loadBalancerIPs',
      '0.14.9',
      { 'metallb.io/loadBalancerIPs': '10.0.0.9' },
      {},
      ['10.0.0.9'],
      'metallb.io',
    ],
    [
      'metallb.io/ is unknown before 0.14.9',
      '0.14.8',
      { 'metallb.io/loadBalancerIPs': '10.0.0.9' },
      {},
      ['10.0.0.0'],
      'metallb.universe.tf',
    ],
    [
      'the deprecated prefix on 0.14.8',
      '0.14.8',
      { 'metallb.universe.tf/loadBalancerIPs': '10.0.0.9' },
      {},
      ['10.0.0.9'],
      'metallb.universe.tf',
    ],
    [
      'the deprecated prefix on 0.15.3',
      '0.15.3',
      { 'metallb.universe.tf/loadBalancerIPs': '10.0.0.9' },
      {},
      ['10.0.0.9'],
      'metallb.io',
    ],
    [
      'address-pool of an autoAssign false pool',
      '0.13.12',
      { 'metallb.universe.tf/address-pool': 'manual' },
      {},
      ['10.9.0.0'],
      'metallb.universe.tf',
    ],
    [
      'an IPv4-mapped spec.loadBalancerIP',
      '0.14.9',
      {},
      { loadBalancerIP: '::ffff:10.0.0.20' },
      ['10.0.0.20'],
      'metallb.io',
    ],
    ['no ip-allocated-from-pool before 0.13.9', '0.13.7', {}, {}, ['10.0.0.0'], undefined],
  ])('%s (%s)', async (_, version, annotations, spec, ips, prefix) => {
    const s = await start(version, pools);
    expect(await create(s, service('web', 'default', { annotations, spec }))).toBe(201);
    expect(ipOf(s, 'web')).toEqual(ips);
    const written = Object.entries(find(s, 'web')?.metadata?.annotations ?? {}).filter(([k]) =>
      k.endsWith('/ip-allocated-from-pool'),
    );
    expect(written).toEqual(
      prefix === undefined ? [] : [[`${prefix}/ip-allocated-from-pool`, expect.any(String)]],
    );
  });

  it('is not handled when its loadBalancerClass is not the controller`s', async () => {
    const s = await start('0.14.9', pools);
    expect(await create(s, service('web', 'default', { spec: { loadBalancerClass: 'other.io/lb' } }))).toBe(
      201,
    );
    expect(ipOf(s, 'web')).toEqual([]);
    expect(events(s)).toEqual([]);
  });

  it('gets a LoadBalancerFailed event for an invalid request', async () => {
    const s = await start('0.14.9', pools);
    await create(s, service('web', 'default', { spec: { loadBalancerIP: '10.0.0.300' } }));
    expect(events(s)).toEqual([
      'LoadBalancerFailed web: invalid requested loadbalancer IPs: invalid spec.loadBalancerIP "10.0.0.300"',
    ]);
  });

  it('takes both families of a dual-stack service from one pool', async () => {
    const s = await start('0.14.9', [
      pool('a-v4', ['10.0.0.0/24']),
      pool('b-dual', ['10.1.0.0/24', '2001:db8:1::/120']),
    ]);
    await create(
      s,
      service('web', 'default', {
        spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] },
      }),
    );
    expect(ipOf(s, 'web')).toEqual(['10.1.0.0', '2001:db8:1::']);
    expect(events(s)).toEqual(['IPAllocated web: Assigned IP ["10.1.0.0" "2001:db8:1::"]']);
  });

  it('is admitted by a pool whose namespaceSelectors match no namespace', async () => {
    const s = await start('0.15.0', [
      pool('p', ['10.3.0.0/24'], {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'none' } }] },
      }),
    ]);
    await create(s, service('web', 'shop'));
    expect(ipOf(s, 'web')).toEqual(['10.3.0.0']);
  });
});

describe('AddressPools', () => {
  const legacy: KubeObject = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'AddressPool',
    metadata: { name: 'legacy', namespace: 'metallb-system' },
    spec: { protocol: 'layer2', addresses: ['10.5.0.0/24'] },
  };

  it.each<[string, string[]]>([
    ['0.13.12', ['10.5.0.0']],
    ['0.14.1', ['10.5.0.0']],
    ['0.14.2', []],
  ])('on %s are pools: %j', async (version, ips) => {
    const s = await start(version, [legacy, service('web')]);
    expect(ipOf(s, 'web')).toEqual(ips);
  });
});

describe('sharing an IP', () => {
  const dns = (name: string, key: string, protocol: string, ip?: string) =>
    service(name, 'default', {
      ip,
      annotations: { 'metallb.io/allow-shared-ip': key },
      spec: { loadBalancerIP: '10.0.0.53', ports: [{ port: 53, protocol }] },
    });

  it('gives the requested IP to services of one key on other ports, and refuses another key', async () => {
    const s = await start('0.14.9', [pool('p', ['10.0.0.0/24']), dns('dns-tcp', 'dns', 'TCP', '10.0.0.53')]);
    await create(s, dns('dns-udp', 'dns', 'UDP'));
    await create(s, dns('intruder', 'other', 'SCTP'));
    expect([ipOf(s, 'dns-udp'), ipOf(s, 'intruder')]).toEqual([['10.0.0.53'], []]);
    expect(events(s)).toEqual([
      'IPAllocated dns-udp: Assigned IP ["10.0.0.53"]',
      'AllocationFailed intruder: Failed to allocate IP for "default/intruder": sharing key "other" does not match existing sharing key "dns"',
    ]);
  });
});

describe('changes to a service holding an IP', () => {
  it('a different requested IP: cleared without ClearAssignment and assigned the requested one', async () => {
    const s = await start('0.14.9', [
      pool('p', ['10.0.0.0/24']),
      service('web', 'default', { ip: '10.0.0.7' }),
    ]);
    const patch = { metadata: { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.70' } } };
    expect(await send(s, 'PATCH', '/api/v1/namespaces/default/services/web', patch)).toBe(200);
    expect(ipOf(s, 'web')).toEqual(['10.0.0.70']);
    expect(events(s)).toEqual(['IPAllocated web: Assigned IP ["10.0.0.70"]']);
    expect(await controllerLog(s)).toContain('"reason":"differentIPRequested"');
  });

  it('an unrelated label: kept', async () => {
    const s = await start('0.14.9', [
      pool('p', ['10.0.0.0/24']),
      service('web', 'default', { ip: '10.0.0.7' }),
    ]);
    await send(s, 'PATCH', '/api/v1/namespaces/default/services/web', {
      metadata: { labels: { team: 'a' } },
    });
    expect(ipOf(s, 'web')).toEqual(['10.0.0.7']);
    expect(events(s)).toEqual([]);
  });
});

describe('pool changes, by version', () => {
  it.each<[string, Record<string, unknown>, string[], string[]]>([
    [
      '0.14.2',
      { avoidBuggyIPs: true },
      ['10.0.0.1'],
      [
        'ClearAssignment web: current IP for "default/web" not allowed by config, will attempt for new IP assignment: ["10.0.0.0"] is not allowed in config',
        'IPAllocated web: Assigned IP ["10.0.0.1"]',
      ],
    ],
    ['0.14.1', { avoidBuggyIPs: true }, ['10.0.0.0'], []],
    [
      '0.15.0',
      { serviceAllocation: { namespaces: ['shop'] } },
      ['10.7.0.0'],
      [
        'ClearAssignment web: current IP for "default/web" not allowed by config, will attempt for new IP assignment: ["10.0.0.0"] is not allowed in config',
        'IPAllocated web: Assigned IP ["10.7.0.0"]',
      ],
    ],
    ['0.15.0', { autoAssign: false }, ['10.0.0.0'], []],
  ])('on %s, %j', async (version, change, ips, expected) => {
    const s = await start(version, [
      pool('main', ['10.0.0.0/24']),
      pool('spare', ['10.7.0.0/24']),
      service('web', 'default', { ip: '10.0.0.0' }),
    ]);
    expect(await send(s, 'PATCH', `${POOLS}/main`, { spec: change })).toBe(200);
    expect(ipOf(s, 'web')).toEqual(ips);
    expect(events(s)).toEqual(expected);
  });

  it.each(['0.14.1', '0.15.3'])(
    'on %s a config MetalLB cannot parse is refused and the old pools stay',
    async (version) => {
      const s = await start(version, [pool('main', ['10.0.0.0/24'])]);
      expect(await send(s, 'PATCH', `${POOLS}/main`, { spec: { addresses: ['10.1.0.1'] } })).toBe(200);
      expect(await controllerLog(s)).toContain('invalid CIDR \\"10.1.0.1\\" in pool \\"main\\"');
      expect(await staleMetric(s)).toBe('1');
      await create(s, service('late'));
      expect(ipOf(s, 'late')).toEqual(['10.0.0.0']);
      expect(await send(s, 'PATCH', `${POOLS}/main`, { spec: { addresses: ['10.1.0.0/24'] } })).toBe(200);
      expect(await staleMetric(s)).toBe(version === '0.14.1' ? '1' : '0');
    },
  );

  it('a seed config MetalLB cannot parse is never loaded: nothing is assigned', async () => {
    const s = await start('0.15.3', [pool('main', ['10.0.0.0/24', '10.0.0.5-10.0.0.1']), service('web')]);
    expect(ipOf(s, 'web')).toEqual([]);
    expect(await controllerLog(s)).toContain('start IP \\"10.0.0.5\\" is after the end IP \\"10.0.0.1\\"');
    expect(await staleMetric(s)).toBe('1');
  });

  it('on 0.15.3 overlapping pools are refused', async () => {
    const s = await start('0.15.3', [pool('a', ['10.0.0.0/24'])]);
    expect(await send(s, 'POST', POOLS, pool('b', ['10.0.0.128/25']))).toBe(201);
    expect(await controllerLog(s)).toContain(
      'CIDR \\"10.0.0.128/25\\" in pool \\"b\\" overlaps with already defined CIDR \\"10.0.0.0/24\\"',
    );
    expect(await staleMetric(s)).toBe('1');
  });
});

/**
 * The simulation's allocator against MetalLB's allocation rules (`internal/allocator`, `controller/service.go` in
 * MetalLB source): pools, avoidBuggyIPs, autoAssign, serviceAllocation, requested IPs and pools by version, sharing,
 * one pool per service.
 */
import type { KubeObject } from '../../../src/drift/model';
import { Allocator, type Outcome } from '../../../tools/kube-stand-in/metallb/allocator';
import { formatIp, parseIp, type Ip } from '../../../tools/kube-stand-in/metallb/ip';
import { parsePools } from '../../../tools/kube-stand-in/metallb/pools';
import { readService } from '../../../tools/kube-stand-in/metallb/services';
import { parseVersion, type Version } from '../../../tools/kube-stand-in/metallb/version';

const NS = 'metallb-system';

function pool(name: string, addresses: string[], spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace: NS },
    spec: { addresses, ...spec },
  };
}

interface Svc {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec?: Record<string, unknown>;
  ip?: string[];
}

function service(s: Svc = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name ?? 'web',
      namespace: s.namespace ?? 'default',
      labels: s.labels ?? {},
      annotations: s.annotations ?? {},
    },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...s.spec },
    status: { loadBalancer: s.ip ? { ingress: s.ip.map((ip) => ({ ip })) } : {} },
  };
}

const NAMESPACES: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { tier: 'dev' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { tier: 'prod' } } },
];

/** Allocates for the last service after the others have claimed their status IPs: `pool: ip ip` or the error. */
function allocate(pools: KubeObject[], services: Svc[], version = '0.14.9'): string {
  const v = parseVersion(version) as Version;
  const parsed = parsePools(pools, NS, v, NAMESPACES);
  if (!parsed.ok) throw new Error(parsed.error);
  const allocator = new Allocator(parsed.pools);
  const requests = services.map((s) => readService(service(s), v));
  for (const r of requests.slice(0, -1)) {
    allocator.claim(
      r,
      r.ingress.map((i) => i.ip).filter((ip): ip is Ip => ip !== undefined),
    );
  }
  return show(allocator.allocate(requests[requests.length - 1] as (typeof requests)[number]));
}

function show(outcome: Outcome): string {
  return outcome.ok ? `${outcome.pool.name}: ${outcome.ips.map(formatIp).join(' ')}` : outcome.error;
}

describe('auto-assignment from pools', () => {
  it.each<[string, KubeObject[], Svc[], string]>([
    ['the network address first', [pool('p', ['10.0.0.0/24'])], [{}], 'p: 10.0.0.0'],
    ['avoidBuggyIPs skips .0', [pool('p', ['10.0.0.0/24'], { avoidBuggyIPs: true })], [{}], 'p: 10.0.0.1'],
    [
      'avoidBuggyIPs skips .255 and .0 in every /24, not just the edges',
      [pool('p', ['10.0.0.254-10.0.1.5'], { avoidBuggyIPs: true })],
      [{ name: 'a', ip: ['10.0.0.254'] }, {}],
      'p: 10.0.1.1',
    ],
    [
      'the next free address',
      [pool('p', ['10.0.0.0/30'])],
      [{ name: 'a', ip: ['10.0.0.0'] }, { name: 'b', ip: ['10.0.0.1'] }, {}],
      'p: 10.0.0.2',
    ],
    [
      'an address held IPv4-mapped is held',
      [pool('p', ['10.0.0.0/30'])],
      [{ name: 'a', ip: ['::ffff:10.0.0.0'] }, {}],
      'p: 10.0.0.1',
    ],
    ['entries in written order', [pool('p', ['10.0.9.0/31', '10.0.1.0/31'])], [{}], 'p: 10.0.9.0'],
    ['a full pool', [pool('p', ['10.0.0.7/32'])], [{ name: 'a', ip: ['10.0.0.7'] }, {}], 'no available IPs'],
    [
      'not from an autoAssign false pool',
      [pool('p', ['10.0.0.0/24'], { autoAssign: false })],
      [{}],
      'no available IPs',
    ],
    ['open pools by name', [pool('b', ['10.0.1.0/24']), pool('a', ['10.0.2.0/24'])], [{}], 'a: 10.0.2.0'],
    [
      'IPv6 for an IPv6 service',
      [pool('p', ['10.0.0.0/24', '2001:db8::/120'])],
      [{ spec: { ipFamilies: ['IPv6'] } }],
      'p: 2001:db8::',
    ],
    [
      'no IPv6 in an IPv4 pool',
      [pool('p', ['10.0.0.0/24'])],
      [{ spec: { ipFamilies: ['IPv6'] } }],
      'no available IPs',
    ],
  ])('%s', (_, pools, services, expected) => {
    expect(allocate(pools, services)).toBe(expected);
  });
});

describe('serviceAllocation', () => {
  const pinned = (name: string, addresses: string[], serviceAllocation: Record<string, unknown>) =>
    pool(name, addresses, { serviceAllocation });

  it.each<[string, KubeObject[], Svc[], string]>([
    [
      'a pool that admits the service comes before open pools',
      [pool('a-open', ['10.0.0.0/24']), pinned('z-pinned', ['10.1.0.0/24'], { namespaces: ['default'] })],
      [{}],
      'z-pinned: 10.1.0.0',
    ],
    [
      'a pool with serviceAllocation is never an open pool',
      [pinned('p', ['10.1.0.0/24'], { namespaces: ['shop'] })],
      [{}],
      'no available IPs',
    ],
    [
      'lower priority first, unset priority last',
      [
        pinned('unset', ['10.1.0.0/24'], { namespaces: ['default'] }),
        pinned('two', ['10.2.0.0/24'], { priority: 2, namespaces: ['default'] }),
        pinned('one', ['10.3.0.0/24'], { priority: 1, namespaces: ['default'] }),
      ],
      [{}],
      'one: 10.3.0.0',
    ],
    [
      'the next pool when the preferred one is full',
      [
        pinned('one', ['10.3.0.0/32'], { priority: 1, namespaces: ['default'] }),
        pinned('two', ['10.2.0.0/24'], { priority: 2, namespaces: ['default'] }),
      ],
      [{ name: 'a', ip: ['10.3.0.0'] }, {}],
      'two: 10.2.0.0',
    ],
    [
      'namespaces UNION namespaceSelectors: admitted by the selector',
      [
        pinned('p', ['10.1.0.0/24'], {
          namespaces: ['shop'],
          namespaceSelectors: [{ matchLabels: { tier: 'dev' } }],
        }),
      ],
      [{}],
      'p: 10.1.0.0',
    ],
    [
      'namespaces UNION namespaceSelectors: admitted by the list',
      [
        pinned('p', ['10.1.0.0/24'], {
          namespaces: ['default'],
          namespaceSelectors: [{ matchLabels: { tier: 'prod' } }],
        }),
      ],
      [{}],
      'p: 10.1.0.0',
    ],
    [
      'namespaceSelectors matching no namespace restrict nothing',
      [pinned('p', ['10.1.0.0/24'], { namespaceSelectors: [{ matchLabels: { tier: 'none' } }] })],
      [{ namespace: 'elsewhere' }],
      'p: 10.1.0.0',
    ],
    [
      'serviceSelectors: matching labels',
      [pinned('p', ['10.1.0.0/24'], { serviceSelectors: [{ matchLabels: { app: 'web' } }] })],
      [{ labels: { app: 'web' } }],
      'p: 10.1.0.0',
    ],
    [
      'serviceSelectors: other labels',
      [pinned('p', ['10.1.0.0/24'], { serviceSelectors: [{ matchLabels: { app: 'web' } }] })],
      [{ labels: { app: 'db' } }],
      'no available IPs',
    ],
    [
      'namespace and service selectors must both admit',
      [
        pinned('p', ['10.1.0.0/24'], {
          namespaces: ['shop'],
          serviceSelectors: [{ matchLabels: { app: 'web' } }],
        }),
      ],
      [{ labels: { app: 'web' } }],
      'no available IPs',
    ],
    [
      'neither namespaces nor selectors admits every service',
      [pinned('p', ['10.1.0.0/24'], { priority: 3 })],
      [{ namespace: 'anywhere' }],
      'p: 10.1.0.0',
    ],
  ])('%s', (_, pools, services, expected) => {
    expect(allocate(pools, services)).toBe(expected);
  });
});

describe('requested IPs and pools', () => {
  const pools = [
    pool('main', ['10.0.0.0/24'], { avoidBuggyIPs: true }),
    pool('manual', ['10.9.0.0/24'], { autoAssign: false }),
    pool('shop-only', ['10.8.0.0/24'], { serviceAllocation: { namespaces: ['shop'] } }),
  ];

  it.each<[string, Svc, string, string]>([
    ['spec.loadBalancerIP', { spec: { loadBalancerIP: '10.0.0.42' } }, '0.14.9', 'main: 10.0.0.42'],
    [
      'an IPv4-mapped request is the IPv4 address',
      { spec: { loadBalancerIP: '::ffff:10.0.0.42' } },
      '0.14.9',
      'main: 10.0.0.42',
    ],
    [
      'an IP of an autoAssign false pool',
      { spec: { loadBalancerIP: '10.9.0.7' } },
      '0.14.9',
      'manual: 10.9.0.7',
    ],
    [
      'an IP outside every pool',
      { spec: { loadBalancerIP: '10.7.0.1' } },
      '0.14.9',
      '["10.7.0.1"] is not allowed in config',
    ],
    [
      'an IP avoidBuggyIPs removes',
      { spec: { loadBalancerIP: '10.0.0.255' } },
      '0.14.9',
      '["10.0.0.255"] is not allowed in config',
    ],
    [
      'an IP of a pool that does not admit the service',
      { spec: { loadBalancerIP: '10.8.0.1' } },
      '0.14.9',
      '["10.8.0.1"] is not allowed in config',
    ],
    [
      'an invalid spec.loadBalancerIP',
      { spec: { loadBalancerIP: '10.0.0.256' } },
      '0.14.9',
      'invalid spec.loadBalancerIP "10.0.0.256"',
    ],
    [
      'metallb.io/loadBalancerIPs on 0.14.9',
      { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.9' } },
      '0.14.9',
      'main: 10.0.0.9',
    ],
    [
      'metallb.io/loadBalancerIPs is unknown to 0.14.8',
      { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.9' } },
      '0.14.8',
      'main: 10.0.0.1',
    ],
    [
      'metallb.universe.tf/loadBalancerIPs on 0.14.8',
      { annotations: { 'metallb.universe.tf/loadBalancerIPs': '10.0.0.9' } },
      '0.14.8',
      'main: 10.0.0.9',
    ],
    [
      'metallb.universe.tf/loadBalancerIPs still read on 0.15.3',
      { annotations: { 'metallb.universe.tf/loadBalancerIPs': '10.0.0.9' } },
      '0.15.3',
      'main: 10.0.0.9',
    ],
    [
      'metallb.io/ wins over the deprecated key, even empty',
      {
        annotations: { 'metallb.io/loadBalancerIPs': '', 'metallb.universe.tf/loadBalancerIPs': '10.0.0.9' },
      },
      '0.14.9',
      'main: 10.0.0.1',
    ],
    [
      'both the annotation and spec.loadBalancerIP',
      { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.9' }, spec: { loadBalancerIP: '10.0.0.9' } },
      '0.14.9',
      'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    ],
    [
      'both, on a version that knows only the old prefix',
      {
        annotations: { 'metallb.universe.tf/loadBalancerIPs': '10.0.0.9' },
        spec: { loadBalancerIP: '10.0.0.9' },
      },
      '0.14.8',
      'service can not have both metallb.universe.tf/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    ],
    [
      'two IPs of one family',
      { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.9,10.0.0.10' } },
      '0.14.9',
      'invalid metallb.io/loadBalancerIPs: "10.0.0.9,10.0.0.10"',
    ],
    [
      'the address-pool annotation',
      { annotations: { 'metallb.io/address-pool': 'manual' } },
      '0.14.9',
      'manual: 10.9.0.0',
    ],
    [
      'metallb.io/address-pool is unknown to 0.14.8',
      { annotations: { 'metallb.io/address-pool': 'manual' } },
      '0.14.8',
      'main: 10.0.0.1',
    ],
    [
      'metallb.universe.tf/address-pool on 0.13.12',
      { annotations: { 'metallb.universe.tf/address-pool': 'manual' } },
      '0.13.12',
      'manual: 10.9.0.0',
    ],
    [
      'an unknown pool',
      { annotations: { 'metallb.io/address-pool': 'gone' } },
      '0.14.9',
      'unknown pool "gone"',
    ],
    [
      'an IP outside the requested pool',
      { annotations: { 'metallb.io/address-pool': 'manual', 'metallb.io/loadBalancerIPs': '10.0.0.9' } },
      '0.14.9',
      'requested loadBalancer IP(s) ["10.0.0.9"] is not compatible with requested address pool manual',
    ],
  ])('%s (%#)', (_, svc, version, expected) => {
    expect(allocate(pools, [svc], version)).toBe(expected);
  });
});

describe('sharing an IP', () => {
  const pools = [pool('p', ['10.0.0.0/24'])];
  const shared = (key: string, extra: Svc = {}): Svc => ({
    ...extra,
    annotations: { 'metallb.io/allow-shared-ip': key, ...extra.annotations },
    spec: { loadBalancerIP: '10.0.0.5', ...extra.spec },
  });
  const holder = shared('k', {
    name: 'dns-tcp',
    ip: ['10.0.0.5'],
    spec: { ports: [{ port: 53, protocol: 'TCP' }] },
  });

  it.each<[string, Svc[], string]>([
    [
      'same key, other port',
      [holder, shared('k', { spec: { ports: [{ port: 53, protocol: 'UDP' }] } })],
      'p: 10.0.0.5',
    ],
    [
      'same key under the old prefix',
      [holder, { ...shared('k'), annotations: { 'metallb.universe.tf/allow-shared-ip': 'k' } }],
      'p: 10.0.0.5',
    ],
    [
      'the same port',
      [holder, shared('k', { spec: { ports: [{ port: 53, protocol: 'TCP' }] } })],
      'port TCP/53 is already in use on "10.0.0.5"',
    ],
    ['another key', [holder, shared('other')], 'sharing key "other" does not match existing sharing key "k"'],
    [
      'no key on the new service',
      [holder, { spec: { loadBalancerIP: '10.0.0.5' } }],
      'new service does not allow sharing',
    ],
    [
      'no key on the holder',
      [{ name: 'solo', ip: ['10.0.0.5'] }, shared('k')],
      'existing service does not allow sharing',
    ],
    [
      'Local and Cluster traffic policies',
      [holder, shared('k', { spec: { externalTrafficPolicy: 'Local', selector: { app: 'dns' } } })],
      'backend key "app=dns" does not match existing sharing key ""',
    ],
    [
      'auto-assignment takes the first address it may share',
      [
        { ...holder, ip: ['10.0.0.0'], spec: { ports: [{ port: 53, protocol: 'TCP' }] } },
        { annotations: { 'metallb.io/allow-shared-ip': 'k' } },
      ],
      'p: 10.0.0.0',
    ],
    [
      'auto-assignment passes an address it may not share',
      [{ ...holder, ip: ['10.0.0.0'], spec: { ports: [{ port: 53, protocol: 'TCP' }] } }, {}],
      'p: 10.0.0.1',
    ],
  ])('%s', (_, services, expected) => {
    expect(allocate(pools, services)).toBe(expected);
  });
});

describe('one pool per service', () => {
  const v4 = pool('a-v4', ['10.0.0.0/24']);
  const v6 = pool('b-v6', ['2001:db8::/120']);
  const both = pool('c-both', ['10.1.0.0/24', '2001:db8:1::/120']);
  const dual = (policy: string): Svc => ({ spec: { ipFamilyPolicy: policy, ipFamilies: ['IPv4', 'IPv6'] } });

  it.each<[string, KubeObject[], Svc, string]>([
    [
      'RequireDualStack takes both families from one pool',
      [v4, v6, both],
      dual('RequireDualStack'),
      'c-both: 10.1.0.0 2001:db8:1::',
    ],
    ['RequireDualStack without a dual-stack pool', [v4, v6], dual('RequireDualStack'), 'no available IPs'],
    [
      'PreferDualStack takes what the first pool has',
      [v4, v6, both],
      dual('PreferDualStack'),
      'a-v4: 10.0.0.0',
    ],
    [
      'requested IPs of two pools',
      [v4, v6],
      { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.1,2001:db8::1' }, ...dual('RequireDualStack') },
      '["10.0.0.1" "2001:db8::1"] is not allowed in config',
    ],
    [
      'requested IPs of one pool',
      [both],
      {
        annotations: { 'metallb.io/loadBalancerIPs': '10.1.0.1,2001:db8:1::1' },
        ...dual('RequireDualStack'),
      },
      'c-both: 10.1.0.1 2001:db8:1::1',
    ],
  ])('%s', (_, pools, svc, expected) => {
    expect(allocate(pools, [svc])).toBe(expected);
  });
});

describe('assign: whether a service may keep the IPs it holds', () => {
  function keep(pools: KubeObject[], svc: Svc): string {
    const v = parseVersion('0.15.0') as Version;
    const parsed = parsePools(pools, NS, v, NAMESPACES);
    if (!parsed.ok) throw new Error(parsed.error);
    const request = readService(service(svc), v);
    return show(
      new Allocator(parsed.pools).assign(
        request,
        (svc.ip ?? []).map((t) => parseIp(t) as Ip),
      ),
    );
  }

  it.each<[string, KubeObject[], Svc, string]>([
    ['inside the pool', [pool('p', ['10.0.0.0/24'])], { ip: ['10.0.0.200'] }, 'p: 10.0.0.200'],
    [
      'after the pool shrank',
      [pool('p', ['10.0.0.0/25'])],
      { ip: ['10.0.0.200'] },
      '["10.0.0.200"] is not allowed in config',
    ],
    [
      'after avoidBuggyIPs was turned on',
      [pool('p', ['10.0.0.0/24'], { avoidBuggyIPs: true })],
      { ip: ['10.0.0.0'] },
      '["10.0.0.0"] is not allowed in config',
    ],
    [
      'after autoAssign was turned off',
      [pool('p', ['10.0.0.0/24'], { autoAssign: false })],
      { ip: ['10.0.0.3'] },
      'p: 10.0.0.3',
    ],
    [
      'after serviceAllocation stopped admitting it',
      [pool('p', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['shop'] } })],
      { ip: ['10.0.0.3'] },
      '["10.0.0.3"] is not allowed in config',
    ],
    [
      'dual-stack IPs split over two pools',
      [pool('a', ['10.0.0.0/24']), pool('b', ['2001:db8::/120'])],
      { ip: ['10.0.0.1', '2001:db8::1'] },
      '["10.0.0.1" "2001:db8::1"] is not allowed in config',
    ],
  ])('%s', (_, pools, svc, expected) => {
    expect(keep(pools, svc)).toBe(expected);
  });
});

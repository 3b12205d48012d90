/**
 * The engine against MetalLB's own behaviour (its config parser and allocator, 0.13.12 to 0.15.3), one table
 * per point of issue 8. Expected values come from what MetalLB does, written down in docs/findings.md ("Terms"
 * and the catalogue), not from the engine's earlier output.
 */
import { analyze } from '../../../src/drift/analyze';
import type { Finding, KubeObject, Report } from '../../../src/drift/model';
import { renderJson, renderMarkdown, renderTable } from '../../../src/report';
import { checkSummaryMessage } from '../../../src/slack/views/check';
import { crd, NOW, object, snapshotOf } from '../../support/builders';
import { controller, lb, namespaceObject, pool } from './rules/services/support';

const NS = 'metallb-system';

function report(objects: KubeObject[]): Report {
  return analyze(snapshotOf(objects), { now: NOW });
}

/** `CODE Kind namespace/name` of every finding, in report order. */
function findings(r: Report, ...codes: string[]): string[] {
  return r.findings
    .filter((f) => codes.length === 0 || codes.includes(f.code))
    .map((f) => `${f.code} ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}`);
}

function only(r: Report, code: string): Finding {
  const found = r.findings.filter((f) => f.code === code);
  expect(found).toHaveLength(1);
  return found[0] as Finding;
}

const l2All = object('metallb.io/v1beta1', 'L2Advertisement', 'all', NS, { spec: {} });

describe('1. serviceAllocation admits the union of namespaces and namespaceSelectors', () => {
  const namespaces = [
    namespaceObject('shop', { team: 'web' }),
    namespaceObject('billing', { team: 'money' }),
    namespaceObject('ops'),
  ];
  const restricted = (allocation: Record<string, unknown>) =>
    pool('reserved', ['10.0.30.0/24'], { serviceAllocation: allocation });
  const holders = [
    lb('shop', 'web', { ips: ['10.0.30.1'], labels: { app: 'web' } }),
    lb('billing', 'api', { ips: ['10.0.30.2'], labels: { app: 'api' } }),
    lb('ops', 'tool', { ips: ['10.0.30.3'], labels: { app: 'tool' } }),
  ];
  const web = { matchLabels: { team: 'web' } };
  const nobody = { matchLabels: { team: 'nobody' } };

  it.each([
    [
      'namespaces and a selector: a service in either is admitted',
      { namespaces: ['billing'], namespaceSelectors: [web] },
      ['ops/tool'],
      false,
    ],
    ['a selector alone', { namespaceSelectors: [web] }, ['billing/api', 'ops/tool'], false],
    ['namespaces alone', { namespaces: ['ops'] }, ['billing/api', 'shop/web'], false],
    [
      'a selector matching no Namespace: no namespace restriction at all',
      { namespaceSelectors: [nobody] },
      [],
      true,
    ],
    [
      'a selector matching nothing plus namespaces: the namespaces only',
      { namespaces: ['billing'], namespaceSelectors: [nobody] },
      ['ops/tool', 'shop/web'],
      false,
    ],
    [
      'a selector matching nothing plus serviceSelectors: the service selectors still apply',
      { namespaceSelectors: [nobody], serviceSelectors: [{ matchLabels: { app: 'api' } }] },
      ['ops/tool', 'shop/web'],
      true,
    ],
    [
      'selectors of either kind unioned with namespaces',
      { namespaces: ['ops'], namespaceSelectors: [nobody, web] },
      ['billing/api'],
      false,
    ],
    [
      'empty lists: every service',
      { namespaces: [], namespaceSelectors: [], serviceSelectors: [] },
      [],
      false,
    ],
  ])('%s', (_case, allocation, refused, matchesNothing) => {
    const r = report([controller('0.14.9'), l2All, ...namespaces, restricted(allocation), ...holders]);
    expect(
      r.findings
        .filter((f) => f.code === 'IP_NOT_ALLOWED_BY_POOL')
        .map((f) => `${f.resource.namespace}/${f.resource.name}`),
    ).toEqual(refused);
    expect(findings(r, 'POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING')).toEqual(
      matchesNothing ? [`POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING IPAddressPool ${NS}/reserved`] : [],
    );
    expect(r.notes).toEqual([]);
  });

  it('reports POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING as a warning with the selectors, no fix', () => {
    const r = report([
      controller('0.14.9'),
      l2All,
      ...namespaces,
      restricted({ namespaceSelectors: [nobody] }),
    ]);
    expect(only(r, 'POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING')).toMatchObject({
      severity: 'warning',
      fix: null,
      details: { namespaceSelectors: [nobody] },
    });
    expect(only(r, 'POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING').message).toContain(
      'MetalLB then applies no namespace restriction',
    );
  });

  it('assumes selectors admit when the snapshot holds no Namespace objects, and says so in a note', () => {
    const r = report([controller('0.14.9'), l2All, restricted({ namespaceSelectors: [web] }), ...holders]);
    expect(findings(r, 'IP_NOT_ALLOWED_BY_POOL', 'POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING')).toEqual([]);
    expect(r.notes).toEqual([
      'the snapshot holds no Namespace objects, so the serviceAllocation.namespaceSelectors of pool reserved ' +
        'could not be judged and were assumed to admit every service (add `kubectl get namespaces -o yaml` to the dump)',
    ]);
  });

  it('assumes a selector admits a service whose Namespace a partial dump lacks', () => {
    const r = report([
      controller('0.14.9'),
      l2All,
      namespaceObject('billing', { team: 'money' }),
      restricted({ namespaceSelectors: [{ matchLabels: { team: 'money' } }] }),
      lb('shop', 'web', { ips: ['10.0.30.1'] }),
    ]);
    expect(findings(r, 'IP_NOT_ALLOWED_BY_POOL')).toEqual([]);
  });

  it('lets a service of any namespace wait on a pool whose selector matches nothing', () => {
    const r = report([
      controller('0.14.9'),
      l2All,
      ...namespaces,
      pool('reserved', ['10.0.30.0/31'], { serviceAllocation: { namespaceSelectors: [nobody] } }),
      lb('shop', 'a', { ips: ['10.0.30.0'] }),
      lb('shop', 'b', { ips: ['10.0.30.1'] }),
      lb('ops', 'pending'),
    ]);
    expect(only(r, 'SERVICE_PENDING').details).toEqual({ reason: 'pool-exhausted', pools: ['reserved'] });
  });
});

describe('2. an IPv4-mapped IPv6 address is the IPv4 address, wherever it is parsed', () => {
  const base = [controller('0.14.9'), l2All];
  it.each([
    [
      'ingress ::ffff:10.60.9.9 inside 10.60.9.0/24',
      [pool('p', ['10.60.9.0/24']), lb('shop', 'web', { ips: ['::ffff:10.60.9.9'] })],
      [],
    ],
    [
      'ingress ::ffff:10.60.9.9 outside every pool',
      [pool('p', ['10.60.10.0/24']), lb('shop', 'web', { ips: ['::ffff:10.60.9.9'] })],
      ['IP_OUTSIDE_POOLS Service shop/web'],
    ],
    [
      'ingress 10.60.9.9 inside the mapped pool entry ::ffff:10.60.9.0/120',
      [pool('p', ['::ffff:10.60.9.0/120']), lb('shop', 'web', { ips: ['10.60.9.9'] })],
      [],
    ],
    [
      'ingress 10.60.9.9 inside a mapped range',
      [pool('p', ['::ffff:10.60.9.1-::ffff:10.60.9.20']), lb('shop', 'web', { ips: ['10.60.9.9'] })],
      [],
    ],
    [
      'a mapped request inside a pool',
      [
        pool('p', ['10.60.9.0/24']),
        lb('shop', 'web', { ips: ['10.60.9.1'], spec: { loadBalancerIP: '::ffff:10.60.9.1' } }),
      ],
      [],
    ],
    [
      'a mapped request outside every pool',
      [
        pool('p', ['10.60.9.0/24']),
        lb('shop', 'web', { ips: ['10.60.9.1'], spec: { loadBalancerIP: '::ffff:10.60.8.1' } }),
      ],
      ['REQUESTED_IP_OUTSIDE_POOLS Service shop/web'],
    ],
    [
      'a mapped .0 in an avoidBuggyIPs pool',
      [
        pool('p', ['10.60.9.0/24'], { avoidBuggyIPs: true }),
        lb('shop', 'web', { ips: ['::ffff:10.60.9.0'] }),
      ],
      ['IP_NOT_ALLOWED_BY_POOL Service shop/web'],
    ],
    [
      'the same address in two spellings on two services',
      [
        pool('p', ['10.60.9.0/24']),
        lb('shop', 'a', { ips: ['10.60.9.9'] }),
        lb('shop', 'b', { ips: ['::ffff:10.60.9.9'] }),
      ],
      ['DUPLICATE_IP Service shop/a', 'DUPLICATE_IP Service shop/b'],
    ],
    [
      'an IPv4 entry and its mapped spelling in two pools',
      [pool('a', ['10.60.9.0/24']), pool('b', ['::ffff:10.60.9.0/120'])],
      [`POOL_OVERLAP IPAddressPool ${NS}/a`, `POOL_OVERLAP IPAddressPool ${NS}/b`],
    ],
  ])('%s', (_case, objects, expected) => {
    expect(findings(report([...base, ...objects]))).toEqual(expected);
  });

  it('counts a mapped ingress IP against the pool it is in', () => {
    const r = report([
      ...base,
      pool('p', ['10.60.9.0/31']),
      lb('shop', 'a', { ips: ['10.60.9.0'] }),
      lb('shop', 'b', { ips: ['::ffff:10.60.9.1'] }),
    ]);
    expect(findings(r)).toEqual([`POOL_EXHAUSTED IPAddressPool ${NS}/p`]);
  });
});

describe('3. below 0.14.2 AddressPool objects are pools for every rule', () => {
  const addressPool = (name: string, addresses: string[], protocol = 'layer2') =>
    object('metallb.io/v1beta1', 'AddressPool', name, NS, { spec: { protocol, addresses } });
  const holder = lb('shop', 'web', { ips: ['10.0.20.5'] });
  const requester = lb('shop', 'cart', {
    ips: ['10.0.20.6'],
    annotations: { 'metallb.universe.tf/address-pool': 'legacy' },
  });

  it.each(['0.13.12', '0.14.1'])(
    'on %s: services holding or requesting its addresses are fine',
    (version) => {
      const r = report([controller(version), addressPool('legacy', ['10.0.20.0/24']), holder, requester]);
      expect(findings(r)).toEqual([`LEGACY_RESOURCE_PRESENT AddressPool ${NS}/legacy`]);
      expect(only(r, 'LEGACY_RESOURCE_PRESENT').message).toContain(
        'still reads it as a pool, but it is deprecated, and lost on upgrade',
      );
      expect(r.summary.pools).toBe(1);
    },
  );

  it.each([
    ['0.14.2', controller('0.14.2')],
    ['an unknown version', object('v1', 'ConfigMap', 'x', NS)],
  ])('on %s: they are ignored, so those services are flagged', (_v, first) => {
    const r = report([first, addressPool('legacy', ['10.0.20.0/24']), holder, requester]);
    expect(findings(r, 'IP_OUTSIDE_POOLS', 'REQUESTED_POOL_MISSING', 'LEGACY_RESOURCE_PRESENT')).toEqual([
      'IP_OUTSIDE_POOLS Service shop/cart',
      'IP_OUTSIDE_POOLS Service shop/web',
      'REQUESTED_POOL_MISSING Service shop/cart',
      `LEGACY_RESOURCE_PRESENT AddressPool ${NS}/legacy`,
    ]);
    expect(only(r, 'LEGACY_RESOURCE_PRESENT').message).toContain('MetalLB ignores it');
  });

  it('reports pool findings about them with kind AddressPool', () => {
    const r = report([
      controller('0.13.12'),
      pool('current', ['10.0.20.0/24']),
      l2All,
      addressPool('legacy', ['10.0.20.128/25', '10.0.21.7']),
      addressPool('small', ['10.0.22.0/31'], 'bgp'),
      lb('shop', 'a', { ips: ['10.0.22.0'] }),
      lb('shop', 'b', { ips: ['10.0.22.1'] }),
    ]);
    expect(
      findings(r, 'POOL_OVERLAP', 'POOL_ADDRESS_INVALID', 'POOL_EXHAUSTED', 'POOL_NOT_ADVERTISED'),
    ).toEqual([
      `POOL_ADDRESS_INVALID AddressPool ${NS}/legacy`,
      `POOL_OVERLAP AddressPool ${NS}/legacy`,
      `POOL_OVERLAP IPAddressPool ${NS}/current`,
      `POOL_EXHAUSTED AddressPool ${NS}/small`,
    ]);
    expect(only(r, 'POOL_EXHAUSTED').message).toMatch(/^AddressPool small /);
  });
});

describe('4. IPS_IN_DIFFERENT_POOLS: all IPs of a service come from one pool', () => {
  const pools = [
    pool('v4', ['10.0.40.0/24']),
    pool('v6', ['2001:db8:40::/120']),
    pool('dual', ['10.0.41.0/24', '2001:db8:41::/120']),
    l2All,
    controller('0.14.9'),
  ];
  it.each([
    ['IPv4 in one pool, IPv6 in another', ['10.0.40.1', '2001:db8:40::1'], ['v4', 'v6']],
    ['both in one dual-stack pool', ['10.0.41.1', '2001:db8:41::1'], undefined],
    [
      'the IPv6 address outside every pool (IP_OUTSIDE_POOLS instead)',
      ['10.0.40.1', '2001:db8:99::1'],
      undefined,
    ],
    ['one IP', ['10.0.40.1'], undefined],
    ['one IP written twice', ['10.0.40.1', '::ffff:10.0.40.1'], undefined],
    ['IPv4 of the dual pool, IPv6 of the v6 pool', ['10.0.41.1', '2001:db8:40::1'], ['dual', 'v6']],
  ])('%s', (_case, ips, differentPools) => {
    const r = report([...pools, lb('shop', 'web', { ips })]);
    const found = r.findings.filter((f) => f.code === 'IPS_IN_DIFFERENT_POOLS');
    if (differentPools === undefined) {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      severity: 'critical',
      fix: 'release-ip',
      resource: { kind: 'Service', namespace: 'shop', name: 'web' },
      details: { ips, pools: differentPools },
    });
    expect(found[0]?.message).toContain("MetalLB assigns all of a service's IPs from one pool");
    expect(found[0]?.message).toContain('MetalLB clears such an IP');
  });
});

describe('5. SERVICE_PENDING names requested-ip-not-allowed when a pool keeps the requested IP out', () => {
  const base = [controller('0.14.9'), l2All, namespaceObject('shop'), namespaceObject('billing')];
  it.each([
    [
      'avoidBuggyIPs and a .255 request',
      pool('p', ['10.0.50.0/24'], { avoidBuggyIPs: true }),
      { loadBalancerIP: '10.0.50.255' },
      {},
      'requested-ip-not-allowed',
      /10\.0\.50\.255 is in pool p but its avoidBuggyIPs excludes/,
    ],
    [
      'serviceAllocation namespaces',
      pool('p', ['10.0.50.0/24'], { serviceAllocation: { namespaces: ['billing'] } }),
      {},
      { 'metallb.io/loadBalancerIPs': '10.0.50.7' },
      'requested-ip-not-allowed',
      /its serviceAllocation does not admit this service/,
    ],
    [
      'serviceAllocation serviceSelectors',
      pool('p', ['10.0.50.0/24'], {
        serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'x' } }] },
      }),
      { loadBalancerIP: '10.0.50.7' },
      {},
      'requested-ip-not-allowed',
      /serviceAllocation/,
    ],
    [
      'an allowed request',
      pool('p', ['10.0.50.0/24'], { avoidBuggyIPs: true }),
      { loadBalancerIP: '10.0.50.7' },
      {},
      'unknown',
      /snapshot shows no cause/,
    ],
  ])('%s', (_case, thePool, spec, annotations, reason, message) => {
    const r = report([...base, thePool, lb('shop', 'web', { spec, annotations })]);
    const pending = only(r, 'SERVICE_PENDING');
    expect(pending.details).toEqual({ reason, pools: ['p'] });
    expect(pending.message).toMatch(message);
  });
});

describe('7. a snapshot with nothing of MetalLB says so in a note', () => {
  const NOTE = /^nothing of MetalLB was found/;
  it.each([
    ['only a Namespace', [namespaceObject('shop')], true],
    ['a ClusterIP Service', [object('v1', 'Service', 'db', 'shop', { spec: { type: 'ClusterIP' } })], true],
    ['a LoadBalancer Service MetalLB would handle', [lb('shop', 'web')], false],
    ['an IPAddressPool', [pool('p', ['10.0.0.0/24'])], false],
    ['a metallb.io CRD', [crd('ipaddresspools')], false],
    ['the controller Deployment', [controller('0.14.9')], false],
    ['a ConfigMap in metallb-system', [object('v1', 'ConfigMap', 'config', NS, { data: {} })], false],
  ])('%s', (_case, objects, noted) => {
    const notes = report(objects).notes.filter((n) => NOTE.test(n));
    expect(notes).toHaveLength(noted ? 1 : 0);
  });

  it('shows the note in every output format', () => {
    const r = report([namespaceObject('shop')]);
    const note = r.notes[0] as string;
    expect(note).toMatch(NOTE);
    expect(renderTable(r, { color: false })).toContain(`- ${note}`);
    expect((JSON.parse(renderJson(r)) as Report).notes).toEqual([note]);
    expect(renderMarkdown(r)).toContain('## Notes');
    expect(renderMarkdown(r)).toContain('nothing of MetalLB was found');
    expect(
      JSON.stringify(checkSummaryMessage({ cluster: 'prod', report: r, durationMs: 10 }).blocks),
    ).toContain('nothing of MetalLB was found');
  });
});

import { requestedIps } from '../../../../../src/drift/rules/services/requested-ips';
import { controller, lb, pool, run } from './support';

const CURRENT = 'metallb.io/loadBalancerIPs';
const LEGACY = 'metallb.universe.tf/loadBalancerIPs';
const pools = [pool('default', ['10.0.10.0/24', 'fd00:10::/64'])];

interface Request {
  loadBalancerIP?: string;
  annotations?: Record<string, string>;
  version?: string;
}

function check({ loadBalancerIP, annotations = {}, version = '0.15.3' }: Request) {
  const spec = loadBalancerIP === undefined ? {} : { loadBalancerIP };
  return run(requestedIps, [controller(version), ...pools, lb('shop', 'web', { annotations, spec })]);
}

describe('REQUESTED_IP_OUTSIDE_POOLS', () => {
  it.each([
    ['spec.loadBalancerIP', { loadBalancerIP: '10.0.9.7' }, ['10.0.9.7'], ['spec.loadBalancerIP']],
    [
      'the metallb.io/ annotation',
      { annotations: { [CURRENT]: '10.0.10.7, FD00:99::1' } },
      ['FD00:99::1'],
      [CURRENT],
    ],
    [
      'the old annotation on 0.14.8',
      { annotations: { [LEGACY]: '10.0.9.7' }, version: '0.14.8' },
      ['10.0.9.7'],
      [LEGACY],
    ],
    [
      'the old annotation when metallb.io/ is empty but the version does not read it',
      { annotations: { [CURRENT]: '', [LEGACY]: '2001:db8::1' }, version: '0.14.8' },
      ['2001:db8::1'],
      [LEGACY],
    ],
  ])('reports an IP requested by %s that no pool contains', (_title, request, ips, sources) => {
    const drafts = check(request);
    expect(drafts.map((d) => d.code)).toEqual(['REQUESTED_IP_OUTSIDE_POOLS']);
    expect(drafts[0]?.details).toEqual({ ips, sources });
  });

  it('says which IP, where it was requested, which pools exist and what MetalLB does', () => {
    expect(check({ loadBalancerIP: '10.0.9.7' })[0]?.message).toBe(
      'Service shop/web requests 10.0.9.7 by spec.loadBalancerIP, which no IPAddressPool contains ' +
        '(pools: default 10.0.10.0/24 fd00:10::/64); MetalLB will not assign it ("is not allowed in config") ' +
        'until a pool contains it or the request changes.',
    );
  });

  it.each([
    ['an IPv4 address inside a pool', { loadBalancerIP: '10.0.10.7' }],
    ['a non-canonical IPv6 address inside a pool', { annotations: { [CURRENT]: 'FD00:10:0:0::ff' } }],
    ['a dual-stack pair inside a pool', { annotations: { [CURRENT]: '10.0.10.7,fd00:10::7' } }],
    [
      'an empty metallb.io/ key over an old one outside',
      { annotations: { [CURRENT]: '', [LEGACY]: '10.0.9.7' } },
    ],
    [
      'the metallb.io/ key on 0.14.8, which that version does not read',
      { annotations: { [CURRENT]: '10.0.9.7' }, version: '0.14.8' },
    ],
  ])('reports nothing for %s', (_title, request) => {
    expect(check(request)).toEqual([]);
  });
});

describe('REQUESTED_IP_INVALID', () => {
  it.each([
    [
      'spec.loadBalancerIP that is not an IP',
      { loadBalancerIP: 'web.example.com' },
      ['web.example.com'],
      ['spec.loadBalancerIP'],
      false,
    ],
    [
      'an IPv4 octet above 255',
      { annotations: { [CURRENT]: '10.0.10.300' } },
      ['10.0.10.300'],
      [CURRENT],
      false,
    ],
    [
      'an octet with a leading zero, which Go rejects',
      { annotations: { [CURRENT]: '10.0.010.7' } },
      ['10.0.010.7'],
      [CURRENT],
      false,
    ],
    [
      'a CIDR instead of an IP',
      { annotations: { [LEGACY]: '10.0.10.0/24' } },
      ['10.0.10.0/24'],
      [LEGACY],
      false,
    ],
    [
      'both the field and the annotation',
      { loadBalancerIP: '10.0.10.7', annotations: { [CURRENT]: '10.0.10.8' } },
      [],
      ['spec.loadBalancerIP', CURRENT],
      true,
    ],
  ])('reports %s', (_title, request, values, sources, both) => {
    const drafts = check(request);
    expect(drafts.map((d) => d.code)).toEqual(['REQUESTED_IP_INVALID']);
    expect(drafts[0]?.details).toEqual({ values, sources, both });
  });

  it('names the bad values and that MetalLB refuses the service', () => {
    expect(check({ annotations: { [CURRENT]: '10.0.10.300,bogus' } })[0]?.message).toBe(
      'Service shop/web requests its IP wrongly: "10.0.10.300" and "bogus" are not IP addresses; MetalLB ' +
        'refuses to allocate for it (LoadBalancerFailed) until the request is fixed.',
    );
    expect(
      check({ loadBalancerIP: '10.0.10.7', annotations: { [CURRENT]: '10.0.10.8' } })[0]?.message,
    ).toContain(`it sets both spec.loadBalancerIP and ${CURRENT}`);
  });

  it('reports a service with both an unparsable and an outside IP under each code once', () => {
    const drafts = check({ annotations: { [CURRENT]: 'bogus,10.0.9.7' } });
    expect(drafts.map((d) => d.code).sort()).toEqual(['REQUESTED_IP_INVALID', 'REQUESTED_IP_OUTSIDE_POOLS']);
  });

  it('does not count an empty annotation as a second request', () => {
    expect(check({ loadBalancerIP: '10.0.10.7', annotations: { [CURRENT]: ' ' } })).toEqual([]);
  });

  it('ignores a service MetalLB does not handle', () => {
    const other = lb('shop', 'web', { spec: { type: 'NodePort', loadBalancerIP: 'bogus' } });
    expect(run(requestedIps, [controller(), ...pools, other])).toEqual([]);
  });
});

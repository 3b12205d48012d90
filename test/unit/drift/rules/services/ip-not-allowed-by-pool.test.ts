import { ipNotAllowedByPool } from '../../../../../src/drift/rules/services/ip-not-allowed-by-pool';
import { controller, flagged, lb, namespaceObject, pool, run } from './support';

const buggy = pool('buggy', ['10.0.10.0/23', 'fd00:10::/120'], { avoidBuggyIPs: true });

describe('IP_NOT_ALLOWED_BY_POOL', () => {
  describe('avoidBuggyIPs', () => {
    it.each([
      ['the .0 at the start of the pool', '10.0.10.0'],
      ['a .255 in the middle of a /23', '10.0.10.255'],
      ['a .0 in the middle of a /23', '10.0.11.0'],
    ])('reports %s', (_title, ip) => {
      const drafts = run(ipNotAllowedByPool, [controller(), buggy, lb('shop', 'web', { ips: [ip] })]);
      expect(drafts).toHaveLength(1);
      expect(drafts[0]?.details).toEqual({
        ips: [ip],
        pools: ['buggy'],
        reasons: [{ ip, pool: 'buggy', reason: 'avoid-buggy-ips' }],
      });
      expect(drafts[0]?.message).toBe(
        `Service shop/web holds an IP its pool does not allow: ${ip} is in pool buggy but its avoidBuggyIPs ` +
          'excludes .0 and .255 addresses; MetalLB clears such an IP and assigns a new one on its next ' +
          'reconcile, so the address will change.',
      );
    });

    it.each([
      ['an ordinary IPv4 address', '10.0.10.7'],
      ['an IPv6 address ending in 00', 'fd00:10::0'],
      ['an IPv6 address ending in ff, written in upper case', 'FD00:10:0:0::FF'],
    ])('does not report %s', (_title, ip) => {
      expect(run(ipNotAllowedByPool, [controller(), buggy, lb('shop', 'web', { ips: [ip] })])).toEqual([]);
    });

    it.each([
      ['false', false],
      ['a number', 1],
      ['missing', undefined],
    ])('reads avoidBuggyIPs %s as off', (_title, value) => {
      const p = pool('plain', ['10.0.10.0/24'], value === undefined ? {} : { avoidBuggyIPs: value });
      expect(run(ipNotAllowedByPool, [controller(), p, lb('shop', 'web', { ips: ['10.0.10.0'] })])).toEqual(
        [],
      );
    });
  });

  describe('serviceAllocation', () => {
    const objects = [
      controller(),
      namespaceObject('shop', { team: 'web' }),
      namespaceObject('billing', { team: 'money' }),
    ];
    const allocated = (allocation: Record<string, unknown>) =>
      pool('reserved', ['10.0.30.0/24'], { serviceAllocation: allocation });

    it.each([
      ['namespaces that do not list it', { namespaces: ['billing'] }, 'billing/api', 'shop/api'],
      [
        'serviceSelectors that do not match its labels',
        { serviceSelectors: [{ matchLabels: { app: 'api' } }] },
        'shop/api',
        'shop/web',
      ],
      [
        'namespaceSelectors that do not match its namespace labels',
        { namespaceSelectors: [{ matchLabels: { team: 'money' } }] },
        'billing/api',
        'shop/api',
      ],
      [
        'namespaceSelectors with matchExpressions',
        { namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['web'] }] }] },
        'shop/api',
        'billing/api',
      ],
    ])('reports a service outside %s and not one inside', (_title, allocation, admitted, refused) => {
      const [admittedNs, admittedName] = admitted.split('/') as [string, string];
      const [refusedNs, refusedName] = refused.split('/') as [string, string];
      const drafts = run(ipNotAllowedByPool, [
        ...objects,
        allocated(allocation),
        lb(admittedNs, admittedName, { ips: ['10.0.30.1'], labels: { app: admittedName } }),
        lb(refusedNs, refusedName, { ips: ['10.0.30.2'], labels: { app: refusedName } }),
      ]);
      expect(flagged(drafts, 'IP_NOT_ALLOWED_BY_POOL')).toEqual([refused]);
      expect(drafts[0]?.message).toContain(
        '10.0.30.2 is in pool reserved but its serviceAllocation does not admit',
      );
    });

    it('does not guess when namespaceSelectors need Namespace objects the snapshot lacks', () => {
      const drafts = run(ipNotAllowedByPool, [
        controller(),
        allocated({ namespaceSelectors: [{ matchLabels: { team: 'money' } }] }),
        lb('shop', 'web', { ips: ['10.0.30.1'] }),
      ]);
      expect(drafts).toEqual([]);
    });

    it('allows every service when serviceAllocation sets only a priority', () => {
      const drafts = run(ipNotAllowedByPool, [
        controller(),
        allocated({ priority: 10 }),
        lb('shop', 'web', { ips: ['10.0.30.1'] }),
      ]);
      expect(drafts).toEqual([]);
    });
  });

  it('keeps an IP that one of two overlapping pools allows', () => {
    const drafts = run(ipNotAllowedByPool, [
      controller(),
      pool('buggy', ['10.0.10.0/24'], { avoidBuggyIPs: true }),
      pool('plain', ['10.0.10.0/25']),
      lb('shop', 'web', { ips: ['10.0.10.0'] }),
    ]);
    expect(drafts).toEqual([]);
  });

  it('leaves an IP outside every pool to IP_OUTSIDE_POOLS', () => {
    expect(run(ipNotAllowedByPool, [controller(), buggy, lb('shop', 'web', { ips: ['10.9.9.0'] })])).toEqual(
      [],
    );
  });

  it('lists both refused IPs of a dual-stack service in one finding', () => {
    const drafts = run(ipNotAllowedByPool, [
      controller(),
      pool('reserved', ['10.0.30.0/24', 'fd00:30::/64'], { serviceAllocation: { namespaces: ['billing'] } }),
      lb('shop', 'web', { ips: ['10.0.30.1', 'FD00:30::1'] }),
    ]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.details).toMatchObject({ ips: ['10.0.30.1', 'FD00:30::1'], pools: ['reserved'] });
  });
});

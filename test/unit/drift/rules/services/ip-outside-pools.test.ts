import { ipOutsidePools } from '../../../../../src/drift/rules/services/ip-outside-pools';
import { object, service } from '../../../../support/builders';
import { byResource, controller, flagged, lb, pool, run } from './support';

const pools = [
  pool('default', ['10.0.10.0/24']),
  pool('edge', ['10.0.20.5 - 10.0.20.9', '192.168.1.240/32']),
  pool('v6', ['fd00:10::/120', 'FD00:20:0:0::1-fd00:20::ff']),
];

describe('IP_OUTSIDE_POOLS', () => {
  it.each([
    ['an IPv4 address inside a CIDR', ['10.0.10.7']],
    ['the network address of a CIDR', ['10.0.10.0']],
    ['the broadcast address of a CIDR', ['10.0.10.255']],
    ['the last address of a range written with spaces', ['10.0.20.9']],
    ['a /32 entry', ['192.168.1.240']],
    ['a non-canonical IPv6 spelling inside a CIDR', ['FD00:10:0:0::ff']],
    ['an IPv6 address inside a range written in upper case', ['fd00:20::80']],
    ['a dual-stack pair inside pools', ['10.0.10.8', 'fd00:10::8']],
  ])('does not report a service holding %s', (_title, ips) => {
    expect(run(ipOutsidePools, [controller(), ...pools, lb('shop', 'web', { ips })])).toEqual([]);
  });

  it.each([
    ['the address just past a range', ['10.0.20.10']],
    ['an IPv4 address in no pool', ['10.0.9.7']],
    ['an IPv6 address just past a CIDR', ['fd00:10::100']],
    ['an IPv6 address outside every pool', ['2001:db8::1']],
  ])('reports a service holding %s', (_title, ips) => {
    const drafts = run(ipOutsidePools, [controller(), ...pools, lb('shop', 'web', { ips })]);
    expect(flagged(drafts, 'IP_OUTSIDE_POOLS')).toEqual(['shop/web']);
    expect(drafts[0]?.details).toEqual({ ips });
  });

  it('writes the message of the catalogue example, with what MetalLB does about it', () => {
    const drafts = run(ipOutsidePools, [
      controller('0.14.9'),
      pool('default', ['10.0.10.0/24']),
      lb('shop', 'web', { ips: ['10.0.9.7'] }),
    ]);
    expect(drafts).toEqual([
      {
        code: 'IP_OUTSIDE_POOLS',
        resource: { kind: 'Service', namespace: 'shop', name: 'web' },
        message:
          'Service shop/web holds 10.0.9.7, which no IPAddressPool contains (pools: default 10.0.10.0/24); ' +
          'MetalLB clears such an IP and assigns a new one on its next reconcile, so the address will change.',
        details: { ips: ['10.0.9.7'] },
      },
    ]);
  });

  it('lists both IPs of a dual-stack service in one finding, as written in its status', () => {
    const drafts = run(ipOutsidePools, [
      controller(),
      ...pools,
      lb('shop', 'dual', { ips: ['10.0.9.7', '10.0.10.1', '2001:DB8:0:0::1'] }),
    ]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.details).toEqual({ ips: ['10.0.9.7', '2001:DB8:0:0::1'] });
    expect(drafts[0]?.message).toContain(
      'holds 10.0.9.7 and 2001:DB8:0:0::1, which no IPAddressPool contains',
    );
  });

  it.each([
    [
      '0.14.1',
      'MetalLB refuses a pool config that does not allow an assigned IP and keeps running on the previous one',
    ],
    [undefined, 'MetalLB 0.14.2 and later clear such an IP and assign a new one'],
  ])('says what MetalLB version %s (undefined: unknown) does with the IP', (version, outcome) => {
    const objects = [pool('default', ['10.0.10.0/24']), lb('shop', 'web', { ips: ['10.0.9.7'] })];
    const drafts = run(ipOutsidePools, version === undefined ? objects : [controller(version), ...objects]);
    expect(drafts[0]?.message).toContain(outcome);
  });

  it('says that no pool exists when the MetalLB namespace has none', () => {
    const drafts = run(ipOutsidePools, [controller(), lb('shop', 'web', { ips: ['10.0.10.7'] })]);
    expect(drafts[0]?.message).toContain(
      'which no IPAddressPool contains (no IPAddressPool exists in metallb-system)',
    );
  });

  it('does not count a pool outside the MetalLB namespace, which MetalLB ignores', () => {
    const stray = pool('stray', ['10.0.10.0/24'], {}, {}, 'default');
    const drafts = run(ipOutsidePools, [controller(), stray, lb('shop', 'web', { ips: ['10.0.10.7'] })]);
    expect(flagged(drafts, 'IP_OUTSIDE_POOLS')).toEqual(['shop/web']);
  });

  it('shortens a long list of pools in the message', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((n, i) => pool(n, [`10.1.${i}.0/24`]));
    const drafts = run(ipOutsidePools, [controller(), ...many, lb('shop', 'web', { ips: ['10.0.9.7'] })]);
    expect(drafts[0]?.message).toContain('(pools: a 10.1.0.0/24, b 10.1.1.0/24, c 10.1.2.0/24, and 2 more)');
  });

  it.each([
    [
      'a ClusterIP service',
      service('shop', 'internal', { type: 'ClusterIP' }, { loadBalancer: { ingress: [{ ip: '10.0.9.7' }] } }),
    ],
    [
      'a service of another load-balancer class',
      lb('shop', 'other', { ips: ['10.0.9.7'], spec: { loadBalancerClass: 'other' } }),
    ],
  ])('ignores %s', (_title, svc) => {
    expect(run(ipOutsidePools, [controller(), ...pools, svc])).toEqual([]);
  });

  it('checks a service whose class matches the controller --lb-class, and ignores class-less ones then', () => {
    const drafts = run(ipOutsidePools, [
      controller('0.15.3', 'metallb'),
      ...pools,
      lb('shop', 'classed', { ips: ['10.0.9.7'], spec: { loadBalancerClass: 'metallb' } }),
      lb('shop', 'classless', { ips: ['10.0.9.8'] }),
    ]);
    expect(Object.keys(byResource(drafts, 'IP_OUTSIDE_POOLS'))).toEqual(['shop/classed']);
  });

  it.each([
    ['no spec', object('v1', 'Service', 'broken', 'shop')],
    [
      'ingress that is not a list',
      object('v1', 'Service', 'broken', 'shop', {
        spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: 'x' } },
      }),
    ],
    [
      'ingress items of odd types',
      object('v1', 'Service', 'broken', 'shop', {
        spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: [null, 7, { ip: 42 }, { ip: 'not-an-ip' }] } },
      }),
    ],
  ])('never throws on a service with %s, and reports nothing for it', (_title, svc) => {
    expect(run(ipOutsidePools, [controller(), ...pools, svc])).toEqual([]);
  });
});

import { poolExhausted } from '../../../../../src/drift/rules/pools/pool-exhausted';
import { poolNearlyExhausted } from '../../../../../src/drift/rules/pools/pool-nearly-exhausted';
import type { KubeObject } from '../../../../../src/drift/model';
import { ingressStatus, ipAddressPool, METALLB_NS, object, service } from '../../../../support/builders';
import { resources, runRule } from './run-rule';

const lb = (name: string, ...ips: string[]): KubeObject =>
  service('shop', name, { type: 'LoadBalancer' }, ingressStatus(...ips));
const pending = (
  name: string,
  annotations: Record<string, string> = {},
  spec: Record<string, unknown> = {},
): KubeObject => service('shop', name, { type: 'LoadBalancer', ...spec }, {}, { annotations });

/** Services holding the given number of consecutive IPs from 10.0.0.<first>. */
const holders = (count: number, first = 1): KubeObject[] =>
  Array.from({ length: count }, (_, i) => lb(`s${i}`, `10.0.0.${first + i}`));

describe('POOL_EXHAUSTED', () => {
  it('warns when every allowed address is held and nothing waits', () => {
    const findings = runRule(poolExhausted, [ipAddressPool('small', ['10.0.0.1-10.0.0.3']), ...holders(3)]);
    expect(resources(findings)).toEqual([`IPAddressPool ${METALLB_NS}/small`]);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      details: { capacity: '3', used: 3, pending: [] },
    });
    expect(findings[0]?.message).toBe(
      'IPAddressPool small has all 3 of its allowed addresses in use: MetalLB cannot assign an IP from it to the next service that needs one (add addresses to the pool or free IPs held by services that no longer need them)',
    );
  });

  it.each([
    ['requests nothing from an auto-assign pool', pending('waiting')],
    ['requests the pool by annotation', pending('waiting', { 'metallb.io/address-pool': 'small' })],
    [
      'requests the pool by the legacy annotation',
      pending('waiting', { 'metallb.universe.tf/address-pool': 'small' }),
    ],
    ['requests an IP inside the pool', pending('waiting', {}, { loadBalancerIP: '10.0.0.2' })],
  ])('is critical when a service that %s is pending', (_case, waiting) => {
    const findings = runRule(poolExhausted, [
      ipAddressPool('small', ['10.0.0.1-10.0.0.3']),
      ...holders(3),
      waiting,
    ]);
    expect(findings[0]).toMatchObject({ severity: 'critical', details: { pending: ['shop/waiting'] } });
    expect(findings[0]?.message).toContain('MetalLB cannot assign an IP to the pending service shop/waiting');
  });

  it.each([
    ['requests another pool', pending('waiting', { 'metallb.io/address-pool': 'other' })],
    ['requests an IP outside the pool', pending('waiting', {}, { loadBalancerIP: '10.9.9.9' })],
    ['is not a LoadBalancer', service('shop', 'waiting', { type: 'ClusterIP' })],
    [
      'has a load balancer class MetalLB does not handle',
      pending('waiting', {}, { loadBalancerClass: 'other' }),
    ],
    ['requests an IP that does not parse', pending('waiting', { 'metallb.io/loadBalancerIPs': '10.0.0.x' })],
    [
      'requests IPs twice (field and annotation)',
      pending('waiting', { 'metallb.io/loadBalancerIPs': '10.0.0.2' }, { loadBalancerIP: '10.0.0.2' }),
    ],
  ])('stays a warning when the pending service %s', (_case, waiting) => {
    const objects = [
      ipAddressPool('small', ['10.0.0.1-10.0.0.3']),
      ipAddressPool('other', ['10.1.0.0/24']),
      ...holders(3),
      waiting,
    ];
    expect(runRule(poolExhausted, objects)[0]?.severity).toBe('warning');
  });

  it('stays a warning when the pool does not auto-assign and the pending service requests nothing', () => {
    const objects = [
      ipAddressPool('small', ['10.0.0.1-10.0.0.3'], { autoAssign: false }),
      ...holders(3),
      pending('waiting'),
    ];
    expect(runRule(poolExhausted, objects)[0]?.severity).toBe('warning');
  });

  it('counts .0 and .255 out of a pool that avoids buggy IPs', () => {
    // 10.0.0.0/24 less .0 and .255 is .1-.254: 254 addresses.
    const objects = [ipAddressPool('buggy', ['10.0.0.0/24'], { avoidBuggyIPs: true }), ...holders(254)];
    expect(runRule(poolExhausted, objects)[0]?.details).toMatchObject({ capacity: '254', used: 254 });
  });

  it('does not count a held .0 as a use of a pool that avoids buggy IPs', () => {
    const objects = [
      ipAddressPool('buggy', ['10.0.0.0-10.0.0.2'], { avoidBuggyIPs: true }),
      lb('zero', '10.0.0.0'),
      ...holders(1),
    ];
    expect(runRule(poolExhausted, objects)).toEqual([]);
    expect(runRule(poolNearlyExhausted, objects)).toEqual([]);
  });

  it('counts an IP shared by two services once', () => {
    const objects = [ipAddressPool('two', ['10.0.0.1-10.0.0.2']), lb('a', '10.0.0.1'), lb('b', '10.0.0.1')];
    expect(runRule(poolExhausted, objects)).toEqual([]);
  });

  it('counts both IPs of a dual-stack service', () => {
    const objects = [
      ipAddressPool('dual', ['10.0.0.1/32', '2001:db8::1/128']),
      lb('a', '10.0.0.1', '2001:db8::1'),
    ];
    expect(runRule(poolExhausted, objects)[0]?.details).toMatchObject({ capacity: '2', used: 2 });
  });

  it('does not count twice the addresses of entries that overlap inside one pool', () => {
    const objects = [ipAddressPool('twice', ['10.0.0.1-10.0.0.2', '10.0.0.2/32']), ...holders(2)];
    expect(runRule(poolExhausted, objects)[0]?.details).toMatchObject({ capacity: '2', used: 2 });
  });

  it('counts only the entries that parse', () => {
    const objects = [ipAddressPool('half', ['10.0.0.1/32', '10.0.0.2']), ...holders(1)];
    expect(runRule(poolExhausted, objects)[0]?.details).toMatchObject({ capacity: '1', used: 1 });
  });

  it.each([
    ['a pool with no allowed address', [ipAddressPool('none', ['10.0.0.0/32'], { avoidBuggyIPs: true })]],
    ['an empty pool', [ipAddressPool('none', [])]],
    ['a pool with no spec', [object('metallb.io/v1beta1', 'IPAddressPool', 'none', METALLB_NS)]],
    ['a pool with a free address', [ipAddressPool('free', ['10.0.0.1-10.0.0.4']), ...holders(3)]],
    [
      'a pool held only by unhandled services',
      [
        ipAddressPool('p', ['10.0.0.1/32']),
        service('shop', 'c', { type: 'LoadBalancer', loadBalancerClass: 'x' }, ingressStatus('10.0.0.1')),
      ],
    ],
    [
      'a pool outside the MetalLB namespace',
      [ipAddressPool('p', ['10.0.0.1/32'], {}, {}, 'default'), ...holders(1)],
    ],
    [
      'services with malformed status',
      [
        ipAddressPool('p', ['10.0.0.1/32']),
        service('shop', 'odd', { type: 'LoadBalancer' }, { loadBalancer: { ingress: 'x' } }),
      ],
    ],
  ])('says nothing about %s', (_case, objects) => {
    expect(runRule(poolExhausted, objects)).toEqual([]);
  });
});

describe('POOL_NEARLY_EXHAUSTED', () => {
  it.each([
    [8, []],
    [9, [`IPAddressPool ${METALLB_NS}/ten`]],
    [10, []], // all held: POOL_EXHAUSTED instead
  ])('with %p of 10 addresses held reports %p', (held, expected) => {
    const findings = runRule(poolNearlyExhausted, [
      ipAddressPool('ten', ['10.0.0.1-10.0.0.10']),
      ...holders(held),
    ]);
    expect(resources(findings)).toEqual(expected);
  });

  it('reports usage in a sentence with the numbers, as info', () => {
    const findings = runRule(poolNearlyExhausted, [
      ipAddressPool('ten', ['10.0.0.1-10.0.0.10']),
      ...holders(9),
    ]);
    expect(findings[0]).toMatchObject({ severity: 'info', details: { capacity: '10', used: 9 } });
    expect(findings[0]?.message).toBe(
      'IPAddressPool ten has 9 of its 10 allowed addresses in use (1 free): once they are gone MetalLB leaves new services pending (add addresses to the pool before then)',
    );
  });

  it('computes the capacity of an IPv6 /64 exactly', () => {
    const findings = runRule(poolNearlyExhausted, [
      ipAddressPool('v6', ['2001:db8::/64']),
      service('shop', 'a', { type: 'LoadBalancer' }, ingressStatus('2001:db8::1')),
    ]);
    expect(findings).toEqual([]);
    const v6Exhausted = runRule(poolExhausted, [
      ipAddressPool('v6', ['2001:db8::/127']),
      service('shop', 'a', { type: 'LoadBalancer' }, ingressStatus('2001:db8::')),
      service('shop', 'b', { type: 'LoadBalancer' }, ingressStatus('2001:DB8:0::1')),
    ]);
    expect(v6Exhausted[0]?.details).toMatchObject({ capacity: '2', used: 2 });
  });
});

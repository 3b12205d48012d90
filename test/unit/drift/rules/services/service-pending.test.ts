import { servicePending } from '../../../../../src/drift/rules/services/service-pending';
import { object } from '../../../../support/builders';
import { byResource, controller, lb, pool, run } from './support';

const POOL_KEY = 'metallb.io/address-pool';
const tiny = pool('tiny', ['10.0.10.0/31']);
const holders = [lb('shop', 'a', { ips: ['10.0.10.0'] }), lb('shop', 'b', { ips: ['10.0.10.1'] })];

function pending(objects: ReturnType<typeof lb>[], waiting = lb('shop', 'web')) {
  const found = byResource(run(servicePending, [controller(), ...objects, waiting]), 'SERVICE_PENDING');
  return found[`${waiting.metadata?.namespace}/${waiting.metadata?.name}`];
}

describe('SERVICE_PENDING', () => {
  it.each([
    [
      'requested-ip-invalid',
      'its requested IP does not parse',
      [pool('default', ['10.0.10.0/24'])],
      lb('shop', 'web', { spec: { loadBalancerIP: 'bogus' } }),
    ],
    [
      'requested-ip-invalid',
      'it sets both the field and the annotation',
      [pool('default', ['10.0.10.0/24'])],
      lb('shop', 'web', {
        spec: { loadBalancerIP: '10.0.10.7' },
        annotations: { 'metallb.io/loadBalancerIPs': '10.0.10.8' },
      }),
    ],
    ['no-pools', 'no pool exists', [], lb('shop', 'web')],
    [
      'pool-missing',
      'it requests a pool that does not exist',
      [pool('default', ['10.0.10.0/24'])],
      lb('shop', 'web', { annotations: { [POOL_KEY]: 'gone' } }),
    ],
    [
      'requested-ip-outside-pools',
      'it requests an IP outside every pool',
      [pool('default', ['10.0.10.0/24'])],
      lb('shop', 'web', { spec: { loadBalancerIP: 'fd00:99::1' } }),
    ],
    [
      'pool-exhausted',
      'every address of the only auto-assign pool is held',
      [tiny, ...holders],
      lb('shop', 'web'),
    ],
    [
      'pool-exhausted',
      'the pool it requests is full',
      [tiny, pool('roomy', ['10.0.20.0/24']), ...holders],
      lb('shop', 'web', { annotations: { [POOL_KEY]: 'tiny' } }),
    ],
    [
      'pool-exhausted',
      'avoidBuggyIPs leaves only held addresses',
      [pool('edge', ['10.0.10.254/31'], { avoidBuggyIPs: true }), lb('shop', 'a', { ips: ['10.0.10.254'] })],
      lb('shop', 'web'),
    ],
    [
      'no-auto-assign-pool',
      'every pool has autoAssign false',
      [pool('manual', ['10.0.10.0/24'], { autoAssign: false })],
      lb('shop', 'web'),
    ],
    [
      'no-auto-assign-pool',
      'the only pool reserves itself for another namespace',
      [pool('billing', ['10.0.10.0/24'], { serviceAllocation: { namespaces: ['billing'] } })],
      lb('shop', 'web'),
    ],
    ['unknown', 'a pool has free addresses', [pool('default', ['10.0.10.0/24'])], lb('shop', 'web')],
  ])('gives the reason %s when %s', (reason, _title, objects, waiting) => {
    expect(pending(objects, waiting)?.details).toMatchObject({ reason });
  });

  it('explains the cause and its consequence in the message, naming the pools involved', () => {
    const draft = pending([tiny, ...holders]);
    expect(draft?.message).toBe(
      'Service shop/web has no external IP because every allowed address of pool tiny is in use; MetalLB ' +
        'leaves it pending and clients cannot reach it.',
    );
    expect(draft?.details).toEqual({ reason: 'pool-exhausted', pools: ['tiny'] });
  });

  it('counts two spellings of one held IPv6 address once', () => {
    const v6 = pool('v6', ['fd00:10::/127']);
    const sameIp = [lb('shop', 'a', { ips: ['fd00:10::1'] }), lb('shop', 'b', { ips: ['FD00:10:0:0::1'] })];
    expect(pending([v6, ...sameIp])?.details).toMatchObject({ reason: 'unknown' });
    expect(pending([v6, ...sameIp, lb('shop', 'c', { ips: ['fd00:10::'] })])?.details).toMatchObject({
      reason: 'pool-exhausted',
    });
  });

  it('does not report a service that holds an IP', () => {
    expect(run(servicePending, [controller(), tiny, ...holders])).toEqual([]);
  });

  it.each([
    ['a ClusterIP service', object('v1', 'Service', 'web', 'shop', { spec: { type: 'ClusterIP' } })],
    ['a service of another load-balancer class', lb('shop', 'web', { spec: { loadBalancerClass: 'other' } })],
  ])('ignores %s', (_title, svc) => {
    expect(run(servicePending, [controller(), tiny, svc])).toEqual([]);
  });

  it.each([
    ['ingress that is not a list', { loadBalancer: { ingress: 'pending' } }],
    ['ingress with only a hostname', { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } }],
    ['a loadBalancer that is a string', { loadBalancer: 'none' }],
  ])('treats a service with %s as pending without throwing', (_title, status) => {
    const svc = object('v1', 'Service', 'web', 'shop', { spec: { type: 'LoadBalancer' }, status });
    const drafts = run(servicePending, [controller(), pool('default', ['10.0.10.0/24']), svc]);
    expect(drafts.map((d) => d.details)).toEqual([{ reason: 'unknown', pools: ['default'] }]);
  });
});

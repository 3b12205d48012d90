import { allocatedPool } from '../../../../../src/drift/rules/services/allocated-pool';
import { byResource, controller, lb, pool, run } from './support';

const CURRENT = 'metallb.io/ip-allocated-from-pool';
const LEGACY = 'metallb.universe.tf/ip-allocated-from-pool';
const pools = [pool('default', ['10.0.10.0/24', 'fd00:10::/64']), pool('other', ['10.0.20.0/24'])];

function check(annotations: Record<string, string>, ips = ['10.0.10.7'], version = '0.15.3') {
  return run(allocatedPool, [controller(version), ...pools, lb('shop', 'web', { ips, annotations })]);
}

describe('ALLOCATED_POOL_MISSING', () => {
  it.each([
    ['the metallb.io/ key', { [CURRENT]: 'gone' }, [CURRENT], ['gone']],
    ['the metallb.universe.tf/ key left by an older version', { [LEGACY]: 'gone' }, [LEGACY], ['gone']],
    [
      'the old key while the new one is right',
      { [CURRENT]: 'default', [LEGACY]: 'gone' },
      [LEGACY],
      ['gone'],
    ],
    [
      'both keys, in one finding',
      { [CURRENT]: 'gone', [LEGACY]: 'older' },
      [CURRENT, LEGACY],
      ['gone', 'older'],
    ],
  ])('reports %s naming a pool that does not exist', (_title, annotations, keys, missing) => {
    const found = byResource(check(annotations), 'ALLOCATED_POOL_MISSING');
    expect(Object.keys(found)).toEqual(['shop/web']);
    expect(found['shop/web']?.details).toEqual({ missing, annotations: keys });
  });

  it('says which key names which pool and that MetalLB will not clean it up', () => {
    const [draft] = check({ [LEGACY]: 'gone' });
    expect(draft?.message).toBe(
      `Service shop/web: ${LEGACY} names pool gone, which does not exist in metallb-system; MetalLB does not ` +
        'rewrite this annotation until it reassigns the IP (and never removes the metallb.universe.tf/ one ' +
        'from 0.14.9 on), so remove it.',
    );
  });

  it('checks the metallb.universe.tf/ key on versions before 0.14.9 too', () => {
    expect(check({ [LEGACY]: 'gone' }, ['10.0.10.7'], '0.13.12').map((d) => d.code)).toEqual([
      'ALLOCATED_POOL_MISSING',
    ]);
  });

  it.each([
    ['an existing pool', { [CURRENT]: 'default' }],
    ['an empty value', { [CURRENT]: '' }],
    ['no annotation', {}],
  ])('reports nothing for %s', (_title, annotations) => {
    expect(check(annotations)).toEqual([]);
  });

  it('ignores a service MetalLB does not handle', () => {
    const other = lb('shop', 'web', {
      ips: ['10.0.10.7'],
      annotations: { [CURRENT]: 'gone' },
      spec: { loadBalancerClass: 'other-lb' },
    });
    expect(run(allocatedPool, [controller(), ...pools, other])).toEqual([]);
  });
});

describe('ALLOCATED_POOL_MISMATCH', () => {
  it('reports an existing pool that does not contain the ingress IP, naming the pool that does', () => {
    const drafts = check({ [CURRENT]: 'other' });
    expect(drafts).toEqual([
      {
        code: 'ALLOCATED_POOL_MISMATCH',
        resource: { kind: 'Service', namespace: 'shop', name: 'web' },
        message:
          `Service shop/web: ${CURRENT} says other but 10.0.10.7 is in pool default; the annotation is only ` +
          'informational and MetalLB rewrites its own on the next assignment, so correct or remove a stale one.',
        details: { ips: ['10.0.10.7'], pools: ['other'], annotations: [CURRENT] },
      },
    ]);
  });

  it('reports an IP in no pool as such', () => {
    expect(check({ [LEGACY]: 'other' }, ['10.9.9.9'])[0]?.message).toContain('10.9.9.9 is in no pool');
  });

  it.each([
    ['a non-canonical IPv6 address inside the pool', ['FD00:10:0:0::1']],
    ['a dual-stack pair inside the pool', ['10.0.10.7', 'fd00:10::7']],
    ['a service with no ingress IP yet', []],
  ])('does not report %s', (_title, ips) => {
    expect(check({ [CURRENT]: 'default' }, ips)).toEqual([]);
  });

  it('reports the one IP of a dual-stack pair the named pool lacks', () => {
    const drafts = check({ [CURRENT]: 'other' }, ['10.0.20.7', 'fd00:10::7']);
    expect(drafts[0]?.details).toEqual({ ips: ['fd00:10::7'], pools: ['other'], annotations: [CURRENT] });
  });
});

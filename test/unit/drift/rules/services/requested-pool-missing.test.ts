import { requestedPoolMissing } from '../../../../../src/drift/rules/services/requested-pool-missing';
import { object } from '../../../../support/builders';
import { controller, lb, pool, run } from './support';

const CURRENT = 'metallb.io/address-pool';
const LEGACY = 'metallb.universe.tf/address-pool';
const pools = [pool('default', ['10.0.10.0/24'])];

function check(annotations: Record<string, string>, version: string | undefined = '0.15.3') {
  const objects = [...pools, lb('shop', 'web', { annotations })];
  return run(requestedPoolMissing, version === undefined ? objects : [controller(version), ...objects]);
}

describe('REQUESTED_POOL_MISSING', () => {
  it.each([
    ['metallb.io/ on 0.15.3', { [CURRENT]: 'gone' }, '0.15.3', CURRENT],
    ['metallb.universe.tf/ alone on 0.15.3', { [LEGACY]: 'gone' }, '0.15.3', LEGACY],
    [
      'metallb.io/ over a valid metallb.universe.tf/ on 0.14.9',
      { [CURRENT]: 'gone', [LEGACY]: 'default' },
      '0.14.9',
      CURRENT,
    ],
    [
      'metallb.universe.tf/ on 0.14.8, where metallb.io/ is not read',
      { [CURRENT]: 'default', [LEGACY]: 'gone' },
      '0.14.8',
      LEGACY,
    ],
    ['metallb.io/ on an unknown version', { [CURRENT]: 'gone' }, undefined, CURRENT],
  ])('reports a missing pool requested by %s', (_title, annotations, version, key) => {
    const drafts = check(annotations, version);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.details).toEqual({ missing: ['gone'], annotations: [key] });
    expect(drafts[0]?.message).toBe(
      `Service shop/web requests pool gone by ${key}, but no IPAddressPool gone exists in metallb-system; ` +
        'MetalLB cannot assign it an IP from that pool (AllocationFailed: unknown pool) until the pool is ' +
        'created or the annotation is corrected.',
    );
  });

  it.each([
    ['an existing pool', { [CURRENT]: 'default' }, '0.15.3'],
    ['an empty metallb.io/ key, which wins over the old one', { [CURRENT]: '', [LEGACY]: 'gone' }, '0.15.3'],
    ['a valid metallb.io/ key over a stale old one', { [CURRENT]: 'default', [LEGACY]: 'gone' }, '0.14.9'],
    ['a metallb.io/ key on 0.14.8, which that version does not read', { [CURRENT]: 'gone' }, '0.14.8'],
    ['no annotation', {}, '0.15.3'],
  ])('reports nothing for %s', (_title, annotations, version) => {
    expect(check(annotations, version)).toEqual([]);
  });

  it('does not accept a pool of the same name outside the MetalLB namespace', () => {
    const drafts = run(requestedPoolMissing, [
      controller(),
      pool('gone', ['10.0.10.0/24'], {}, {}, 'shop'),
      lb('shop', 'web', { annotations: { [CURRENT]: 'gone' } }),
    ]);
    expect(drafts.map((d) => d.code)).toEqual(['REQUESTED_POOL_MISSING']);
  });

  it.each([
    ['a number', { [CURRENT]: 5 }],
    ['null', { [CURRENT]: null }],
    ['a list of annotations', ['metallb.io/address-pool=gone']],
    ['a string of annotations', 'metallb.io/address-pool: gone'],
  ])('never throws on annotations holding %s, and reads them as absent', (_title, annotations) => {
    const svc = object('v1', 'Service', 'web', 'shop', { spec: { type: 'LoadBalancer' } }, { annotations });
    expect(run(requestedPoolMissing, [controller(), ...pools, svc])).toEqual([]);
  });
});

import { deprecatedAnnotation } from '../../../../../src/drift/rules/services/deprecated-annotation';
import { controller, lb, pool, run } from './support';

const pools = [pool('default', ['10.0.10.0/24'])];

function check(
  annotations: Record<string, string>,
  version: string | undefined,
  spec: Record<string, unknown> = {},
) {
  const objects = [...pools, lb('shop', 'web', { ips: ['10.0.10.7'], annotations, spec })];
  return run(deprecatedAnnotation, version === undefined ? objects : [controller(version), ...objects]);
}

describe('DEPRECATED_ANNOTATION', () => {
  it.each([
    ['0.14.9', { 'metallb.universe.tf/address-pool': 'default' }, ['metallb.universe.tf/address-pool']],
    [
      '0.16.1',
      { 'metallb.universe.tf/loadBalancerIPs': '10.0.10.7', 'metallb.universe.tf/allow-shared-ip': 'k' },
      ['metallb.universe.tf/allow-shared-ip', 'metallb.universe.tf/loadBalancerIPs'],
    ],
    [
      '0.15.3',
      {
        'metallb.io/ip-allocated-from-pool': 'default',
        'metallb.universe.tf/ip-allocated-from-pool': 'default',
      },
      ['metallb.universe.tf/ip-allocated-from-pool'],
    ],
  ])('reports the metallb.universe.tf/ keys of a service on %s', (version, annotations, keys) => {
    const drafts = check(annotations, version);
    expect(drafts.map((d) => d.code)).toEqual(['DEPRECATED_ANNOTATION']);
    expect(drafts[0]?.details).toEqual({ annotations: keys });
  });

  it.each([
    ['0.14.8, where it is the only prefix', '0.14.8'],
    ['an unknown version', undefined],
  ])('does not report the old prefix on %s', (_title, version) => {
    expect(check({ 'metallb.universe.tf/address-pool': 'default' }, version)).toEqual([]);
  });

  it('does not report metallb.io/ keys or unrelated annotations', () => {
    expect(
      check({ 'metallb.io/address-pool': 'default', 'example.com/metallb.universe.tf': 'x' }, '0.15.3'),
    ).toEqual([]);
  });

  it('says for each key whether to rename it or delete it', () => {
    const [draft] = check(
      {
        'metallb.universe.tf/address-pool': 'default',
        'metallb.universe.tf/allow-shared-ip': 'old',
        'metallb.io/allow-shared-ip': 'new',
        'metallb.universe.tf/ip-allocated-from-pool': 'default',
      },
      '0.15.3',
    );
    expect(draft?.message).toBe(
      'Service shop/web uses deprecated annotations metallb.universe.tf/address-pool (rename it to ' +
        'metallb.io/address-pool), metallb.universe.tf/allow-shared-ip (ignored, metallb.io/allow-shared-ip ' +
        'is set and wins; delete the old one), metallb.universe.tf/ip-allocated-from-pool (MetalLB now writes ' +
        'metallb.io/ip-allocated-from-pool; delete the old one); MetalLB emits a deprecatedAnnotation warning ' +
        'each time it updates the service while one remains.',
    );
  });

  it('ignores a service MetalLB does not handle', () => {
    expect(
      check({ 'metallb.universe.tf/address-pool': 'default' }, '0.15.3', { loadBalancerClass: 'other' }),
    ).toEqual([]);
  });
});

import { AppError } from '../../../src/errors';
import { findingId } from '../../../src/drift/finding';
import { buildPlan } from '../../../src/fixes/build-plan';
import { ipAddressPool, l2Advertisement } from '../../support/builders';
import { cluster, lb, plan, request } from './cluster';

const orphanFinding = findingId('IP_OUTSIDE_POOLS', { kind: 'Service', namespace: 'shop', name: 'orphan' });
const staleFinding = findingId('ALLOCATED_POOL_MISSING', {
  kind: 'Service',
  namespace: 'shop',
  name: 'stale',
});

describe('release-ip', () => {
  it('without targets takes every service with a current finding naming it', () => {
    const p = plan('release-ip', cluster('0.14.9'));
    expect(p.targets).toEqual(['shop/orphan']);
    expect(p.steps).toEqual([
      {
        title: 'release the IP of Service shop/orphan',
        actions: [
          {
            action: 'patch',
            object: { kind: 'Service', namespace: 'shop', name: 'orphan', resourceVersion: '7' },
            subresource: 'status',
            patch: { status: { loadBalancer: null } },
          },
        ],
        waits: [{ wait: 'new-ip', service: 'shop/orphan' }],
        services: [
          {
            service: 'shop/orphan',
            ips: ['192.168.9.9'],
            impact: 'ip-changes',
            why: 'IP_OUTSIDE_POOLS: holds 192.168.9.9; MetalLB assigns a new IP from a pool that allows it',
          },
        ],
      },
    ]);
  });

  it('first removes a requested IP and pool that point outside the pools, under either prefix', () => {
    const snapshot = cluster('0.14.9', [
      lb(
        'ops',
        'pinned',
        '192.168.9.10',
        {},
        {
          annotations: {
            'metallb.io/loadBalancerIPs': '192.168.9.10',
            'metallb.universe.tf/address-pool': 'gone',
            'metallb.io/address-pool': 'prod',
          },
        },
      ),
      lb('ops', 'spec', '192.168.9.11', { loadBalancerIP: '192.168.9.11' }),
    ]);
    const p = plan('release-ip', snapshot, { targets: ['ops/pinned', 'ops/spec'] });
    expect(p.steps[0]!.actions[0]).toEqual({
      action: 'patch',
      object: { kind: 'Service', namespace: 'ops', name: 'pinned', resourceVersion: '7' },
      patch: {
        metadata: {
          annotations: { 'metallb.io/loadBalancerIPs': null, 'metallb.universe.tf/address-pool': null },
        },
      },
    });
    expect(p.steps[0]!.services[0]!.why).toContain(
      'metallb.universe.tf/address-pool names pool gone, which does not exist',
    );
    expect(p.steps[1]!.actions[0]).toMatchObject({ patch: { spec: { loadBalancerIP: null } } });
    expect(p.steps[1]!.actions[1]).toMatchObject({ subresource: 'status' });
  });

  it('drops and names targets that no longer have their finding, and accepts finding ids', () => {
    const p = plan('release-ip', cluster('0.14.9'), {
      targets: ['shop/web', orphanFinding, 'shop/nope', staleFinding, '0123456789abcdef'],
    });
    expect(p.targets).toEqual(['shop/orphan']);
    expect(p.dropped).toEqual([
      { target: 'shop/web', reason: 'it no longer has a finding that release-ip fixes' },
      { target: 'shop/nope', reason: 'no such Service' },
      {
        target: staleFinding,
        reason: 'finding ALLOCATED_POOL_MISSING is fixed by clear-stale-annotation, not release-ip',
      },
      { target: '0123456789abcdef', reason: 'no current finding has this id (resolved?)' },
    ]);
  });

  it('answers "nothing to fix" when no service needs it, with the dropped targets', () => {
    const snapshot = cluster(
      '0.14.9',
      [],
      [ipAddressPool('prod', ['10.0.0.0/24']), l2Advertisement('l2'), lb('shop', 'web', '10.0.0.10')],
    );
    const outcome = buildPlan(request('release-ip', snapshot, { targets: ['shop/web'] }));
    expect(outcome).toEqual({
      kind: 'nothing-to-fix',
      fix: 'release-ip',
      cluster: 'prod',
      message: 'No service holds an IP outside the pools or one its pool does not allow.',
      dropped: [{ target: 'shop/web', reason: 'it no longer has a finding that release-ip fixes' }],
    });
  });

  it.each(['Shop/Web', 'web', 'a/b/c', '0123'])('refuses the target %p with E_USAGE', (target) => {
    expect(() => buildPlan(request('release-ip', cluster('0.14.9'), { targets: [target] }))).toThrow(
      AppError,
    );
  });

  it('refuses targets on a fix that takes none', () => {
    expect(() =>
      buildPlan(request('restart-controller', cluster('0.14.9'), { targets: ['shop/web'] })),
    ).toThrow(/takes no targets/);
  });
});

describe('clear-stale-annotation', () => {
  it('removes only the annotation naming a missing pool, and changes no IP', () => {
    const snapshot = cluster('0.14.9', [
      lb(
        'ops',
        'both',
        '10.0.0.40',
        {},
        {
          annotations: {
            'metallb.io/ip-allocated-from-pool': 'prod',
            'metallb.universe.tf/ip-allocated-from-pool': 'retired',
          },
        },
      ),
    ]);
    const p = plan('clear-stale-annotation', snapshot);
    expect(p.targets).toEqual(['ops/both', 'shop/stale']);
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]!.actions).toEqual([
      {
        action: 'patch',
        object: { kind: 'Service', namespace: 'ops', name: 'both', resourceVersion: '7' },
        patch: { metadata: { annotations: { 'metallb.universe.tf/ip-allocated-from-pool': null } } },
      },
      {
        action: 'patch',
        object: { kind: 'Service', namespace: 'shop', name: 'stale', resourceVersion: '7' },
        patch: { metadata: { annotations: { 'metallb.universe.tf/ip-allocated-from-pool': null } } },
      },
    ]);
    expect(p.steps[0]!.services).toEqual([]);
    expect(p.risk).toBe('low');
  });

  it('takes a finding id as its target', () => {
    expect(plan('clear-stale-annotation', cluster('0.14.9'), { targets: [staleFinding] }).targets).toEqual([
      'shop/stale',
    ]);
  });
});

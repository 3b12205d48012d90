import { canonicalJson, planHash, sealPlan, shortHash, type Plan } from '../../../src/fixes/plan';

function plan(overrides: Partial<Plan> = {}): Omit<Plan, 'hash'> {
  return {
    fix: 'release-ip',
    cluster: 'prod',
    namespace: 'metallb-system',
    metallbVersion: '0.14.9',
    risk: 'destructive',
    targets: ['shop/web'],
    dropped: [],
    backup: { objects: [{ kind: 'IPAddressPool', namespace: 'metallb-system', name: 'prod' }], services: 3 },
    steps: [
      {
        title: 'release the IP of Service shop/web',
        actions: [
          {
            action: 'patch',
            object: { kind: 'Service', namespace: 'shop', name: 'web', resourceVersion: '100' },
            subresource: 'status',
            patch: { status: { loadBalancer: null } },
          },
        ],
        waits: [{ wait: 'new-ip', service: 'shop/web' }],
        services: [{ service: 'shop/web', ips: ['10.9.0.1'], impact: 'ip-changes', why: 'outside' }],
      },
    ],
    effect: 'shop/web gets a new IP',
    warnings: [],
    builtAt: '2026-11-26T12:00:00.000Z',
    ...overrides,
  };
}

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were added in', () => {
    expect(canonicalJson({ x: 1, y: { q: 2, p: 3 } })).toBe(canonicalJson({ y: { p: 3, q: 2 }, x: 1 }));
  });
});

describe('plan hash', () => {
  const base = planHash(plan());

  it('is a SHA-256 hex digest and its short form is 12 characters', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(shortHash(base)).toBe(base.slice(0, 12));
  });

  it('ignores resourceVersions and the build time', () => {
    const later = plan({ builtAt: '2026-11-26T13:00:00.000Z' });
    const step = later.steps[0]!;
    const action = step.actions[0]!;
    if (action.action === 'patch') action.object.resourceVersion = '101';
    expect(planHash(later)).toBe(base);
  });

  it.each<[string, Partial<Plan>]>([
    [
      'a service IP',
      {
        steps: [
          {
            ...plan().steps[0]!,
            services: [{ service: 'shop/web', ips: ['10.9.0.2'], impact: 'ip-changes', why: 'outside' }],
          },
        ],
      },
    ],
    [
      'a patch',
      {
        steps: [
          {
            ...plan().steps[0]!,
            actions: [
              {
                action: 'patch',
                object: { kind: 'Service', namespace: 'shop', name: 'web' },
                patch: { spec: { loadBalancerIP: null } },
              },
            ],
          },
        ],
      },
    ],
    [
      'an object',
      {
        backup: {
          objects: [{ kind: 'IPAddressPool', namespace: 'metallb-system', name: 'lab' }],
          services: 3,
        },
      },
    ],
    ['the targets', { targets: ['shop/api'] }],
    ['the cluster', { cluster: 'lab' }],
  ])('changes when %s changes', (_what, overrides) => {
    expect(planHash(plan(overrides))).not.toBe(base);
  });

  it('seals a plan with the hash of its content, and a sealed plan hashes the same', () => {
    const sealed = sealPlan(plan());
    expect(sealed.hash).toBe(base);
    expect(planHash(sealed)).toBe(base);
  });
});

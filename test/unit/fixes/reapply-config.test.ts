import { buildPlan } from '../../../src/fixes/build-plan';
import { bfdProfile, bgpPeer, ipAddressPool, l2Advertisement } from '../../support/builders';
import { cluster, lb, plan, request, titles } from './cluster';

describe('reapply-config', () => {
  it('is refused below 0.14.2 with restart-controller suggested', () => {
    const outcome = buildPlan(request('reapply-config', cluster('0.14.1')));
    expect(outcome).toMatchObject({ kind: 'refused', fix: 'reapply-config' });
    if (outcome.kind !== 'refused') return;
    expect(outcome.reason).toContain('older than 0.14.2');
    expect(outcome.suggestion).toContain('restart-controller');
  });

  it('goes object by object between a pin step and an unpin step', () => {
    expect(titles(plan('reapply-config', cluster('0.14.9')))).toEqual([
      'pin 2 services to their current IPs (metallb.io/loadBalancerIPs)',
      're-create IPAddressPool lab',
      're-create IPAddressPool prod',
      're-create L2Advertisement l2',
      'remove the 2 pins this fix added',
    ]);
  });

  it('deletes then re-creates exactly one object per step, from the backup copy without runtime fields', () => {
    const step = plan('reapply-config', cluster('0.14.9')).steps[2]!;
    expect(step.actions).toEqual([
      {
        action: 'delete',
        object: { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'prod', resourceVersion: '11' },
      },
      {
        action: 'create',
        object: { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'prod' },
        manifest: {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name: 'prod', namespace: 'metallb-system' },
          spec: { addresses: ['10.0.0.0/24'] },
        },
        passwordFrom: 'none',
      },
    ]);
    expect(step.waits[0]).toEqual({
      wait: 'controller-saw-deletion',
      object: { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'prod', resourceVersion: '11' },
    });
  });

  it.each([
    ['0.14.9', ['metallb.io/loadBalancerIPs']],
    ['0.15.3', ['metallb.io/loadBalancerIPs']],
    ['0.14.8', ['metallb.universe.tf/loadBalancerIPs']],
    ['0.14.2', ['metallb.universe.tf/loadBalancerIPs']],
    [null, ['metallb.io/loadBalancerIPs', 'metallb.universe.tf/loadBalancerIPs']],
  ])('on %s pins under %j and removes exactly those pins at the end', (version, keys) => {
    const p = plan('reapply-config', cluster(version));
    const pin = p.steps[0]!;
    const unpin = p.steps[p.steps.length - 1]!;
    expect(pin.actions).toEqual([
      {
        action: 'patch',
        object: { kind: 'Service', namespace: 'shop', name: 'stale', resourceVersion: '7' },
        patch: { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, '10.0.1.6'])) } },
      },
      {
        action: 'patch',
        object: { kind: 'Service', namespace: 'shop', name: 'web', resourceVersion: '7' },
        patch: { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, '10.0.0.10'])) } },
      },
    ]);
    expect(unpin.actions.map((a) => (a.action === 'patch' ? a.patch : a))).toEqual([
      { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, null])) } },
      { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, null])) } },
    ]);
  });

  it('warns that an unknown version is pinned under both prefixes', () => {
    expect(plan('reapply-config', cluster(null)).warnings.map((w) => w.kind)).toContain('version');
  });

  it('leaves alone services that request their IP by annotation (either prefix) or spec.loadBalancerIP', () => {
    const snapshot = cluster('0.14.9', [
      lb(
        'ops',
        'old-style',
        '10.0.0.20',
        {},
        { annotations: { 'metallb.universe.tf/loadBalancerIPs': '10.0.0.20' } },
      ),
    ]);
    const pinned = plan('reapply-config', snapshot).steps[0]!.actions.map((a) =>
      a.action === 'patch' ? `${a.object.namespace}/${a.object.name}` : '',
    );
    expect(pinned).toEqual(['shop/stale', 'shop/web']);
  });

  it('lists per pool step the services that lose their address, and waits for them to hold their IPs again', () => {
    const p = plan('reapply-config', cluster('0.14.9'));
    const prod = p.steps.find((s) => s.title === 're-create IPAddressPool prod')!;
    expect(prod.services.map((s) => [s.service, s.impact])).toEqual([
      ['shop/api', 'loses-address'],
      ['shop/web', 'loses-address'],
    ]);
    expect(prod.services[1]!.why).toBe(
      'its IP 10.0.0.10 is in IPAddressPool prod: MetalLB clears it while no pool allows it; pinned, it gets the same IP back',
    );
    expect(prod.services[0]!.why).toContain('it requests that IP itself');
    expect(prod.waits[1]).toEqual({
      wait: 'services-hold-ips',
      services: [
        { service: 'shop/api', ips: ['10.0.0.11'] },
        { service: 'shop/web', ips: ['10.0.0.10'] },
      ],
    });
  });

  it('says that every service loses its address while the only pool is gone', () => {
    const snapshot = cluster(
      '0.15.3',
      [],
      [
        ipAddressPool('only', ['10.0.0.0/24']),
        l2Advertisement('l2'),
        lb('shop', 'web', '10.0.0.10'),
        lb('shop', 'db', '10.0.0.12'),
      ],
    );
    const step = plan('reapply-config', snapshot).steps.find(
      (s) => s.title === 're-create IPAddressPool only',
    )!;
    expect(step.services.map((s) => s.service)).toEqual(['shop/db', 'shop/web']);
    expect(step.services[0]!.why).toContain('no pool is left while IPAddressPool only is deleted');
  });

  it('names the services that are not announced while the only advertisement of their pools is re-created', () => {
    const step = plan('reapply-config', cluster('0.14.9')).steps.find(
      (s) => s.title === 're-create L2Advertisement l2',
    )!;
    expect(step.services.map((s) => [s.service, s.impact])).toEqual([
      ['shop/api', 'unannounced'],
      ['shop/legacy', 'unannounced'],
      ['shop/stale', 'unannounced'],
      ['shop/web', 'unannounced'],
    ]);
  });

  it('says that a service holding an IP outside every pool may get a new one', () => {
    const first = plan('reapply-config', cluster('0.14.9')).steps[1]!;
    expect(first.services).toContainEqual(
      expect.objectContaining({ service: 'shop/orphan', ips: ['192.168.9.9'], impact: 'ip-may-change' }),
    );
  });

  it('leaves a BFDProfile a BGPPeer uses in place, and says why', () => {
    const p = plan(
      'reapply-config',
      cluster('0.14.9', [bfdProfile('fast'), bgpPeer('tor', { bfdProfile: 'fast' })]),
    );
    expect(titles(p)).not.toContain('re-create BFDProfile fast');
    expect(titles(p)).toContain('re-create BGPPeer tor');
    expect(p.warnings).toContainEqual({
      kind: 'skipped',
      text: "BFDProfile fast is left in place: BGPPeer tor uses it, and MetalLB's webhook refuses to delete it.",
    });
  });

  it('never shows a BGPPeer password, and says the re-created peer takes it from the backup', () => {
    const p = plan('reapply-config', cluster('0.14.9', [bgpPeer('tor', { password: 'hunter2-secret' })]));
    expect(JSON.stringify(p)).not.toContain('hunter2-secret');
    const create = p.steps.find((s) => s.title === 're-create BGPPeer tor')!.actions[1]!;
    expect(create).toMatchObject({ action: 'create', passwordFrom: 'backup' });
  });

  it('warns about GitOps on a managed config object and on a pinned service', () => {
    const snapshot = cluster('0.14.9', [
      ipAddressPool(
        'gitops',
        ['10.0.7.0/24'],
        {},
        { labels: { 'kustomize.toolkit.fluxcd.io/name': 'infra' } },
      ),
      lb(
        'apps',
        'argo',
        '10.0.7.1',
        {},
        { annotations: { 'argocd.argoproj.io/tracking-id': 'apps:/Service:apps/argo' } },
      ),
    ]);
    const texts = plan('reapply-config', snapshot)
      .warnings.filter((w) => w.kind === 'gitops')
      .map((w) => w.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^IPAddressPool gitops is managed by Flux .*flux suspend kustomization infra/);
    expect(texts[1]).toMatch(/^Service apps\/argo is managed by Argo CD .*may revert the annotations/);
  });

  it('gives the same hash when rebuilt later with new resourceVersions', () => {
    const first = plan('reapply-config', cluster('0.14.9'));
    const bumped = cluster('0.14.9');
    for (const obj of bumped.objects) if (obj.metadata) obj.metadata.resourceVersion = '999';
    const second = plan('reapply-config', bumped, { now: new Date('2026-11-26T12:30:00Z') });
    expect(second.hash).toBe(first.hash);
    const moved = cluster('0.14.9', [lb('shop', 'new', '10.0.0.30')]);
    expect(plan('reapply-config', moved).hash).not.toBe(first.hash);
  });

  it('answers "nothing to fix" when there is no config', () => {
    const outcome = buildPlan(request('reapply-config', cluster('0.14.9', [], [lb('shop', 'web', null)])));
    expect(outcome).toMatchObject({ kind: 'nothing-to-fix' });
  });
});

import { gitopsWarning, managerOf } from '../../../src/fixes/gitops';
import { ipAddressPool, service } from '../../support/builders';

describe('who manages an object', () => {
  it.each([
    [
      'Argo CD annotation tracking',
      {
        annotations: {
          'argocd.argoproj.io/tracking-id': 'network:metallb.io/IPAddressPool:metallb-system/prod',
        },
      },
      'Argo CD',
      'disable auto-sync and self-heal of Argo CD application network',
    ],
    [
      'Argo CD label tracking',
      { labels: { 'app.kubernetes.io/instance': 'network' } },
      'Argo CD',
      'disable auto-sync and self-heal of Argo CD application network',
    ],
    [
      'a Flux Kustomization',
      {
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'infra',
          'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        },
      },
      'Flux',
      'flux suspend kustomization infra -n flux-system',
    ],
    [
      'a Flux HelmRelease',
      { labels: { 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'apps' } },
      'Flux',
      'flux suspend helmrelease web -n apps',
    ],
    [
      'an owner',
      { ownerReferences: [{ kind: 'MetalLB', name: 'metallb', uid: 'u' }] },
      'owner',
      'pause the controller of MetalLB/metallb',
    ],
  ])('recognises %s', (_name, meta, tool, pause) => {
    const manager = managerOf(ipAddressPool('prod', ['10.0.0.0/24'], {}, meta));
    expect(manager?.tool).toBe(tool);
    expect(manager?.pause).toBe(pause);
  });

  it('finds nothing on an object applied by hand', () => {
    expect(
      managerOf(service('shop', 'web', { type: 'LoadBalancer' }, {}, { labels: { app: 'web' } })),
    ).toBeUndefined();
  });

  it('says what the controller may revert and how to pause it', () => {
    const manager = managerOf(
      ipAddressPool('prod', [], {}, { labels: { 'kustomize.toolkit.fluxcd.io/name': 'infra' } }),
    );
    expect(gitopsWarning('IPAddressPool prod', manager!, 'config')).toBe(
      'IPAddressPool prod is managed by Flux (label kustomize.toolkit.fluxcd.io/name=infra): it may re-create what a ' +
        'step deleted or revert a re-created object. Pause it while the fix runs: flux suspend kustomization infra -n flux-system.',
    );
  });
});

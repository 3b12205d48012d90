import { kindInfo, resourcePath, targetOf } from '../../../src/kubernetes/kinds';
import { buildUrl } from '../../../src/kubernetes/transport';

describe('API paths', () => {
  it.each([
    ['Service', undefined, undefined, undefined, '/api/v1/services'],
    ['Service', 'shop', 'web', 'status', '/api/v1/namespaces/shop/services/web/status'],
    [
      'IPAddressPool',
      'metallb-system',
      undefined,
      undefined,
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools',
    ],
    ['BGPPeer', undefined, undefined, undefined, '/apis/metallb.io/v1beta2/bgppeers'],
    [
      'Deployment',
      'metallb-system',
      'controller',
      undefined,
      '/apis/apps/v1/namespaces/metallb-system/deployments/controller',
    ],
    ['Node', 'ignored-for-cluster-kinds', undefined, undefined, '/api/v1/nodes'],
    [
      'CustomResourceDefinition',
      undefined,
      'bgppeers.metallb.io',
      undefined,
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/bgppeers.metallb.io',
    ],
  ])('puts %s (namespace %p, name %p, subresource %p) at %s', (kind, namespace, name, sub, expected) => {
    expect(resourcePath(kindInfo(kind), namespace, name, sub)).toBe(expected);
  });

  it('describes a subresource request in RBAC terms', () => {
    expect(targetOf(kindInfo('Pod'), 'get', 'metallb-system', 'speaker-1', 'log')).toEqual({
      verb: 'get',
      resource: 'pods/log',
      group: '',
      namespace: 'metallb-system',
      name: 'speaker-1',
    });
  });

  it('rejects a kind the adapter does not know', () => {
    expect(() => kindInfo('Secret')).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }) as Error);
  });

  it.each([
    ['https://10.0.0.1:6443', '/api/v1/services?limit=500&continue=a%2Bb'],
    [
      'https://rancher.example/k8s/clusters/c-1/',
      '/k8s/clusters/c-1/api/v1/services?limit=500&continue=a%2Bb',
    ],
  ])('keeps the path prefix of server %s and encodes the query', (server, expected) => {
    const url = buildUrl(server, {
      path: '/api/v1/services',
      query: { limit: 500, continue: 'a+b', labelSelector: undefined },
    });
    expect(`${url.pathname}${url.search}`).toBe(expected);
  });
});

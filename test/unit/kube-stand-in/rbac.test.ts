import type { KubeObject } from '../../../src/drift/model';
import { forbidden, RbacAuthorizer, requestAttributes } from '../../../tools/kube-stand-in/rbac';

const SA = { kind: 'ServiceAccount', name: 'bot', namespace: 'ops' };
const USER = 'system:serviceaccount:ops:bot';

const role = (kind: string, name: string, rules: unknown[], namespace?: string): KubeObject =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    rules,
  }) as KubeObject;

const binding = (
  kind: string,
  roleKind: string,
  name: string,
  subjects: unknown[],
  namespace?: string,
): KubeObject =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name: `${name}-binding`, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects,
  }) as KubeObject;

const q = new URLSearchParams();

describe('the stand-in RBAC authorizer', () => {
  const objects = [
    role('ClusterRole', 'read', [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }]),
    binding('ClusterRoleBinding', 'ClusterRole', 'read', [SA]),
    role('Role', 'restart', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }], 'lb'),
    binding('RoleBinding', 'Role', 'restart', [SA], 'lb'),
    // A ClusterRole bound in one namespace grants only there.
    role('ClusterRole', 'logs', [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]),
    binding('RoleBinding', 'ClusterRole', 'logs', [SA], 'lb'),
    // Bound to someone else: grants this identity nothing.
    role('ClusterRole', 'admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    binding('ClusterRoleBinding', 'ClusterRole', 'admin', [{ kind: 'User', name: 'alice' }]),
    // Group subjects: every service account of the namespace.
    role('ClusterRole', 'nodes', [
      { apiGroups: [''], resources: ['nodes'], verbs: ['list'], resourceNames: [] },
    ]),
    binding('ClusterRoleBinding', 'ClusterRole', 'nodes', [
      { kind: 'Group', name: 'system:serviceaccounts:ops' },
    ]),
  ];
  const rbac = new RbacAuthorizer(objects, USER);
  const can = (method: string, path: string): boolean => rbac.allows(requestAttributes(method, path, q)!);

  it.each([
    ['GET', '/api/v1/services', true],
    ['GET', '/api/v1/namespaces/x/services/web', true],
    ['PATCH', '/api/v1/namespaces/x/services/web', false],
    ['PATCH', '/apis/apps/v1/namespaces/lb/deployments/controller', true],
    ['PATCH', '/apis/apps/v1/namespaces/other/deployments/controller', false],
    ['PATCH', '/apis/apps/v1/namespaces/lb/daemonsets/speaker', false],
    ['GET', '/api/v1/namespaces/lb/pods/speaker-1/log', true],
    ['GET', '/api/v1/namespaces/other/pods/speaker-1/log', false],
    ['GET', '/api/v1/namespaces/lb/pods/speaker-1', false],
    ['DELETE', '/api/v1/namespaces/x/services/web', false],
    ['GET', '/api/v1/nodes', true],
  ])('%s %s: %s', (method, path, expected) => {
    expect(can(method, path)).toBe(expected);
  });

  it('reads verbs and scopes from the request as the API server does', () => {
    expect(requestAttributes('GET', '/apis/metallb.io/v1beta1/ipaddresspools', q)).toMatchObject({
      verb: 'list',
      group: 'metallb.io',
      resource: 'ipaddresspools',
      namespace: undefined,
    });
    expect(requestAttributes('GET', '/api/v1/services', new URLSearchParams('watch=true'))?.verb).toBe(
      'watch',
    );
    expect(requestAttributes('DELETE', '/api/v1/namespaces/x/services', q)?.verb).toBe('deletecollection');
    expect(requestAttributes('PATCH', '/api/v1/namespaces/x/services/web/status', q)).toMatchObject({
      verb: 'patch',
      resource: 'services',
      subresource: 'status',
      namespace: 'x',
      name: 'web',
    });
    expect(requestAttributes('GET', '/api/v1/namespaces/lb', q)).toMatchObject({
      resource: 'namespaces',
      name: 'lb',
    });
    expect(requestAttributes('GET', '/version', q)).toBeUndefined();
  });

  it('words a denial as the API server does', () => {
    expect(forbidden(USER, { verb: 'list', group: '', resource: 'services' }).message).toBe(
      'services is forbidden: User "system:serviceaccount:ops:bot" cannot list resource "services" in API group "" at the cluster scope',
    );
    const e = forbidden(USER, {
      verb: 'get',
      group: '',
      resource: 'pods',
      subresource: 'log',
      namespace: 'lb',
      name: 'p',
    });
    expect(e.message).toBe(
      'pods "p" is forbidden: User "system:serviceaccount:ops:bot" cannot get resource "pods/log" in API group "" in the namespace "lb"',
    );
    expect([e.code, e.reason, e.details]).toEqual([403, 'Forbidden', { name: 'p', kind: 'pods' }]);
  });
});

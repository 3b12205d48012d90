/**
 * RBAC as the API server's authorizer applies it, for one identity: the kubeconfig's user, a ServiceAccount such as
 * `system:serviceaccount:metallb-chatops:metallb-chatops`. Seeded with Roles, ClusterRoles and their bindings (as
 * `kubectl kustomize deploy/overlays/default` renders them), it decides every resource request, and answers
 * SelfSubjectAccessReview and SelfSubjectRulesReview from the same rules. Discovery, /version and the reviews
 * themselves are open to every authenticated user, as the default `system:discovery` and `system:basic-user`
 * ClusterRoles make them.
 */
import type { KubeObject } from '../../src/drift/model';
import { StatusError } from './status';

export const DEFAULT_RBAC_USER = 'system:serviceaccount:metallb-chatops:metallb-chatops';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** What a request asks, in RBAC terms (the apiserver's authorizer.Attributes of a resource request). */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Undefined or '': cluster scope, or every namespace. */
  namespace?: string;
  name?: string;
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

interface Binding {
  /** Undefined for a ClusterRoleBinding. */
  namespace: string | undefined;
  rules: PolicyRule[];
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

const matches = (list: readonly string[] | undefined, value: string): boolean =>
  (list ?? []).some((item) => item === '*' || item === value);

function ruleAllows(rule: PolicyRule, a: ResourceAttributes): boolean {
  if (!matches(rule.verbs, a.verb) || !matches(rule.apiGroups, a.group)) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  const resourceOk =
    resources.includes('*') ||
    resources.includes(full) ||
    (a.subresource !== undefined && resources.includes(`*/${a.subresource}`));
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

/** Who the identity is, as subjects of bindings see it. */
function subjectMatcher(user: string): (s: Subject) => boolean {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  const groups = [
    'system:authenticated',
    ...(sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : []),
  ];
  return (s) => {
    if (s.kind === 'ServiceAccount') return sa !== null && s.namespace === sa[1] && s.name === sa[2];
    if (s.kind === 'User') return s.name === user;
    if (s.kind === 'Group') return groups.includes(s.name ?? '');
    return false;
  };
}

export class RbacAuthorizer {
  private readonly bindings: Binding[];

  constructor(
    objects: readonly KubeObject[],
    readonly user: string = DEFAULT_RBAC_USER,
  ) {
    const rbac = objects.filter((o) => RBAC_KINDS.has(o.kind));
    const rulesOf = (kind: string, name: string, namespace?: string): PolicyRule[] => {
      const role = rbac.find(
        (o) =>
          o.kind === kind &&
          o.metadata?.name === name &&
          (kind === 'ClusterRole' || o.metadata?.namespace === namespace),
      );
      return ((role as { rules?: PolicyRule[] } | undefined)?.rules ?? []).filter((r) => r !== null);
    };
    const isSubject = subjectMatcher(user);
    this.bindings = rbac
      .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .map((o) => o as KubeObject & { roleRef?: { kind?: string; name?: string }; subjects?: Subject[] })
      .filter((b) => (b.subjects ?? []).some(isSubject))
      .map((b) => {
        const namespace = b.kind === 'RoleBinding' ? b.metadata?.namespace : undefined;
        const kind = b.roleRef?.kind === 'Role' && namespace !== undefined ? 'Role' : 'ClusterRole';
        return { namespace, rules: rulesOf(kind, b.roleRef?.name ?? '', namespace) };
      });
  }

  /** The rules that apply in `namespace` (undefined: only cluster-wide grants). */
  rulesIn(namespace: string | undefined): PolicyRule[] {
    return this.bindings
      .filter((b) => b.namespace === undefined || (namespace !== undefined && b.namespace === namespace))
      .flatMap((b) => b.rules);
  }

  allows(a: ResourceAttributes): boolean {
    const namespace = a.namespace === '' ? undefined : a.namespace;
    return this.rulesIn(namespace).some((r) => ruleAllows(r, a));
  }

  /** Throws the API server's 403 unless the request is granted. */
  authorize(a: ResourceAttributes): void {
    if (!this.allows(a)) throw forbidden(this.user, a);
  }
}

/** The apiserver's wording (forbidden() in k8s.io/apiserver/pkg/endpoints/handlers/responsewriters). */
export function forbidden(user: string, a: ResourceAttributes): StatusError {
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.group === '' ? a.resource : `${a.resource}.${a.group}`;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return new StatusError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${a.verb} resource "${full}" in API group "${a.group}" ${scope}`,
    { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource },
  );
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };

/** The RBAC attributes of a resource request path; undefined for a non-resource path (discovery, /version). */
export function requestAttributes(
  method: string,
  path: string,
  query: URLSearchParams,
): ResourceAttributes | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(path);
  if (!m) return undefined;
  const group = m[2] ?? '';
  const segments = (m[4] as string)
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let namespace: string | undefined;
  if (
    segments[0] === 'namespaces' &&
    segments.length >= 3 &&
    !['status', 'finalize'].includes(segments[2] ?? '')
  ) {
    namespace = segments[1];
    segments.splice(0, 2);
  }
  const [resource, name, subresource] = segments;
  if (resource === undefined) return undefined;
  const watching = query.get('watch') === 'true' || query.get('watch') === '1';
  const verb =
    method === 'GET'
      ? watching
        ? 'watch'
        : name === undefined
          ? 'list'
          : 'get'
      : method === 'DELETE'
        ? name === undefined
          ? 'deletecollection'
          : 'delete'
        : (VERBS[method] ?? method.toLowerCase());
  return { verb, group, resource, subresource, namespace, name };
}

/** The `kubectl kustomize` output (or any YAML of RBAC objects) in a directory, for `--rbac DIR`. */
export function isRbacObject(obj: KubeObject): boolean {
  return RBAC_KINDS.has(obj.kind);
}

/**
 * SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io/v1), answered from the stand-in's RBAC
 * when it enforces some, else as for an identity that may do everything (the stand-in's default).
 */
import type { PolicyRule, RbacAuthorizer, ResourceAttributes } from './rbac';
import { StatusError } from './status';

const GROUP_VERSION = 'authorization.k8s.io/v1';
const ACCESS = `/apis/${GROUP_VERSION}/selfsubjectaccessreviews`;
const RULES = `/apis/${GROUP_VERSION}/selfsubjectrulesreviews`;

/** What the default system:basic-user and system:discovery ClusterRoles grant every authenticated user. */
const BASIC_RULES: PolicyRule[] = [
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
];
const DISCOVERY = [
  {
    verbs: ['get'],
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/healthz',
      '/livez',
      '/openapi',
      '/openapi/*',
      '/readyz',
      '/version',
      '/version/',
    ],
  },
];
const EVERYTHING = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
};

interface ReviewBody {
  spec?: {
    resourceAttributes?: Partial<ResourceAttributes>;
    nonResourceAttributes?: unknown;
    namespace?: string;
  };
}

function parse(body: string): ReviewBody {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed !== null && typeof parsed === 'object') return parsed as ReviewBody;
  } catch {
    // answered below, as the API server answers a body it cannot decode
  }
  throw new StatusError(400, 'BadRequest', 'the body of the request was in an unknown format');
}

function accessReview(body: ReviewBody, rbac: RbacAuthorizer | undefined) {
  const spec = body.spec ?? {};
  const a = spec.resourceAttributes;
  if (a === undefined && spec.nonResourceAttributes === undefined) {
    throw new StatusError(
      422,
      'Invalid',
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  }
  const allowed =
    rbac === undefined ||
    a === undefined ||
    rbac.allows({
      verb: a.verb ?? '',
      group: a.group ?? '',
      resource: a.resource ?? '',
      subresource: a.subresource || undefined,
      namespace: a.namespace || undefined,
      name: a.name || undefined,
    });
  return {
    apiVersion: GROUP_VERSION,
    kind: 'SelfSubjectAccessReview',
    metadata: { creationTimestamp: null },
    spec,
    status: allowed ? { allowed: true, reason: 'RBAC: allowed' } : { allowed: false },
  };
}

function rulesReview(body: ReviewBody, rbac: RbacAuthorizer | undefined) {
  const namespace = body.spec?.namespace ?? '';
  const rules =
    rbac === undefined
      ? EVERYTHING
      : {
          resourceRules: [...BASIC_RULES, ...rbac.rulesIn(namespace || undefined)].map((r) => ({
            verbs: r.verbs,
            apiGroups: r.apiGroups ?? [],
            resources: r.resources ?? [],
            ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
          })),
          nonResourceRules: DISCOVERY,
        };
  return {
    apiVersion: GROUP_VERSION,
    kind: 'SelfSubjectRulesReview',
    metadata: { creationTimestamp: null },
    spec: { namespace },
    status: { ...rules, incomplete: false },
  };
}

/** The review's answer, or undefined when the request is not a review. */
export function review(
  method: string,
  path: string,
  body: string,
  rbac: RbacAuthorizer | undefined,
): unknown {
  if (method !== 'POST') return undefined;
  const bare = path.replace(/\/$/, '');
  if (bare === ACCESS) return accessReview(parse(body), rbac);
  if (bare === RULES) return rulesReview(parse(body), rbac);
  return undefined;
}

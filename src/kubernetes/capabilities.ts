/**
 * What the bot's identity may do in a cluster, learned from the API server itself: one SelfSubjectAccessReview per
 * (verb, resource, namespace) a capability needs. The capabilities mirror the RBAC components of deploy/ (read in
 * the base; restart, reapply, services as components; the fix Lease in every mutating one), so a team that leaves
 * one out sees the fixes it gates refused with the missing permission named, before anything is changed.
 */
import { isAppError } from '../errors';
import type { FixName } from '../fixes/fix-names';
import { METALLB_GROUP } from '../drift/metallb-facts';
import { READ_KINDS } from './kinds';

export const CAPABILITIES = ['read', 'restart', 'reapply', 'services', 'lease'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One permission, as a SelfSubjectAccessReview asks it. */
export interface AccessNeed {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Undefined: every namespace, or a cluster-scoped resource. */
  namespace?: string;
}

/** Used when METALLB_NAMESPACE is unset; the same default the reader falls back to. */
export const DEFAULT_METALLB_NAMESPACE = 'metallb-system';

/** The MetalLB config kinds reapply-config and restore write back (src/fixes/config-objects.ts). */
const CONFIG_RESOURCES = [
  'ipaddresspools',
  'l2advertisements',
  'bgpadvertisements',
  'bgppeers',
  'bfdprofiles',
  'communities',
];

const each = (verbs: string[], need: Omit<AccessNeed, 'verb'>): AccessNeed[] =>
  verbs.map((verb) => ({ verb, ...need }));

function readNeeds(ns: string): AccessNeed[] {
  // Only what a check cannot do without (essential kinds, and logs for CONFIG_STALE); the rest become notes.
  const lists = READ_KINDS.filter((k) => k.essential).map((k) => ({
    verb: 'list',
    group: k.group,
    resource: k.plural,
    namespace: k.scope === 'metallb-namespace' ? ns : undefined,
  }));
  return [...lists, { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: ns }];
}

/** Every permission each capability needs, in the MetalLB namespace `ns`. */
export function accessNeeds(capability: Capability, ns: string): AccessNeed[] {
  switch (capability) {
    case 'read':
      return readNeeds(ns);
    case 'restart':
      return [
        { verb: 'patch', group: 'apps', resource: 'deployments', namespace: ns },
        { verb: 'patch', group: 'apps', resource: 'daemonsets', namespace: ns },
      ];
    case 'reapply':
      return [
        ...CONFIG_RESOURCES.flatMap((resource) =>
          each(['create', 'update', 'patch', 'delete'], { group: METALLB_GROUP, resource, namespace: ns }),
        ),
        { verb: 'patch', group: '', resource: 'services' },
      ];
    case 'services':
      return [
        { verb: 'patch', group: '', resource: 'services' },
        { verb: 'patch', group: '', resource: 'services', subresource: 'status' },
      ];
    case 'lease':
      return each(['get', 'create', 'update'], {
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace: ns,
      });
  }
}

/** The capabilities a fix needs; every fix but backup mutates, so it also needs the fix Lease. */
export function capabilityFor(fix: FixName): Capability[] {
  switch (fix) {
    case 'backup':
      return ['read'];
    case 'restart-controller':
    case 'restart-speakers':
      return ['read', 'restart', 'lease'];
    case 'reapply-config':
    case 'restore':
    case 'apply-config':
      return ['read', 'reapply', 'lease'];
    case 'release-ip':
    case 'clear-stale-annotation':
      return ['read', 'services', 'lease'];
  }
}

/** `patch services/status.core in (all namespaces)`: what to grant, as a person reads it. */
export function describeNeed(need: AccessNeed): string {
  const resource = need.subresource ? `${need.resource}/${need.subresource}` : need.resource;
  return `${need.verb} ${resource}.${need.group || 'core'} in ${need.namespace ?? '(all namespaces)'}`;
}

export interface CapabilityStatus {
  capability: Capability;
  granted: boolean;
  /** The permissions the identity lacks, described. */
  missing: string[];
}

/** A cluster's capabilities, or why they could not be learned (then nothing is known to be granted). */
export type ClusterCapabilities =
  | { known: true; namespace: string; capabilities: CapabilityStatus[] }
  | { known: false; namespace: string; problem: string };

/** The part of the cluster port this needs: answers one access review per need, in order. */
export interface AccessReviewer {
  reviewAccess(needs: readonly AccessNeed[]): Promise<boolean[]>;
}

function describeError(error: unknown): string {
  if (isAppError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Asks the API server about `which` capabilities (default: all) at once. Never throws: a failure is `known: false`.
 */
export async function checkCapabilities(
  cluster: AccessReviewer,
  metallbNamespace: string = DEFAULT_METALLB_NAMESPACE,
  which: readonly Capability[] = CAPABILITIES,
): Promise<ClusterCapabilities> {
  const needs = which.map((c) => accessNeeds(c, metallbNamespace));
  try {
    const answers = await cluster.reviewAccess(needs.flat());
    let at = 0;
    const capabilities = which.map((capability, i) => {
      const own = needs[i] ?? [];
      const allowed = answers.slice(at, at + own.length);
      at += own.length;
      const missing = own.filter((_, j) => allowed[j] !== true).map(describeNeed);
      return { capability, granted: missing.length === 0, missing };
    });
    return { known: true, namespace: metallbNamespace, capabilities };
  } catch (error) {
    return { known: false, namespace: metallbNamespace, problem: describeError(error) };
  }
}

/**
 * What the fix request path calls before it plans or asks for approval: the capabilities `fix` needs, asked afresh
 * (a component may have been removed since the start), and the refusal to show, or undefined when it may run.
 */
export async function fixRefusal(
  cluster: AccessReviewer,
  fix: FixName,
  metallbNamespace?: string,
): Promise<string | undefined> {
  return refusalFor(fix, await checkCapabilities(cluster, metallbNamespace, capabilityFor(fix)));
}

/** Why `fix` cannot run with these capabilities, or undefined when it can. */
export function refusalFor(fix: FixName, caps: ClusterCapabilities): string | undefined {
  if (!caps.known) return `${fix} was not started: the bot could not learn its permissions (${caps.problem})`;
  const lacking = capabilityFor(fix)
    .map((c) => caps.capabilities.find((s) => s.capability === c))
    .filter((s): s is CapabilityStatus => s !== undefined && !s.granted);
  if (lacking.length === 0) return undefined;
  const what = lacking.map((s) => `${s.capability} (${s.missing.join(', ')})`).join('; ');
  return `${fix} is turned off in this cluster: the bot's identity lacks the ${lacking.map((s) => s.capability).join(' and ')} capability: ${what}. Add the matching component of deploy/components to the install, or ask a cluster admin to grant it.`;
}

/** One line per cluster for the start log and `/metallb status`: `read, restart; missing: services, lease`. */
export function summarizeCapabilities(caps: ClusterCapabilities): string {
  if (!caps.known) return `unknown (${caps.problem})`;
  const granted = caps.capabilities.filter((c) => c.granted).map((c) => c.capability);
  const missing = caps.capabilities.filter((c) => !c.granted).map((c) => c.capability);
  const parts = [granted.length > 0 ? granted.join(', ') : 'none'];
  if (missing.length > 0) parts.push(`missing: ${missing.join(', ')}`);
  return parts.join('; ');
}

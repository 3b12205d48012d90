/**
 * Pinning (issue 9): before the first delete, every affected handled service is pinned to its current IPs with
 * the `loadBalancerIPs` annotation, under the prefix the running MetalLB reads; services that already request
 * their IP are left alone; the pins are removed after the last step.
 */
import { disallowedReason } from '../drift/allocation';
import type { AnalysisContext, PoolView, ServiceView } from '../drift/context';
import { ANNOTATION_KEYS } from '../drift/metallb-facts';
import { CURRENT_PREFIX_FROM } from '../drift/version';
import { rangeContains } from '../drift/addresses';
import type { PlanStep, ServiceImpact, ServiceIps } from './plan';
import { serviceName } from './request';

const [CURRENT_KEY, LEGACY_KEY] = ANNOTATION_KEYS.loadBalancerIPs;

/**
 * The annotation keys a pin is written under: `metallb.universe.tf/` below 0.14.9 (the only prefix read),
 * `metallb.io/` from 0.14.9 (read first; the old one would raise deprecatedAnnotation events), and both when
 * the version is unknown (research/metallb.md section 3).
 */
export function pinKeys(ctx: AnalysisContext): string[] {
  const current = ctx.versionAtLeast(CURRENT_PREFIX_FROM);
  if (current === undefined) return [CURRENT_KEY, LEGACY_KEY];
  return [current ? CURRENT_KEY : LEGACY_KEY];
}

/** How a service already asks for its IP (either prefix, or spec.loadBalancerIP), or undefined. */
export function existingRequest(service: ServiceView): string | undefined {
  if (service.loadBalancerIP !== undefined) return 'spec.loadBalancerIP';
  for (const key of ANNOTATION_KEYS.loadBalancerIPs) {
    const value = service.annotations[key];
    if (value !== undefined && value.trim() !== '') return key;
  }
  return undefined;
}

/** Why the service's IPs cannot be kept under these pools, or undefined when every IP is allowed. */
export function unkeepableReason(
  service: ServiceView,
  pools: readonly PoolView[],
  ctx: AnalysisContext,
): string | undefined {
  const families = new Set<number>();
  for (const { text, ip } of service.ingress) {
    if (families.has(ip.family))
      return `it holds two IPv${ip.family} addresses and MetalLB keeps at most one per family`;
    families.add(ip.family);
    const holding = pools.filter((pool) => pool.ranges.some((range) => rangeContains(range, ip)));
    if (holding.length === 0) return `${text} is in no pool of the resulting config`;
    if (holding.every((pool) => disallowedReason(pool, ip, service, ctx) !== undefined))
      return `${text} is in pool ${holding.map((p) => p.name).join(', ')}, which does not allow it for this service`;
  }
  return undefined;
}

export interface PinPlan {
  /** Services we pin, with the IPs. */
  pinned: ServiceIps[];
  /** Services that request their IP already: affected, not pinned, their request brings the IP back. */
  requesting: ServiceIps[];
  /** Services whose IP cannot be kept, with why. */
  unkeepable: ServiceImpact[];
  pinStep: PlanStep | undefined;
  unpinStep: PlanStep | undefined;
}

function pinPatch(keys: string[], value: string | null): Record<string, unknown> {
  return { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, value])) } };
}

/**
 * Decides the pins of the affected services against the pools of the resulting config (the current pools for
 * reapply-config, the backup's for restore).
 */
export function planPins(
  affected: readonly ServiceView[],
  finalPools: readonly PoolView[],
  ctx: AnalysisContext,
): PinPlan {
  const keys = pinKeys(ctx);
  const pinned: ServiceIps[] = [];
  const requesting: ServiceIps[] = [];
  const unkeepable: ServiceImpact[] = [];
  const pinActions: PlanStep['actions'] = [];
  const unpinActions: PlanStep['actions'] = [];
  for (const service of affected) {
    const ips = service.ingress.map((i) => i.text);
    const entry = { service: serviceName(service), ips };
    const reason = unkeepableReason(service, finalPools, ctx);
    if (reason !== undefined) {
      unkeepable.push({ ...entry, impact: 'ip-may-change', why: `not pinned: ${reason}` });
      continue;
    }
    if (existingRequest(service) !== undefined) {
      requesting.push(entry);
      continue;
    }
    pinned.push(entry);
    const object = objectRef(service);
    pinActions.push({ action: 'patch', object, patch: pinPatch(keys, ips.join(',')) });
    unpinActions.push({ action: 'patch', object, patch: pinPatch(keys, null) });
  }
  const keyText = keys.join(' and ');
  return {
    pinned,
    requesting,
    unkeepable,
    pinStep:
      pinActions.length === 0
        ? undefined
        : {
            title: `pin ${pinned.length} service${pinned.length === 1 ? '' : 's'} to their current IPs (${keyText})`,
            actions: pinActions,
            waits: [],
            services: [],
          },
    unpinStep:
      unpinActions.length === 0
        ? undefined
        : {
            title: `remove the ${pinned.length} pin${pinned.length === 1 ? '' : 's'} this fix added`,
            actions: unpinActions,
            waits: [],
            services: [],
          },
  };
}

export function objectRef(service: ServiceView): {
  kind: string;
  namespace: string;
  name: string;
  resourceVersion?: string;
} {
  const resourceVersion = service.obj.metadata?.resourceVersion;
  return {
    kind: 'Service',
    namespace: service.namespace,
    name: service.name,
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
  };
}

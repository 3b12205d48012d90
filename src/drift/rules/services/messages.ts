/** Wording shared by the service rules, so every message names services, pools and outcomes the same way. */
import type { AnalysisContext, ServiceView } from '../../context';
import { STRANDED_IPS_CLEARED_FROM } from '../../version';

/** How many pools a message lists before it says "and N more": enough to orient, short enough for Slack. */
const POOLS_LISTED = 3;

/** `namespace/name`, as kubectl and MetalLB's own events print a service. */
export function serviceName(service: ServiceView): string {
  return `${service.namespace}/${service.name}`;
}

const describedPools = new WeakMap<AnalysisContext, string>();

/** `pools: default 10.0.10.0/24, v6 fd00::/120`, or which namespace has none. Once per analysis. */
export function describePools(ctx: AnalysisContext): string {
  let text = describedPools.get(ctx);
  if (text === undefined) describedPools.set(ctx, (text = poolsText(ctx)));
  return text;
}

function poolsText(ctx: AnalysisContext): string {
  if (ctx.pools.length === 0) return `no IPAddressPool exists in ${ctx.namespace}`;
  const listed = ctx.pools.slice(0, POOLS_LISTED).map((pool) => {
    const entries = pool.entries.map((e) => e.text).join(' ');
    return entries === '' ? `${pool.name} (no addresses)` : `${pool.name} ${entries}`;
  });
  const more = ctx.pools.length - listed.length;
  return `pools: ${listed.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
}

/**
 * What MetalLB does with an IP a service holds but the config does not allow (docs/findings.md, IP_NOT_ALLOWED_BY_POOL):
 * from 0.14.2 it clears and reassigns it; before, it refuses the new config and keeps running on the old one.
 */
export function releaseOutcome(ctx: AnalysisContext): string {
  switch (ctx.versionAtLeast(STRANDED_IPS_CLEARED_FROM)) {
    case true:
      return 'MetalLB clears such an IP and assigns a new one on its next reconcile, so the address will change';
    case false:
      return 'MetalLB refuses a pool config that does not allow an assigned IP and keeps running on the previous one';
    default:
      return (
        'MetalLB 0.14.2 and later clear such an IP and assign a new one, ' +
        'older versions refuse the new pool config and keep running on the previous one'
      );
  }
}

/** Why a pool does not allow an IP inside it for a service, completing "IP is in pool P but ...". */
export const NOT_ALLOWED_WHY: Record<'avoid-buggy-ips' | 'service-allocation', string> = {
  'avoid-buggy-ips': 'its avoidBuggyIPs excludes .0 and .255 addresses',
  'service-allocation': 'its serviceAllocation does not admit this service',
};

/** `10.0.0.1` or `10.0.0.1 and fd00::1`. */
export function listIps(ips: readonly string[]): string {
  return ips.length <= 1 ? (ips[0] ?? '') : `${ips.slice(0, -1).join(', ')} and ${ips[ips.length - 1]}`;
}

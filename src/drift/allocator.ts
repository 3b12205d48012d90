/**
 * What MetalLB's allocator would do next, for a preview of a config change: whether a service keeps its IPs under
 * a config, which pools it tries for a new one and in what order, and the first free address of a pool
 * (research/metallb.md sections 1.2 and 4). The order of pools without `serviceAllocation` is not guaranteed by
 * MetalLB, so they form one tier whose members are never ranked against each other.
 */
import { allowedCount, isBuggyIp, type Family, type IpAddress } from './addresses';
import { allocationAdmits, disallowedReason } from './allocation';
import type { AnalysisContext, PoolView, ServiceView } from './context';
import { at } from './fields';
import { mergeRanges } from './rules/pools/pool-usage';

/**
 * Whether MetalLB lets the service keep every IP it holds under the config of `ctx`: each one lies in a pool that
 * allows it for this service. With no pool at all every IP is cleared (from 0.14.2). One index lookup per IP.
 */
export function keepsIpsUnder(service: ServiceView, ctx: AnalysisContext): boolean {
  if (ctx.pools.length === 0 || service.ingress.length === 0) return false;
  return service.ingress.every(({ ip }) =>
    ctx.poolIndex
      .lookup(ip)
      .some(
        ({ pool }) => ctx.poolsByName.get(pool.name) === pool && !disallowedReason(pool, ip, service, ctx),
      ),
  );
}

function priorityOf(pool: PoolView): number {
  const value = at(pool.serviceAllocation, 'priority');
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The pools MetalLB tries, tier by tier, for a service that requests neither a pool nor an IP: the auto-assign
 * pools whose `serviceAllocation` admits it, by priority (lower first, unset or 0 after every set one), then the
 * auto-assign pools without `serviceAllocation`. Inside a tier the order is not guaranteed.
 */
export function allocationTiers(service: ServiceView, ctx: AnalysisContext): PoolView[][] {
  const byPriority = new Map<number, PoolView[]>();
  const open: PoolView[] = [];
  for (const pool of ctx.poolsByName.values()) {
    if (!pool.autoAssign) continue;
    if (pool.serviceAllocation === undefined) {
      open.push(pool);
      continue;
    }
    if (allocationAdmits(pool, service, ctx) === 'not-allowed') continue;
    const priority = priorityOf(pool);
    const tier = byPriority.get(priority);
    if (tier) tier.push(pool);
    else byPriority.set(priority, [pool]);
  }
  const ranked = [...byPriority.keys()].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
  return [...ranked.map((p) => byPriority.get(p) as PoolView[]), ...(open.length > 0 ? [open] : [])];
}

/** Allowed addresses of a pool in one family (its entries merged, less `.0`/`.255` under avoidBuggyIPs). */
export function familyCapacity(pool: PoolView, family: Family): bigint {
  return mergeRanges(pool.ranges.filter((r) => r.family === family)).reduce(
    (sum, range) => sum + allowedCount(range, pool.avoidBuggyIps),
    0n,
  );
}

/**
 * The first address of the pool, in entry order, that is allowed and not in `used` (values of `family`), as
 * MetalLB's allocator walks a pool. `limit` bounds the walk: a nearly full /8 is not scanned address by address.
 */
export function firstFreeAddress(
  pool: PoolView,
  family: Family,
  used: ReadonlySet<bigint>,
  limit = 1_000_000,
): IpAddress | undefined {
  let steps = 0;
  for (const range of pool.ranges) {
    if (range.family !== family) continue;
    for (let value = range.start; value <= range.end; value++) {
      if (++steps > limit) return undefined;
      const ip = { family, value };
      if (used.has(value) || (pool.avoidBuggyIps && isBuggyIp(ip))) continue;
      return ip;
    }
  }
  return undefined;
}

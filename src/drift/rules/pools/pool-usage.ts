/** How much of each pool is in use, shared by POOL_EXHAUSTED and POOL_NEARLY_EXHAUSTED. */
import { allowedCount, isBuggyIp, type AddressRange } from '../../addresses';
import { poolsPendingFor, requestedIpsOf } from '../../allocation';
import type { AnalysisContext, IngressIp, PoolView, ServiceView } from '../../context';
import { heldAddresses } from '../../held-addresses';

export interface PoolUsage {
  pool: PoolView;
  /** Allowed addresses of the pool, over the entries that parse (BigInt: IPv6 pools hold 2^64 and more). */
  capacity: bigint;
  /** Distinct allowed addresses of the pool held by the ingress IP of a handled service. */
  used: number;
}

/** The union of ranges, so that a pool whose own entries overlap does not count an address twice. */
export function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) =>
    a.family !== b.family ? a.family - b.family : a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
  );
  const merged: AddressRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.family === range.family && range.start <= last.end + 1n) {
      if (range.end > last.end) last.end = range.end;
    } else {
      merged.push({ ...range });
    }
  }
  return merged;
}

/** Allowed addresses of a pool: its entries that parse, merged, less `.0`/`.255` under `avoidBuggyIPs`. */
export function poolCapacity(pool: PoolView): bigint {
  return mergeRanges(pool.ranges).reduce((sum, range) => sum + allowedCount(range, pool.avoidBuggyIps), 0n);
}

/** One computation per context: POOL_EXHAUSTED, POOL_NEARLY_EXHAUSTED and SERVICE_PENDING all read it. */
const usagesByContext = new WeakMap<AnalysisContext, readonly PoolUsage[]>();

/**
 * The usage of every pool, in pool order, computed once per context. Each ingress IP is looked up once in the
 * pool index (O(S log R)); an IP excluded by `avoidBuggyIPs` is not an allowed address of the pool, so it does
 * not count as held.
 */
export function poolUsages(ctx: AnalysisContext): readonly PoolUsage[] {
  let usages = usagesByContext.get(ctx);
  if (usages === undefined) {
    usages = computeUsages(ctx);
    usagesByContext.set(ctx, usages);
  }
  return usages;
}

function computeUsages(ctx: AnalysisContext): PoolUsage[] {
  // Each distinct address once (the pass DUPLICATE_IP shares), so a count per pool is its distinct addresses.
  const { ips } = heldAddresses(ctx);
  const used = new Map<PoolView, number>();
  // Indexed loops: they run once per analysis, mostly unoptimised, where a for-of allocates per element.
  for (let a = 0; a < ips.length; a++) {
    const { ip, hits } = ips[a] as IngressIp;
    if (hits.length === 0) continue;
    const buggy = isBuggyIp(ip);
    for (let h = 0; h < hits.length; h++) {
      const { pool } = hits[h] as (typeof hits)[number];
      if (pool.avoidBuggyIps && buggy) continue;
      // A pool whose own entries overlap is hit once per entry: count the address once.
      if (hitBefore(hits, h, pool)) continue;
      used.set(pool, (used.get(pool) ?? 0) + 1);
    }
  }
  return ctx.pools.map((pool) => ({
    pool,
    capacity: poolCapacity(pool),
    used: used.get(pool) ?? 0,
  }));
}

function hitBefore(hits: readonly { pool: PoolView }[], h: number, pool: PoolView): boolean {
  for (let k = 0; k < h; k++) if ((hits[k] as { pool: PoolView }).pool === pool) return true;
  return false;
}

/** The handled services pending on each pool (docs/findings.md, SERVICE_PENDING). */
export function pendingByPool(ctx: AnalysisContext): Map<PoolView, ServiceView[]> {
  const pending = new Map<PoolView, ServiceView[]>();
  for (const service of ctx.handledServices) {
    if (service.ingressIpCount > 0) continue;
    const requested = requestedIpsOf(service);
    // MetalLB refuses a service whose request does not parse or is made twice: it waits on no pool, and
    // reading the request as "nothing" would make it wait on every auto-assign pool.
    if (requested.invalid.length > 0 || requested.both) continue;
    for (const pool of poolsPendingFor(
      service,
      ctx,
      requested.parsed.map((p) => p.ip),
    )) {
      const list = pending.get(pool);
      if (list) list.push(service);
      else pending.set(pool, [service]);
    }
  }
  return pending;
}

/** `namespace/name` of a service, for messages and details. */
export function serviceKey(service: ServiceView): string {
  return `${service.namespace}/${service.name}`;
}

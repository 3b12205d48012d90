/**
 * What a proposal does to pools and advertisements: pools that become unadvertised, advertisements that start or
 * stop selecting pools, and pools nearly exhausted after the change (90%, as POOL_NEARLY_EXHAUSTED).
 */
import type { AnalysisContext, PoolView } from '../drift/context';
import { nameOf } from '../drift/fields';
import type { KubeObject } from '../drift/model';
import { advertisedPools, advertisementsOf, poolsSelectedBy } from '../drift/rules/pools/advertisements';
import { poolCapacity, poolUsages } from '../drift/rules/pools/pool-usage';

export interface UnadvertisedPool {
  pool: string;
  /** Services holding an IP of the pool after the change: announced by no one. */
  services: string[];
}

export interface AdvertisementChange {
  kind: string;
  name: string;
  starts: string[];
  stops: string[];
}

export interface PoolFill {
  pool: string;
  used: number;
  capacity: string;
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

/** Pools advertised today (or new) that no advertisement selects after the change, by name. */
export function newlyUnadvertised(current: AnalysisContext, next: AnalysisContext): string[] {
  const before = new Set([...advertisedPools(current)].map((p) => p.name));
  const existed = new Set(current.pools.map((p) => p.name));
  const after = new Set([...advertisedPools(next)].map((p) => p.name));
  return next.pools
    .filter((pool) => !after.has(pool.name) && (before.has(pool.name) || !existed.has(pool.name)))
    .map((pool) => pool.name);
}

function advKey(adv: KubeObject): string {
  return `${adv.kind}/${nameOf(adv)}`;
}

/** Advertisements whose selected pools differ between today and after the change (new and deleted ones too). */
export function advertisementChanges(current: AnalysisContext, next: AnalysisContext): AdvertisementChange[] {
  const selected = (ctx: AnalysisContext): Map<string, { adv: KubeObject; pools: Set<string> }> =>
    new Map(
      advertisementsOf(ctx).map((adv) => [
        advKey(adv),
        { adv, pools: new Set(poolsSelectedBy(adv, ctx.pools).map((p) => p.name)) },
      ]),
    );
  const before = selected(current);
  const after = selected(next);
  const keys = sorted(new Set([...before.keys(), ...after.keys()]));
  return keys.flatMap((key): AdvertisementChange[] => {
    const was = before.get(key)?.pools ?? new Set<string>();
    const is = after.get(key)?.pools ?? new Set<string>();
    const starts = sorted([...is].filter((p) => !was.has(p)));
    const stops = sorted([...was].filter((p) => !is.has(p)));
    if (starts.length === 0 && stops.length === 0) return [];
    const adv = (after.get(key) ?? before.get(key))?.adv as KubeObject;
    return [{ kind: adv.kind, name: nameOf(adv), starts, stops }];
  });
}

const nearlyFull = (used: bigint, capacity: bigint): boolean => capacity > 0n && used * 10n >= capacity * 9n;

/** Pools at 90% or more after the change that were below it (or did not exist) today. */
export function nearlyExhaustedAfter(
  current: AnalysisContext,
  usedAfter: ReadonlyMap<PoolView, number>,
): PoolFill[] {
  const before = new Map(
    poolUsages(current).map((u) => [u.pool.name, nearlyFull(BigInt(u.used), u.capacity)]),
  );
  return [...usedAfter].flatMap(([pool, used]): PoolFill[] => {
    const capacity = poolCapacity(pool);
    if (!nearlyFull(BigInt(used), capacity) || before.get(pool.name) === true) return [];
    return [{ pool: pool.name, used, capacity: capacity.toString() }];
  });
}

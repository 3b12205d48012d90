/**
 * The impact of a config on the handled services, by MetalLB's rules from 0.14.2 (research/metallb.md section
 * 4): a service whose IPs the new pools still allow keeps them; one whose IP is no longer allowed loses it and
 * gets a new one from the first pool that admits it, or stays pending; a pending service may get an IP at last.
 * The exact new address is named only where MetalLB's choice is certain: one pool, and no other service competing
 * for its free addresses in the same change.
 */
import { formatIp, type Family, type IpAddress } from '../drift/addresses';
import { disallowedReason, requestedIpsOf, poolsContaining } from '../drift/allocation';
import { allocationTiers, familyCapacity, firstFreeAddress, keepsIpsUnder } from '../drift/allocator';
import type { AnalysisContext, PoolView, ServiceView } from '../drift/context';
import { strs } from '../drift/fields';

export type ImpactKind = 'moves' | 'loses' | 'gets-ip' | 'stays-pending';

/** What happens to one handled service; services that keep their IPs are only counted. */
export interface ServiceImpact {
  kind: ImpactKind;
  /** `namespace/name`. */
  service: string;
  /** The IPs it holds today. */
  from: string[];
  /** The pools it gets its new IP from: one when certain, several when MetalLB's order among them is not. */
  pools: string[];
  /** The new IP, only when MetalLB's choice is certain. */
  ip: string | null;
  /** Why it moves, or why it stays pending. */
  why: string;
  /** For `moves` and `loses`: why its IP is no longer allowed. */
  cause: LossCause | null;
}

export interface ServicesImpact {
  /** Handled services that keep their IPs. */
  keep: number;
  /** Services holding IPs today's config already does not allow: drift of today (see the findings), not the change's. */
  alreadyDisallowed: number;
  impacts: ServiceImpact[];
  /** Addresses of each proposed pool held after the change, counting only certain allocations. */
  usedAfter: Map<PoolView, number>;
}

const keyOf = (s: ServiceView): string => `${s.namespace}/${s.name}`;

/** The families a service needs addresses of: those it holds, else spec.ipFamilies, else IPv4. */
function familiesOf(service: ServiceView): Family[] {
  if (service.ingress.length > 0) return [...new Set(service.ingress.map((i) => i.ip.family))];
  const declared = strs(service.obj, 'spec', 'ipFamilies').map((f) => (f === 'IPv6' ? 6 : 4) as Family);
  return declared.length > 0 ? [...new Set(declared)] : [4];
}

/** Why a held IP is no longer allowed: in no pool (or no pool at all), or refused by the pool that holds it. */
export type LossCause = 'outside' | 'avoid-buggy-ips' | 'service-allocation';

/** Why a held IP is no longer allowed, in user words, and whether the pools still contain it. */
function lossReason(service: ServiceView, ctx: AnalysisContext): { cause: LossCause; text: string } {
  if (ctx.pools.length === 0)
    return { cause: 'outside', text: 'no pool is left, so MetalLB clears every IP' };
  for (const { text, ip } of service.ingress) {
    const pools = poolsContaining(ip, ctx);
    if (pools.length === 0) return { cause: 'outside', text: `${text} is in no pool of the new config` };
    const reason = pools.map((p) => disallowedReason(p, ip, service, ctx)).find((r) => r !== undefined);
    if (reason === 'avoid-buggy-ips')
      return { cause: reason, text: `${text} ends in .0 or .255 and its pool now avoids buggy IPs` };
    if (reason === 'service-allocation')
      return {
        cause: reason,
        text: `the serviceAllocation of pool ${pools[0]?.name ?? ''} no longer admits it`,
      };
  }
  return { cause: 'service-allocation', text: 'its IP is no longer allowed' };
}

/** Free-address bookkeeping of the proposed pools while services are placed. */
class Ledger {
  private readonly used = new Map<PoolView, Map<Family, Set<bigint>>>();
  private readonly capacity = new Map<PoolView, Map<Family, bigint>>();

  constructor(private readonly ctx: AnalysisContext) {}

  hold(pool: PoolView, ip: IpAddress): void {
    let byFamily = this.used.get(pool);
    if (byFamily === undefined) this.used.set(pool, (byFamily = new Map<Family, Set<bigint>>()));
    let set = byFamily.get(ip.family);
    if (set === undefined) byFamily.set(ip.family, (set = new Set()));
    set.add(ip.value);
  }

  usedSet(pool: PoolView, family: Family): ReadonlySet<bigint> {
    return this.used.get(pool)?.get(family) ?? new Set();
  }

  free(pool: PoolView, family: Family): bigint {
    let byFamily = this.capacity.get(pool);
    if (byFamily === undefined) this.capacity.set(pool, (byFamily = new Map<Family, bigint>()));
    let capacity = byFamily.get(family);
    if (capacity === undefined) byFamily.set(family, (capacity = familyCapacity(pool, family)));
    return capacity - BigInt(this.usedSet(pool, family).size);
  }

  fits(pool: PoolView, families: readonly Family[]): boolean {
    return families.every((f) => this.free(pool, f) > 0n);
  }

  usedCount(pool: PoolView): number {
    let n = 0;
    for (const set of this.used.get(pool)?.values() ?? []) n += set.size;
    return n;
  }

  /** Every address MetalLB lets a kept service hold, in the pools that contain it. */
  holdKept(service: ServiceView): void {
    for (const { ip } of service.ingress) {
      for (const { pool } of this.ctx.poolIndex.lookup(ip)) {
        if (!(pool.avoidBuggyIps && disallowedReason(pool, ip, service, this.ctx) === 'avoid-buggy-ips'))
          this.hold(pool, ip);
      }
    }
  }
}

type Placement =
  | { placed: true; pools: PoolView[]; ip: IpAddress | null; requested: boolean }
  | { placed: false; why: string };

/** Where a service that needs an address would get one under the proposed config. */
function place(service: ServiceView, ctx: AnalysisContext, ledger: Ledger): Placement {
  const requested = requestedIpsOf(service);
  if (requested.both)
    return { placed: false, why: 'it sets both spec.loadBalancerIP and the loadBalancerIPs annotation' };
  if (requested.invalid.length > 0)
    return { placed: false, why: `it requests ${requested.invalid.join(', ')}, not an IP` };
  const wantedPool = service.addressPool?.value ? service.addressPool.value : undefined;
  if (requested.parsed.length > 0) return placeRequested(service, requested.parsed, wantedPool, ctx, ledger);
  const families = familiesOf(service);
  if (wantedPool !== undefined) {
    const pool = ctx.poolsByName.get(wantedPool);
    if (pool === undefined)
      return { placed: false, why: `it asks for pool ${wantedPool}, which does not exist` };
    if (!ledger.fits(pool, families)) return { placed: false, why: `pool ${wantedPool} has no free address` };
    return { placed: true, pools: [pool], ip: null, requested: false };
  }
  const tiers = allocationTiers(service, ctx);
  if (tiers.length === 0) return { placed: false, why: 'no auto-assign pool admits it' };
  for (const tier of tiers) {
    const fitting = tier.filter((pool) => ledger.fits(pool, families));
    if (fitting.length > 0) return { placed: true, pools: fitting, ip: null, requested: false };
  }
  const names = tiers.flatMap((tier) => tier.map((p) => p.name).sort());
  return {
    placed: false,
    why: `no free address in ${names.length === 1 ? 'pool' : 'pools'} ${names.join(', ')}`,
  };
}

function placeRequested(
  service: ServiceView,
  wanted: readonly { text: string; ip: IpAddress }[],
  wantedPool: string | undefined,
  ctx: AnalysisContext,
  ledger: Ledger,
): Placement {
  let chosen: PoolView | undefined;
  for (const { text, ip } of wanted) {
    const pool = poolsContaining(ip, ctx).find((p) => disallowedReason(p, ip, service, ctx) === undefined);
    if (pool === undefined) return { placed: false, why: `it requests ${text}, which no pool allows for it` };
    if (wantedPool !== undefined && pool.name !== wantedPool)
      return { placed: false, why: `it requests ${text}, which is not in its pool ${wantedPool}` };
    if (ledger.usedSet(pool, ip.family).has(ip.value) && service.sharingKey === undefined)
      return { placed: false, why: `it requests ${text}, which another service holds` };
    chosen = pool;
  }
  const first = wanted[0] as { ip: IpAddress };
  return { placed: true, pools: chosen === undefined ? [] : [chosen], ip: first.ip, requested: true };
}

interface Needing {
  service: ServiceView;
  /** It holds IPs today and loses them. */
  lost: boolean;
}

/** Sorts services into those that keep their IPs (held in the ledger), those already refused today, and the rest. */
function sortOut(
  next: AnalysisContext,
  current: AnalysisContext,
  ledger: Ledger,
): { keep: number; alreadyDisallowed: number; needing: Needing[] } {
  const needing: Needing[] = [];
  let keep = 0;
  let alreadyDisallowed = 0;
  for (const service of next.handledServices) {
    const holds = service.ingress.length > 0;
    if (holds && keepsIpsUnder(service, next)) {
      keep++;
      ledger.holdKept(service);
    } else if (holds && !keepsIpsUnder(service, current)) {
      // The same Service object in both contexts (the proposal changes only config), so its view reads alike.
      alreadyDisallowed++;
    } else {
      needing.push({ service, lost: holds });
    }
  }
  needing.sort((a, b) => (keyOf(a.service) < keyOf(b.service) ? -1 : 1));
  return { keep, alreadyDisallowed, needing };
}

/** Holds requested IPs in the ledger, and counts per pool the services certain to go there without a request. */
function reserve(placements: readonly Placement[], ledger: Ledger): Map<PoolView, number> {
  const alone = new Map<PoolView, number>();
  for (const placement of placements) {
    if (!placement.placed) continue;
    if (placement.requested && placement.ip !== null && placement.pools[0])
      ledger.hold(placement.pools[0], placement.ip);
    if (!placement.requested && placement.pools.length === 1) {
      const pool = placement.pools[0] as PoolView;
      alone.set(pool, (alone.get(pool) ?? 0) + 1);
    }
  }
  return alone;
}

function impactOf(
  { service, lost }: Needing,
  placement: Placement,
  next: AnalysisContext,
  exact: (service: ServiceView, pools: readonly PoolView[]) => IpAddress | null,
): ServiceImpact {
  const from = service.ingress.map((i) => i.text);
  const loss = lost ? lossReason(service, next) : undefined;
  if (!placement.placed) {
    return {
      kind: lost ? 'loses' : 'stays-pending',
      service: keyOf(service),
      from,
      pools: [],
      ip: null,
      why: loss ? `${loss.text}; ${placement.why}` : placement.why,
      cause: loss?.cause ?? null,
    };
  }
  const ip = placement.ip ?? exact(service, placement.pools);
  return {
    kind: lost ? 'moves' : 'gets-ip',
    service: keyOf(service),
    from,
    pools: placement.pools.map((p) => p.name).sort(),
    ip: ip === null ? null : formatIp(ip),
    why: loss ? loss.text : 'the new config has a pool with a free address for it',
    cause: loss?.cause ?? null,
  };
}

/**
 * The impact of the proposed config (`next`) on the handled services, against today's config (`current`; its
 * services are the same objects as `next`'s). Services are placed in name order; MetalLB's order is not, which
 * is why a pool that two moving services compete for never gets an exact address in the report.
 */
export function servicesImpact(next: AnalysisContext, current: AnalysisContext): ServicesImpact {
  const ledger = new Ledger(next);
  const { keep, alreadyDisallowed, needing } = sortOut(next, current, ledger);
  const placements = needing.map(({ service }) => place(service, next, ledger));
  // Certain placements take their addresses first; then a pool chosen by exactly one service names its address.
  const alone = reserve(placements, ledger);
  const impacts = needing.map((n, k) =>
    impactOf(n, placements[k] as Placement, next, (service, pools) =>
      exactAddress(service, pools, alone, ledger),
    ),
  );
  const usedAfter = new Map(next.pools.map((pool) => [pool, ledger.usedCount(pool)]));
  for (const [pool, count] of alone) usedAfter.set(pool, (usedAfter.get(pool) ?? 0) + count);
  return { keep, alreadyDisallowed, impacts, usedAfter };
}

/** The first free address of the one pool a service goes to, when no other service of the change goes there. */
function exactAddress(
  service: ServiceView,
  pools: readonly PoolView[],
  alone: ReadonlyMap<PoolView, number>,
  ledger: Ledger,
): IpAddress | null {
  const pool = pools[0];
  const families = familiesOf(service);
  if (pools.length !== 1 || pool === undefined || alone.get(pool) !== 1 || families.length !== 1) return null;
  if (service.sharingKey !== undefined) return null;
  const ip = firstFreeAddress(pool, families[0] as Family, ledger.usedSet(pool, families[0] as Family));
  return ip ?? null;
}

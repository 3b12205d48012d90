/**
 * Which services lose their address during which step, by MetalLB's rules from 0.14.2: an IP that no pool of
 * the live config allows is cleared, and with no pool at all every LoadBalancer IP is cleared
 * (docs/metallb-behaviour.md section 6). The plan lists these per step and waits for them to hold their IPs again.
 */
import { rangeContains } from '../drift/addresses';
import { disallowedReason } from '../drift/allocation';
import type { AnalysisContext, PoolView, ServiceView } from '../drift/context';

/** What one action does to the pool set: a pool removed, or a pool (re-)created or replaced. */
export type PoolChange = { remove: string } | { set: PoolView };

export interface StepAddresses {
  /** Services that held their IPs when the step began, or during it, and lost them during the step. */
  lost: ServiceView[];
  /** Services without their IPs at some point before or during the step that hold them when it ends. */
  regained: ServiceView[];
}

function ipsIn(pool: PoolView | undefined, service: ServiceView): boolean {
  if (pool === undefined) return false;
  return service.ingress.some(({ ip }) => pool.ranges.some((range) => rangeContains(range, ip)));
}

/** Whether MetalLB keeps every IP of the service under this pool set. */
export function holdsUnder(
  service: ServiceView,
  pools: ReadonlyMap<string, PoolView>,
  ctx: AnalysisContext,
): boolean {
  if (pools.size === 0 || service.ingress.length === 0) return false;
  return service.ingress.every(({ ip }) => {
    for (const pool of pools.values()) {
      if (
        pool.ranges.some((r) => rangeContains(r, ip)) &&
        disallowedReason(pool, ip, service, ctx) === undefined
      )
        return true;
    }
    return false;
  });
}

/**
 * Simulates the pool set through the steps (each a list of changes applied in order) for the tracked services
 * (those holding their IPs at the start), and tells per step who lost and who regained an address.
 */
export function addressTimeline(
  tracked: readonly ServiceView[],
  start: readonly PoolView[],
  steps: readonly (readonly PoolChange[])[],
  ctx: AnalysisContext,
): StepAddresses[] {
  const pools = new Map(start.map((p) => [p.name, p]));
  const holding = new Map(tracked.map((s) => [s, holdsUnder(s, pools, ctx)]));
  return steps.map((changes) => {
    const lost = new Set<ServiceView>();
    const down = new Set([...holding].filter(([, held]) => !held).map(([s]) => s));
    for (const change of changes) {
      const name = 'remove' in change ? change.remove : change.set.name;
      const before = pools.get(name);
      const wasEmpty = pools.size === 0;
      if ('remove' in change) pools.delete(name);
      else pools.set(name, change.set);
      const after = pools.get(name);
      // Only services with an IP in the old or new pool can change, unless the set became or stopped being empty.
      const everyone = wasEmpty || pools.size === 0;
      for (const service of tracked) {
        if (!everyone && !ipsIn(before, service) && !ipsIn(after, service)) continue;
        const held = holdsUnder(service, pools, ctx);
        if (holding.get(service) === true && !held) {
          lost.add(service);
          down.add(service);
        }
        holding.set(service, held);
      }
    }
    const regained = [...down].filter((s) => holding.get(s) === true);
    return {
      lost: tracked.filter((s) => lost.has(s)),
      regained: tracked.filter((s) => regained.includes(s)),
    };
  });
}

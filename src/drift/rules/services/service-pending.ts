/**
 * SERVICE_PENDING: a handled service has no ingress IP. `details.reason` names the likely cause when one is
 * visible in the snapshot, checked from the most specific to the most general.
 */
import {
  disallowedReason,
  inAnyPool,
  poolsContaining,
  poolsPendingFor,
  requestedIpsOf,
  type RequestedIps,
} from '../../allocation';
import type { AnalysisContext, PoolView, ServiceView } from '../../context';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { poolUsages } from '../pools/pool-usage';
import { listIps, NOT_ALLOWED_WHY, serviceName } from './messages';
import { missingRequestedPool } from './requested-pool-missing';

/** The causes SERVICE_PENDING names in `details.reason` (docs/findings.md). */
export type PendingReason =
  | 'pool-missing'
  | 'requested-ip-invalid'
  | 'requested-ip-outside-pools'
  | 'requested-ip-not-allowed'
  | 'pool-exhausted'
  | 'no-auto-assign-pool'
  | 'no-pools'
  | 'unknown';

interface Diagnosis {
  reason: PendingReason;
  /** Completes "Service ns/name has no external IP ...": the cause, with its values. */
  because: string;
  pools: string[];
}

/** The exhausted pools, computed on first use: most runs have no pending service and never need them. */
type ExhaustedPools = () => ReadonlySet<PoolView>;

function exhaustedPools(ctx: AnalysisContext): ExhaustedPools {
  let exhausted: Set<PoolView> | undefined;
  return () => {
    // POOL_EXHAUSTED's own computation, so "pool-exhausted" here and that finding never disagree.
    exhausted ??= new Set(
      poolUsages(ctx)
        .filter((u) => u.capacity > 0n && BigInt(u.used) >= u.capacity)
        .map((u) => u.pool),
    );
    return exhausted;
  };
}

function names(pools: readonly PoolView[]): string[] {
  return pools.map((p) => p.name);
}

function fromPools(
  service: ServiceView,
  ctx: AnalysisContext,
  requested: RequestedIps,
  exhausted: ExhaustedPools,
): Diagnosis {
  const candidates = poolsPendingFor(
    service,
    ctx,
    requested.parsed.map((p) => p.ip),
  );
  const requestsSomething = (service.addressPool?.value ?? '') !== '' || requested.parsed.length > 0;
  if (!requestsSomething && candidates.length === 0) {
    return {
      reason: 'no-auto-assign-pool',
      because:
        'because it requests no pool or IP and no pool offers itself: every pool has autoAssign false or a ' +
        'serviceAllocation that does not admit it',
      pools: [],
    };
  }
  if (candidates.length > 0 && candidates.every((pool) => exhausted().has(pool))) {
    return {
      reason: 'pool-exhausted',
      because: `because every allowed address of ${candidates.length === 1 ? 'pool' : 'pools'} ${listIps(names(candidates))} is in use`,
      pools: names(candidates),
    };
  }
  return {
    reason: 'unknown',
    because: 'and the snapshot shows no cause (check its AllocationFailed events and the controller logs)',
    pools: names(candidates),
  };
}

function diagnose(service: ServiceView, ctx: AnalysisContext, exhausted: ExhaustedPools): Diagnosis {
  const requested = requestedIpsOf(service);
  // A refused request blocks the service whatever the pools hold, so it comes first.
  if (requested.invalid.length > 0 || requested.both) {
    const what = requested.both
      ? `it sets both ${requested.sources.join(' and ')}`
      : `${listIps(requested.invalid.map((v) => `"${v}"`))} does not parse as an IP`;
    return {
      reason: 'requested-ip-invalid',
      because: `because its IP request is invalid: ${what}`,
      pools: [],
    };
  }
  if (ctx.pools.length === 0) {
    return { reason: 'no-pools', because: `because no IPAddressPool exists in ${ctx.namespace}`, pools: [] };
  }
  const missing = missingRequestedPool(service, ctx);
  if (missing !== undefined) {
    return {
      reason: 'pool-missing',
      because: `because it requests pool ${missing.pool} by ${missing.key}, which does not exist`,
      pools: [missing.pool],
    };
  }
  const outside = requested.parsed.filter(({ ip }) => !inAnyPool(ip, ctx));
  if (outside.length > 0) {
    return {
      reason: 'requested-ip-outside-pools',
      because: `because it requests ${listIps(outside.map((o) => o.text))}, which no IPAddressPool contains`,
      pools: [],
    };
  }
  const refused = refusedRequests(service, ctx, requested);
  if (refused.clauses.length > 0) {
    return {
      reason: 'requested-ip-not-allowed',
      because: `because it requests an IP its pool does not allow: ${refused.clauses.join('; ')}`,
      pools: refused.pools,
    };
  }
  return fromPools(service, ctx, requested, exhausted);
}

/**
 * The requested IPs that every pool containing them refuses for this service (avoidBuggyIPs or
 * serviceAllocation), as "IP is in pool P but ..." clauses, with those pools.
 */
function refusedRequests(
  service: ServiceView,
  ctx: AnalysisContext,
  requested: RequestedIps,
): { clauses: string[]; pools: string[] } {
  const clauses: string[] = [];
  const pools = new Set<string>();
  for (const { text, ip } of requested.parsed) {
    const reasons = poolsContaining(ip, ctx).map((pool) => ({
      pool,
      reason: disallowedReason(pool, ip, service, ctx),
    }));
    if (reasons.length === 0 || reasons.some((r) => r.reason === undefined)) continue;
    for (const { pool, reason } of reasons) {
      clauses.push(
        `${text} is in pool ${pool.name} but ${NOT_ALLOWED_WHY[reason as keyof typeof NOT_ALLOWED_WHY]}`,
      );
      pools.add(pool.name);
    }
  }
  return { clauses, pools: [...pools] };
}

function check(service: ServiceView, ctx: AnalysisContext, exhausted: ExhaustedPools): FindingDraft[] {
  if (service.ingressIpCount > 0) return [];
  const { reason, because, pools } = diagnose(service, ctx, exhausted);
  return [
    {
      code: 'SERVICE_PENDING',
      resource: service.ref,
      message:
        `Service ${serviceName(service)} has no external IP ${because}; ` +
        'MetalLB leaves it pending and clients cannot reach it.',
      details: pools.length > 0 ? { reason, pools } : { reason },
    },
  ];
}

export const servicePending: Rule = {
  name: 'service-pending',
  codes: ['SERVICE_PENDING'],
  run: (ctx) => {
    const exhausted = exhaustedPools(ctx);
    const drafts: FindingDraft[] = [];
    // Indexed, and nothing made for the services that hold an IP (nearly all): a flatMap allocates per service.
    const services = ctx.handledServices;
    for (let i = 0; i < services.length; i++) {
      const service = services[i] as ServiceView;
      if (service.ingressIpCount === 0) drafts.push(...check(service, ctx, exhausted));
    }
    return drafts;
  },
};

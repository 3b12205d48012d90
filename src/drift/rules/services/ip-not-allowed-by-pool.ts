/**
 * IP_NOT_ALLOWED_BY_POOL: a handled service holds an ingress IP inside a pool that does not allow it for that
 * service, because of `avoidBuggyIPs` or a `serviceAllocation` that does not admit the service.
 */
import { disallowedReason, poolsOfHits } from '../../allocation';
import type { AnalysisContext, IngressIp, PoolView, ServiceView } from '../../context';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { NOT_ALLOWED_WHY, releaseOutcome, serviceName } from './messages';

interface Refusal {
  ip: string;
  pool: string;
  reason: 'avoid-buggy-ips' | 'service-allocation';
}

function refusalsOf(service: ServiceView, ctx: AnalysisContext): Refusal[] {
  const refusals: Refusal[] = [];
  // Indexed: this runs once per handled service, mostly unoptimised, where a for-of allocates an iterator.
  for (let i = 0; i < service.ingress.length; i++) {
    const { text, ip, hits } = service.ingress[i] as IngressIp;
    if (hits.length === 0) continue;
    if (hits.length === 1) {
      // The usual case, one pool: the general path below gives the same answer with more allocation.
      const pool = (hits[0] as { pool: PoolView }).pool;
      const reason = disallowedReason(pool, ip, service, ctx);
      if (reason !== undefined) refusals.push({ ip: text, pool: pool.name, reason });
      continue;
    }
    const pools = poolsOfHits(hits);
    // Only when every pool containing the IP refuses it: with overlapping pools (already POOL_OVERLAP) one
    // that allows it is enough to keep it. A verdict that needs missing Namespace objects is not a refusal.
    const reasons = pools.map((pool) => ({ pool, reason: disallowedReason(pool, ip, service, ctx) }));
    if (reasons.length === 0 || reasons.some((r) => r.reason === undefined)) continue;
    for (const { pool, reason } of reasons) {
      if (reason !== undefined) refusals.push({ ip: text, pool: pool.name, reason });
    }
  }
  return refusals;
}

function check(service: ServiceView, ctx: AnalysisContext): FindingDraft[] {
  const refusals = refusalsOf(service, ctx);
  if (refusals.length === 0) return [];
  const ips = [...new Set(refusals.map((r) => r.ip))];
  const pools = [...new Set(refusals.map((r) => r.pool))];
  const clauses = refusals.map((r) => `${r.ip} is in pool ${r.pool} but ${NOT_ALLOWED_WHY[r.reason]}`);
  return [
    {
      code: 'IP_NOT_ALLOWED_BY_POOL',
      resource: service.ref,
      message: `Service ${serviceName(service)} holds an IP its pool does not allow: ${clauses.join('; ')}; ${releaseOutcome(ctx)}.`,
      details: { ips, pools, reasons: refusals },
    },
  ];
}

export const ipNotAllowedByPool: Rule = {
  name: 'ip-not-allowed-by-pool',
  codes: ['IP_NOT_ALLOWED_BY_POOL'],
  run: (ctx) =>
    // Most configs restrict nothing: then no IP can be refused, and the per-IP lookups are skipped.
    ctx.pools.some((pool) => pool.avoidBuggyIps || pool.serviceAllocation !== undefined)
      ? ctx.handledServices.reduce<FindingDraft[]>((drafts, service) => {
          const found = check(service, ctx);
          if (found.length > 0) drafts.push(...found);
          return drafts;
        }, [])
      : [],
};

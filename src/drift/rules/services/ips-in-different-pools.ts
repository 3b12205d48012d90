/**
 * IPS_IN_DIFFERENT_POOLS: a handled service holds two or more ingress IPs, each inside some pool, but no single
 * pool contains all of them. MetalLB assigns all of a service's addresses from one pool and clears such an
 * assignment (0.14.2 and later) or refuses the new config (older); docs/findings.md, "Terms".
 */
import { addressKey } from '../../addresses';
import { poolsOfHits } from '../../allocation';
import type { AnalysisContext, IngressIp, PoolHit, PoolView, ServiceView } from '../../context';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { listIps, releaseOutcome, serviceName } from './messages';

/** Whether one pool contains every ingress IP (the usual answer), read from the lookups without allocating. */
function onePoolHoldsAll(ingress: readonly IngressIp[]): boolean {
  const first = (ingress[0] as IngressIp).hits;
  for (let h = 0; h < first.length; h++) {
    const pool = (first[h] as PoolHit).pool;
    let all = true;
    for (let i = 1; i < ingress.length && all; i++)
      all = (ingress[i] as IngressIp).hits.some((hit) => hit.pool === pool);
    if (all) return true;
  }
  return false;
}

function check(service: ServiceView, ctx: AnalysisContext): FindingDraft[] {
  if (onePoolHoldsAll(service.ingress)) return [];
  const seen = new Set<string | bigint>();
  const held: { text: string; pools: PoolView[] }[] = [];
  for (const { text, ip, hits } of service.ingress) {
    const key = addressKey(text, ip);
    if (seen.has(key)) continue;
    seen.add(key);
    const pools = poolsOfHits(hits);
    // An IP inside no pool is IP_OUTSIDE_POOLS: which pool the rest would need is then beside the point.
    if (pools.length === 0) return [];
    held.push({ text, pools });
  }
  if (held.length < 2) return [];
  const [first, ...rest] = held as [(typeof held)[number], ...typeof held];
  if (first.pools.some((pool) => rest.every((other) => other.pools.includes(pool)))) return [];
  const where = held.map((h) => `${h.text} (pool ${h.pools.map((p) => p.name).join(' or ')})`);
  return [
    {
      code: 'IPS_IN_DIFFERENT_POOLS',
      resource: service.ref,
      message:
        `Service ${serviceName(service)} holds ${listIps(where)}, but MetalLB assigns all of a service's IPs ` +
        `from one pool and no pool contains them all; ${releaseOutcome(ctx)}.`,
      details: {
        ips: held.map((h) => h.text),
        pools: [...new Set(held.flatMap((h) => h.pools.map((p) => p.name)))],
      },
    },
  ];
}

export const ipsInDifferentPools: Rule = {
  name: 'ips-in-different-pools',
  codes: ['IPS_IN_DIFFERENT_POOLS'],
  run: (ctx) => {
    const drafts: FindingDraft[] = [];
    // Indexed: this runs once per analysis, mostly unoptimised, where a for-of allocates per element.
    const services = ctx.handledServices;
    for (let i = 0; i < services.length; i++) {
      const service = services[i] as ServiceView;
      // Only a service with two or more IPs can hold them from different pools.
      if (service.ingress.length > 1) drafts.push(...check(service, ctx));
    }
    return drafts;
  },
};

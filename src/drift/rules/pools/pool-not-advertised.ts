/**
 * POOL_NOT_ADVERTISED: no L2Advertisement or BGPAdvertisement selects the pool, so its IPs are assigned but never
 * announced (docs/findings.md, "Advertised pool"; MetalLB issue #1154).
 */
import { formatIp } from '../../addresses';
import type { AnalysisContext, PoolView } from '../../context';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { advertisedPools } from './advertisements';
import { listForMessage } from './list-field';
import { serviceKey } from './pool-usage';

/** The ingress IPs of handled services inside each pool, with the services holding them. */
function holdersByPool(ctx: AnalysisContext): Map<PoolView, { ips: Set<string>; services: Set<string> }> {
  const holders = new Map<PoolView, { ips: Set<string>; services: Set<string> }>();
  for (const service of ctx.handledServices) {
    for (const { ip } of service.ingress) {
      for (const { pool } of ctx.poolIndex.lookup(ip)) {
        let entry = holders.get(pool);
        if (entry === undefined) holders.set(pool, (entry = { ips: new Set(), services: new Set() }));
        entry.ips.add(formatIp(ip));
        entry.services.add(serviceKey(service));
      }
    }
  }
  return holders;
}

export const poolNotAdvertised: Rule = {
  name: 'pool-not-advertised',
  codes: ['POOL_NOT_ADVERTISED'],
  run(ctx) {
    const advertised = advertisedPools(ctx);
    const unadvertised = ctx.pools.filter((pool) => !advertised.has(pool));
    if (unadvertised.length === 0) return [];
    const holders = holdersByPool(ctx);
    return unadvertised.map((pool): FindingDraft => {
      const held = holders.get(pool);
      const ips = [...(held?.ips ?? [])].sort();
      const services = [...(held?.services ?? [])].sort();
      const impact =
        services.length > 0
          ? `its IPs are assigned but never announced, so ${listForMessage(services)} ${services.length === 1 ? 'is' : 'are'} unreachable on ${listForMessage(ips)}`
          : 'its IPs are assigned but never announced';
      return {
        code: 'POOL_NOT_ADVERTISED',
        severity: services.length > 0 ? 'critical' : 'warning',
        resource: pool.ref,
        message:
          `${pool.ref.kind} ${pool.name} has no L2Advertisement or BGPAdvertisement: ${impact} ` +
          `(add an advertisement that selects it)`,
        details: { ips, services },
      };
    });
  },
};

/** Which pools an L2Advertisement or BGPAdvertisement selects (docs/findings.md, "Advertised pool"). */
import type { AnalysisContext, PoolView } from '../../context';
import type { KubeObject } from '../../model';
import { anySelectorMatches } from '../../selectors';
import { isSet, items, listField, stringItems } from './list-field';

/** The L2 and BGP advertisements in the MetalLB namespace, L2 first. */
export function advertisementsOf(ctx: AnalysisContext): KubeObject[] {
  return [...ctx.l2Advertisements, ...ctx.bgpAdvertisements];
}

/**
 * The pools an advertisement selects: by name in `ipAddressPools` (unknown names are skipped, as MetalLB does),
 * by `ipAddressPoolSelectors`, or every pool when both fields are empty.
 */
export function poolsSelectedBy(adv: KubeObject, pools: readonly PoolView[]): PoolView[] {
  const names = listField(adv, 'spec', 'ipAddressPools');
  const selectors = listField(adv, 'spec', 'ipAddressPoolSelectors');
  if (!isSet(names) && !isSet(selectors)) return [...pools];
  const wanted = new Set(stringItems(names));
  const selectorList = items(selectors);
  return pools.filter(
    (pool) =>
      wanted.has(pool.name) || (selectorList.length > 0 && anySelectorMatches(selectorList, pool.labels)),
  );
}

/**
 * The pools selected by at least one advertisement. An AddressPool (read as a pool below 0.14.2) is announced
 * by its own `protocol`, so it counts as advertised.
 */
export function advertisedPools(ctx: AnalysisContext): Set<PoolView> {
  const advertised = new Set<PoolView>(ctx.pools.filter((pool) => pool.kind === 'AddressPool'));
  for (const adv of advertisementsOf(ctx)) {
    for (const pool of poolsSelectedBy(adv, ctx.pools)) advertised.add(pool);
  }
  return advertised;
}

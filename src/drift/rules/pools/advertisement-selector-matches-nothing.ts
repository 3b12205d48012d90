/**
 * ADVERTISEMENT_SELECTOR_MATCHES_NOTHING: `ipAddressPoolSelectors` is set and selects no pool, and no name in
 * `ipAddressPools` exists either, so the advertisement announces nothing.
 */
import { refOf } from '../../context';
import { nameOf } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { advertisementsOf, poolsSelectedBy } from './advertisements';
import { isSet, listField, written } from './list-field';

export const advertisementSelectorMatchesNothing: Rule = {
  name: 'advertisement-selector-matches-nothing',
  codes: ['ADVERTISEMENT_SELECTOR_MATCHES_NOTHING'],
  run(ctx) {
    return advertisementsOf(ctx).flatMap((adv): FindingDraft[] => {
      const selectors = listField(adv, 'spec', 'ipAddressPoolSelectors');
      if (!isSet(selectors) || poolsSelectedBy(adv, ctx.pools).length > 0) return [];
      const shown = written(selectors);
      return [
        {
          code: 'ADVERTISEMENT_SELECTOR_MATCHES_NOTHING',
          resource: refOf(adv),
          message:
            `${adv.kind} ${nameOf(adv)} selects no IPAddressPool: its ipAddressPoolSelectors ${JSON.stringify(shown)} ` +
            `match none of the ${ctx.pools.length} pools in ${ctx.namespace} and it names no existing pool, ` +
            `so MetalLB announces nothing through it (fix the selectors or the pool labels)`,
          details: { selectors: shown, pools: [] },
        },
      ];
    });
  },
};

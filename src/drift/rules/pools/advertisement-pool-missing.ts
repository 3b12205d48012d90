/** ADVERTISEMENT_POOL_MISSING: `ipAddressPools` names a pool that does not exist (MetalLB skips it silently). */
import { refOf } from '../../context';
import { nameOf } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { advertisementsOf } from './advertisements';
import { listField, listForMessage, stringItems } from './list-field';

export const advertisementPoolMissing: Rule = {
  name: 'advertisement-pool-missing',
  codes: ['ADVERTISEMENT_POOL_MISSING'],
  run(ctx) {
    return advertisementsOf(ctx).flatMap((adv): FindingDraft[] => {
      const names = stringItems(listField(adv, 'spec', 'ipAddressPools'));
      const missing = [...new Set(names.filter((name) => !ctx.poolsByName.has(name)))];
      if (missing.length === 0) return [];
      const plural = missing.length > 1;
      return [
        {
          code: 'ADVERTISEMENT_POOL_MISSING',
          resource: refOf(adv),
          message:
            `${adv.kind} ${nameOf(adv)} names IPAddressPool${plural ? 's' : ''} ${listForMessage(missing)}, which ` +
            `${plural ? 'do' : 'does'} not exist in ${ctx.namespace}: MetalLB silently skips ${plural ? 'them' : 'it'} ` +
            `(fix the name${plural ? 's' : ''} in spec.ipAddressPools or create the pool${plural ? 's' : ''})`,
          details: { missing },
        },
      ];
    });
  },
};

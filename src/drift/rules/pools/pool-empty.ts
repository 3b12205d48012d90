/** POOL_EMPTY: `spec.addresses` is missing or empty (MetalLB: `pool has no prefixes defined`). */
import { at } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';

export const poolEmpty: Rule = {
  name: 'pool-empty',
  codes: ['POOL_EMPTY'],
  run(ctx) {
    return ctx.pools.flatMap((pool): FindingDraft[] => {
      const raw = at(pool.obj, 'spec', 'addresses');
      const empty = raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0);
      if (!empty) return [];
      return [
        {
          code: 'POOL_EMPTY',
          resource: pool.ref,
          message:
            `${pool.ref.kind} ${pool.name} has no addresses: MetalLB rejects the configuration ` +
            `("pool has no prefixes defined") and keeps running on the last valid one (add addresses or delete the pool)`,
          details: {},
        },
      ];
    });
  },
};

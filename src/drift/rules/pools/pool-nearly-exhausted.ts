/** POOL_NEARLY_EXHAUSTED: 90% or more of the allowed addresses of a pool are held, but not all. */
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { poolUsages } from './pool-usage';

export const poolNearlyExhausted: Rule = {
  name: 'pool-nearly-exhausted',
  codes: ['POOL_NEARLY_EXHAUSTED'],
  run(ctx) {
    return poolUsages(ctx).flatMap(({ pool, capacity, used: count }): FindingDraft[] => {
      const used = BigInt(count);
      // Integer arithmetic: used/capacity >= 0.9 without floating point on 2^64-sized pools.
      if (capacity === 0n || used >= capacity || used * 10n < capacity * 9n) return [];
      const free = capacity - used;
      return [
        {
          code: 'POOL_NEARLY_EXHAUSTED',
          resource: pool.ref,
          message:
            `${pool.ref.kind} ${pool.name} has ${used} of its ${capacity} allowed addresses in use (${free} free): ` +
            `once they are gone MetalLB leaves new services pending (add addresses to the pool before then)`,
          details: { capacity: capacity.toString(), used: count },
        },
      ];
    });
  },
};

/** POOL_EXHAUSTED: every allowed address of a pool is held; critical while a service waits on the pool. */
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { listForMessage } from './list-field';
import { pendingByPool, poolUsages, serviceKey } from './pool-usage';

export const poolExhausted: Rule = {
  name: 'pool-exhausted',
  codes: ['POOL_EXHAUSTED'],
  run(ctx) {
    const usages = poolUsages(ctx).filter((u) => u.capacity > 0n && BigInt(u.used) >= u.capacity);
    if (usages.length === 0) return [];
    const pendingMap = pendingByPool(ctx);
    return usages.map(({ pool, capacity, used }): FindingDraft => {
      const pending = (pendingMap.get(pool) ?? []).map(serviceKey).sort();
      const consequence =
        pending.length > 0
          ? `MetalLB cannot assign an IP to ${pending.length === 1 ? 'the pending service' : `the ${pending.length} pending services`} ${listForMessage(pending)}`
          : 'MetalLB cannot assign an IP from it to the next service that needs one';
      return {
        code: 'POOL_EXHAUSTED',
        severity: pending.length > 0 ? 'critical' : 'warning',
        resource: pool.ref,
        message:
          `${pool.ref.kind} ${pool.name} has all ${capacity} of its allowed addresses in use: ${consequence} ` +
          `(add addresses to the pool or free IPs held by services that no longer need them)`,
        details: { capacity: capacity.toString(), used, pending },
      };
    });
  },
};

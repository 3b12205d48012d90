/**
 * POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING: `serviceAllocation.namespaceSelectors` is set, `namespaces` is empty,
 * the snapshot has Namespaces and none matches. MetalLB's namespace set is then empty, which it reads as "no
 * namespace restriction": services of every namespace may take the pool's addresses (docs/findings.md, "Terms").
 */
import { allocationNamespaces } from '../../allocation';
import { arr, strs } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';

export const poolNamespaceSelectorMatchesNothing: Rule = {
  name: 'pool-namespace-selector-matches-nothing',
  codes: ['POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING'],
  run(ctx) {
    return ctx.pools.flatMap((pool): FindingDraft[] => {
      const allocation = pool.serviceAllocation;
      if (allocation === undefined) return [];
      const selectors = arr(allocation, 'namespaceSelectors');
      if (selectors.length === 0 || strs(allocation, 'namespaces').length > 0) return [];
      // Without Namespace objects the selectors cannot be judged (a note says so), so nothing is claimed.
      const namespaces = allocationNamespaces(allocation, ctx);
      if (namespaces === undefined || namespaces.size > 0) return [];
      return [
        {
          code: 'POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING',
          resource: pool.ref,
          message:
            `${pool.ref.kind} ${pool.name} limits its services by serviceAllocation.namespaceSelectors ` +
            `${JSON.stringify(selectors)}, but none of the ${ctx.ofKind('Namespace').length} Namespaces matches; ` +
            'MetalLB then applies no namespace restriction and services of every namespace may take its ' +
            'addresses (fix the selector or the Namespace labels, or list the namespaces by name).',
          details: { namespaceSelectors: selectors },
        },
      ];
    });
  },
};

/** REQUESTED_POOL_MISSING: a handled service requests, by `address-pool` annotation, a pool that does not exist. */
import type { AnalysisContext, ServiceView } from '../../context';
import type { FindingDraft } from '../../finding';
import { eachHandledService, NO_DRAFTS, type Rule } from '../../rule';
import { serviceName } from './messages';

/**
 * The pool a service requests that does not exist, with the annotation key that asks for it. The resolved
 * annotation already applies the prefix precedence; an empty value requests no pool (MetalLB reads "" as unset).
 */
export function missingRequestedPool(
  service: ServiceView,
  ctx: AnalysisContext,
): { key: string; pool: string } | undefined {
  const annotation = service.addressPool;
  if (annotation === undefined || annotation.value === '') return undefined;
  if (ctx.poolsByName.has(annotation.value)) return undefined;
  return { key: annotation.key, pool: annotation.value };
}

function check(service: ServiceView, ctx: AnalysisContext): readonly FindingDraft[] {
  const missing = missingRequestedPool(service, ctx);
  if (missing === undefined) return NO_DRAFTS;
  return [
    {
      code: 'REQUESTED_POOL_MISSING',
      resource: service.ref,
      message:
        `Service ${serviceName(service)} requests pool ${missing.pool} by ${missing.key}, but no IPAddressPool ` +
        `${missing.pool} exists in ${ctx.namespace}; MetalLB cannot assign it an IP from that pool ` +
        `(AllocationFailed: unknown pool) until the pool is created or the annotation is corrected.`,
      details: { missing: [missing.pool], annotations: [missing.key] },
    },
  ];
}

export const requestedPoolMissing: Rule = {
  name: 'requested-pool-missing',
  codes: ['REQUESTED_POOL_MISSING'],
  run: (ctx) => eachHandledService(ctx, check),
};

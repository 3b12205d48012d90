/**
 * clear-stale-annotation: removes an `ip-allocated-from-pool` annotation (either prefix) that names a pool which
 * no longer exists. From 0.14.9 MetalLB never removes the old-prefix one itself (docs/metallb-behaviour.md section 3).
 * Informational only: no IP changes.
 */
import type { ServiceView } from '../../drift/context';
import { ANNOTATION_KEYS } from '../../drift/metallb-facts';
import { serviceGitopsWarnings } from '../gitops';
import { objectRef } from '../pins';
import type { PlanOutcome, PlanStep } from '../plan';
import { serviceName, type FixContext } from '../request';
import { makePlan, nothingToFix } from './skeleton';
import { resolveTargets } from './targets';

function staleKeys(service: ServiceView, pools: ReadonlyMap<string, unknown>): string[] {
  return ANNOTATION_KEYS.allocatedFromPool.filter((key) => {
    const value = service.annotations[key]?.trim();
    return value !== undefined && value !== '' && !pools.has(value);
  });
}

export function buildClearStaleAnnotation(fc: FixContext): PlanOutcome {
  const { services, dropped } = resolveTargets(fc, 'clear-stale-annotation', fc.request.targets);
  const withKeys = services
    .map(({ service }) => ({ service, keys: staleKeys(service, fc.ctx.poolsByName) }))
    .filter((s) => s.keys.length > 0);
  if (withKeys.length === 0)
    return nothingToFix(
      fc,
      'No service carries an ip-allocated-from-pool annotation naming a missing pool.',
      dropped,
    );
  const step: PlanStep = {
    title: `remove ${withKeys.length} stale ip-allocated-from-pool annotation${withKeys.length === 1 ? '' : 's'}`,
    actions: withKeys.map(({ service, keys }) => ({
      action: 'patch',
      object: objectRef(service),
      patch: { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, null])) } },
    })),
    waits: [],
    services: [],
  };
  const warnings = serviceGitopsWarnings(withKeys.map(({ service }) => service));
  return makePlan(fc, {
    targets: withKeys.map(({ service }) => serviceName(service)),
    dropped,
    steps: [step],
    effect: 'The annotations naming missing pools are gone; no IP changes (the annotation is informational).',
    warnings,
  });
}

/** The parts every plan shares: identity, the backup taken first, and the seal. */
import { configObjectsIn } from '../config-objects';
import { FIX_RISK } from '../fix-names';
import { sealPlan, type Plan, type PlanObjectRef, type PlanOutcome } from '../plan';
import type { FixContext } from '../request';

/** The refs of the config objects a backup of this cluster would hold now. */
export function backupObjects(fc: FixContext): PlanObjectRef[] {
  return configObjectsIn(fc.ctx.objects, fc.ctx.namespace).map((o) => ({
    kind: o.kind,
    namespace: fc.ctx.namespace,
    name: o.metadata?.name ?? '',
  }));
}

export function makePlan(
  fc: FixContext,
  parts: Pick<Plan, 'targets' | 'dropped' | 'steps' | 'effect' | 'warnings'> &
    Partial<Pick<Plan, 'restoreFrom' | 'preview'>>,
): PlanOutcome {
  const { request, ctx } = fc;
  return {
    kind: 'plan',
    plan: sealPlan({
      fix: request.fix,
      cluster: request.cluster,
      namespace: ctx.namespace,
      metallbVersion: ctx.versionText,
      risk: FIX_RISK[request.fix],
      backup: { objects: backupObjects(fc), services: ctx.handledServices.length },
      builtAt: request.now.toISOString(),
      ...parts,
    }),
  };
}

export function refused(fc: FixContext, reason: string, suggestion: string): PlanOutcome {
  return { kind: 'refused', fix: fc.request.fix, cluster: fc.request.cluster, reason, suggestion };
}

export function nothingToFix(
  fc: FixContext,
  message: string,
  dropped: { target: string; reason: string }[] = [],
): PlanOutcome {
  return { kind: 'nothing-to-fix', fix: fc.request.fix, cluster: fc.request.cluster, message, dropped };
}

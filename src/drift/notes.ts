/**
 * Notes the engine itself adds to a report: what the snapshot does not let it judge. Unlike findings they name
 * no resource to fix; they keep a report from reading as an all-clear it is not (docs/findings.md, "Report").
 */
import type { AnalysisContext } from './context';
import { isControllerObject, isSpeakerObject, METALLB_GROUP } from './metallb-facts';
import { arr, nameOf, namespaceOf, str } from './fields';
import type { KubeObject } from './model';

/** Whether an object is MetalLB's: of its API group, its CRD, its controller or speaker, or in its namespace. */
function isMetallbObject(obj: KubeObject, namespace: string): boolean {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  if (apiVersion.startsWith(`${METALLB_GROUP}/`)) return true;
  if (obj.kind === 'CustomResourceDefinition') {
    return str(obj, 'spec', 'group') === METALLB_GROUP || nameOf(obj).endsWith(`.${METALLB_GROUP}`);
  }
  return isControllerObject(obj) || isSpeakerObject(obj) || namespaceOf(obj) === namespace;
}

/** A snapshot without anything of MetalLB is almost surely the wrong file or cluster, not a healthy one. */
function nothingOfMetallb(ctx: AnalysisContext): string[] {
  if (ctx.handledServices.length > 0) return [];
  if (ctx.objects.some((obj) => isMetallbObject(obj, ctx.namespace))) return [];
  return [
    'nothing of MetalLB was found (no metallb.io object or CRD, no controller or speaker, nothing in ' +
      `${ctx.namespace}, no LoadBalancer Service): check that this is the right file or cluster`,
  ];
}

/** namespaceSelectors cannot be judged without Namespace objects; the rules then assume they admit. */
function namespacesMissing(ctx: AnalysisContext): string[] {
  if (ctx.ofKind('Namespace').length > 0) return [];
  const pools = ctx.pools
    .filter((pool) => arr(pool.serviceAllocation, 'namespaceSelectors').length > 0)
    .map((pool) => pool.name);
  if (pools.length === 0) return [];
  return [
    `the snapshot holds no Namespace objects, so the serviceAllocation.namespaceSelectors of ` +
      `${pools.length === 1 ? 'pool' : 'pools'} ${pools.join(', ')} could not be judged and were assumed to ` +
      'admit every service (add `kubectl get namespaces -o yaml` to the dump)',
  ];
}

/** The engine's own notes about a snapshot, in a fixed order. */
export function contextNotes(ctx: AnalysisContext): string[] {
  return [...nothingOfMetallb(ctx), ...namespacesMissing(ctx)];
}

/** RESOURCE_OUTSIDE_NAMESPACE: a metallb.io object outside the MetalLB namespace, which MetalLB never reads. */
import { METALLB_GROUP, refOf } from '../../context';
import { groupOf, namespaceOf } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';

export const resourceOutsideNamespace: Rule = {
  name: 'resource-outside-namespace',
  codes: ['RESOURCE_OUTSIDE_NAMESPACE'],
  run: (ctx) =>
    // Exactly metallb.io: CRDs (apiextensions) and frrk8s.metallb.io objects live elsewhere by design.
    ctx.objects.flatMap((obj): FindingDraft[] => {
      const namespace = namespaceOf(obj);
      if (groupOf(obj) !== METALLB_GROUP || namespace === null || namespace === ctx.namespace) return [];
      const ref = refOf(obj);
      return [
        {
          code: 'RESOURCE_OUTSIDE_NAMESPACE',
          resource: ref,
          message:
            `${ref.kind} ${namespace}/${ref.name} is outside the MetalLB namespace ${ctx.namespace}; MetalLB ` +
            `reads its configuration only from ${ctx.namespace} and ignores this object.`,
          details: { namespace, metallbNamespace: ctx.namespace },
        },
      ];
    }),
};

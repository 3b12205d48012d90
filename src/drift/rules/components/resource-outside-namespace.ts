/** RESOURCE_OUTSIDE_NAMESPACE: a metallb.io object outside the MetalLB namespace, which MetalLB never reads. */
import { refOf } from '../../context';
import { METALLB_GROUP } from '../../metallb-facts';
import { namespaceOf } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { KubeObject } from '../../model';
import type { Rule } from '../../rule';

const GROUP_PREFIX = `${METALLB_GROUP}/`;

export const resourceOutsideNamespace: Rule = {
  name: 'resource-outside-namespace',
  codes: ['RESOURCE_OUTSIDE_NAMESPACE'],
  run: (ctx) => {
    const drafts: FindingDraft[] = [];
    // Indexed: this runs once per analysis over every object, where a for-of allocates per element.
    const objects = ctx.objects;
    for (let i = 0; i < objects.length; i++) {
      const obj = objects[i] as KubeObject;
      // Exactly metallb.io: CRDs (apiextensions) and frrk8s.metallb.io objects live elsewhere by design. The
      // prefix test is groupOf(obj) === METALLB_GROUP without slicing a string per object of the snapshot.
      if (typeof obj.apiVersion !== 'string' || !obj.apiVersion.startsWith(GROUP_PREFIX)) continue;
      const namespace = namespaceOf(obj);
      if (namespace === null || namespace === ctx.namespace) continue;
      const ref = refOf(obj);
      drafts.push({
        code: 'RESOURCE_OUTSIDE_NAMESPACE',
        resource: ref,
        message:
          `${ref.kind} ${namespace}/${ref.name} is outside the MetalLB namespace ${ctx.namespace}; MetalLB ` +
          `reads its configuration only from ${ctx.namespace} and ignores this object.`,
        details: { namespace, metallbNamespace: ctx.namespace },
      });
    }
    return drafts;
  },
};

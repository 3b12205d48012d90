/** Shared reading of ConfigurationState objects (MetalLB >= 0.15.3, research/metallb.md section 1.2). */
import { type AnalysisContext, refOf } from '../../context';
import { labelsOf, str } from '../../fields';
import type { KubeObject, ResourceRef } from '../../model';

export interface ConfigurationStateView {
  ref: ResourceRef;
  result: string | undefined;
  errorSummary: string | null;
  /** `controller` or `speaker <node>`, for messages. */
  component: string;
}

function componentOf(obj: KubeObject): string {
  const labels = labelsOf(obj);
  const type = labels['metallb.io/component-type'];
  const node = labels['metallb.io/node-name'];
  if (type === 'speaker') return node ? `the speaker on node ${node}` : 'a speaker';
  if (type === 'controller') return 'the controller';
  return 'a MetalLB component';
}

/** ConfigurationState objects of the MetalLB namespace: MetalLB writes them nowhere else. */
export function configurationStates(ctx: AnalysisContext): ConfigurationStateView[] {
  return ctx.inNamespace('ConfigurationState').map((obj) => {
    const summary = str(obj, 'status', 'errorSummary');
    return {
      ref: refOf(obj),
      result: str(obj, 'status', 'result'),
      errorSummary: summary === undefined || summary.trim() === '' ? null : summary,
      component: componentOf(obj),
    };
  });
}

/** `namespace/name`, or `name` for a cluster-scoped resource. */
export function refText(ref: ResourceRef): string {
  return ref.namespace === null ? ref.name : `${ref.namespace}/${ref.name}`;
}

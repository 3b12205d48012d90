/** Reading CustomResourceDefinitions: which ones belong to MetalLB. */
import { METALLB_GROUP } from '../../metallb-facts';
import { nameOf, str } from '../../fields';
import type { KubeObject } from '../../model';

/** A CRD's group: `spec.group`, else what follows the plural in its name (`bgppeers.metallb.io`). */
export function crdGroup(obj: KubeObject): string {
  const group = str(obj, 'spec', 'group');
  if (group !== undefined) return group;
  const name = nameOf(obj);
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** Whether a CRD is of group exactly `metallb.io` (not `frrk8s.metallb.io`). */
export function isMetallbCrd(obj: KubeObject): boolean {
  return obj.kind === 'CustomResourceDefinition' && crdGroup(obj) === METALLB_GROUP;
}

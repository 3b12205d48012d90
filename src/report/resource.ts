/** How a finding's resource reads in every renderer: `Service shop/web`, `CustomResourceDefinition x`. */
import type { ResourceRef } from '../drift/model';

export function resourceText(resource: ResourceRef): string {
  return `${resource.kind} ${resource.namespace === null ? '' : `${resource.namespace}/`}${resource.name}`;
}

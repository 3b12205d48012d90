/**
 * DEPRECATED_ANNOTATION: on MetalLB 0.14.9 and later a handled service carries a `metallb.universe.tf/`
 * annotation. MetalLB still reads it when no `metallb.io/` key is set, but emits a `deprecatedAnnotation`
 * Warning event whenever it updates the service (research/metallb.md section 3). An unknown version raises
 * nothing: the old prefix is the only one before 0.14.9, so it may be exactly right.
 */
import type { ServiceView } from '../../context';
import { PREFIX_CURRENT, PREFIX_LEGACY } from '../../metallb-facts';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { serviceName } from './messages';
import { CURRENT_PREFIX_FROM } from '../../version';

/** Written by the controller, not by people: the old key is never removed, so it is deleted, not renamed. */
const WRITTEN_BY_METALLB = 'ip-allocated-from-pool';

function advice(service: ServiceView, key: string): string {
  const suffix = key.slice(PREFIX_LEGACY.length);
  const current = PREFIX_CURRENT + suffix;
  if (suffix === WRITTEN_BY_METALLB) return `${key} (MetalLB now writes ${current}; delete the old one)`;
  if (Object.prototype.hasOwnProperty.call(service.annotations, current)) {
    return `${key} (ignored, ${current} is set and wins; delete the old one)`;
  }
  return `${key} (rename it to ${current})`;
}

function check(service: ServiceView): FindingDraft[] {
  let legacy: string[] | undefined;
  // for-in, not Object.keys: no array per service. The view's annotations are a plain map without inherited
  // enumerable keys (fields.ts, strMapView), so both list the same keys in the same order.
  const annotations = service.annotations;
  for (const key in annotations) {
    if (key.startsWith(PREFIX_LEGACY)) (legacy ??= []).push(key);
  }
  if (legacy === undefined) return [];
  const keys = legacy.sort();
  return [
    {
      code: 'DEPRECATED_ANNOTATION',
      resource: service.ref,
      message:
        `Service ${serviceName(service)} uses deprecated ${keys.length === 1 ? 'annotation' : 'annotations'} ` +
        `${keys.map((key) => advice(service, key)).join(', ')}; MetalLB emits a deprecatedAnnotation ` +
        'warning each time it updates the service while one remains.',
      details: { annotations: keys },
    },
  ];
}

export const deprecatedAnnotation: Rule = {
  name: 'deprecated-annotation',
  codes: ['DEPRECATED_ANNOTATION'],
  run: (ctx) => {
    if (ctx.versionAtLeast(CURRENT_PREFIX_FROM) !== true) return [];
    const drafts: FindingDraft[] = [];
    // Indexed: this runs once per analysis, mostly unoptimised, where a for-of allocates per element.
    const services = ctx.handledServices;
    for (let i = 0; i < services.length; i++) {
      const found = check(services[i] as ServiceView);
      if (found.length > 0) drafts.push(...found);
    }
    return drafts;
  },
};

/** Where MetalLB runs and which services it takes, read from its workloads (its manifests and `--lb-class`). */
import type { KubeObject } from '../../../src/drift/model';
import { arr, labelsOf, strs } from '../object-fields';

const SCHEMES = [
  (component: string) => ({ app: 'metallb', component }),
  (component: string) => ({ 'app.kubernetes.io/name': 'metallb', 'app.kubernetes.io/component': component }),
];

function hasComponent(obj: KubeObject, component: string): boolean {
  const labels = labelsOf(obj);
  return SCHEMES.some((scheme) => Object.entries(scheme(component)).every(([k, v]) => labels[k] === v));
}

export const isController = (obj: KubeObject): boolean => hasComponent(obj, 'controller');
export const isSpeaker = (obj: KubeObject): boolean => hasComponent(obj, 'speaker');

/** The namespace of the controller Deployment, `metallb-system` when there is none. */
export function metallbNamespace(objects: readonly KubeObject[]): string {
  const controller = objects.find((o) => o.kind === 'Deployment' && isController(o));
  return controller?.metadata?.namespace ?? 'metallb-system';
}

/** The controller's `--lb-class`: MetalLB takes only services of that class, or only class-less ones without it. */
export function lbClassOf(objects: readonly KubeObject[]): string | undefined {
  const controller = objects.find((o) => o.kind === 'Deployment' && isController(o));
  const containers = arr(controller, 'spec', 'template', 'spec', 'containers');
  const main = containers.find((c) => (c as { name?: unknown }).name === 'controller') ?? containers[0];
  const args = strs(main, 'args');
  for (const [i, arg] of args.entries()) {
    const m = /^--?lb-class(?:=(.*))?$/.exec(arg);
    if (m) return m[1] ?? args[i + 1];
  }
  return undefined;
}

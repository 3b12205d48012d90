/**
 * Facts about MetalLB itself that the engine, the fixes and the live reader share: its API group, default
 * namespace, annotation prefixes and keys, config kinds, and how its components are recognised (labels of the
 * plain manifests and of the Helm chart, the controller's container and its `--lb-class`).
 */
import { arr, labelsOf, str, strs } from './fields';
import type { KubeObject } from './model';

export const METALLB_GROUP = 'metallb.io';
export const DEFAULT_NAMESPACE = 'metallb-system';
export const PREFIX_CURRENT = 'metallb.io/';
export const PREFIX_LEGACY = 'metallb.universe.tf/';

/**
 * The service annotation keys of each suffix, `[PREFIX_CURRENT key, PREFIX_LEGACY key]`, written out once rather
 * than concatenated per service: literal keys are internalized strings, which property lookups compare by pointer.
 */
export const ANNOTATION_KEYS = {
  addressPool: ['metallb.io/address-pool', 'metallb.universe.tf/address-pool'],
  loadBalancerIPs: ['metallb.io/loadBalancerIPs', 'metallb.universe.tf/loadBalancerIPs'],
  sharingKey: ['metallb.io/allow-shared-ip', 'metallb.universe.tf/allow-shared-ip'],
  /** Written by the controller, never by users. */
  allocatedFromPool: ['metallb.io/ip-allocated-from-pool', 'metallb.universe.tf/ip-allocated-from-pool'],
} as const;

/** The kinds whose objects in the MetalLB namespace make up its config (the "last config change" term). */
export const CONFIG_KINDS: readonly string[] = [
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'BFDProfile',
  'Community',
];

/** The labels of MetalLB's components in both schemes: plain manifests and the Helm chart. */
function componentLabels(component: 'controller' | 'speaker'): readonly Record<string, string>[] {
  return [
    { app: 'metallb', component },
    { 'app.kubernetes.io/name': 'metallb', 'app.kubernetes.io/component': component },
  ];
}
const CONTROLLER_LABELS = componentLabels('controller');
const SPEAKER_LABELS = componentLabels('speaker');

/** Label selectors (`k=v,k=v`) that find a component by either scheme, for list requests. */
export function componentSelectors(component: 'controller' | 'speaker'): string[] {
  return componentLabels(component).map((labels) =>
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
}

function hasLabels(obj: KubeObject, schemes: readonly Record<string, string>[]): boolean {
  const labels = labelsOf(obj);
  return schemes.some((scheme) => Object.entries(scheme).every(([k, v]) => labels[k] === v));
}

/** Whether an object carries the controller labels of either scheme (plain manifests or Helm). */
export function isControllerObject(obj: KubeObject): boolean {
  return hasLabels(obj, CONTROLLER_LABELS);
}

/** Whether an object carries the speaker labels of either scheme. */
export function isSpeakerObject(obj: KubeObject): boolean {
  return hasLabels(obj, SPEAKER_LABELS);
}

/** The container named `name`, else the first one, of a Deployment/DaemonSet/Pod. */
export function mainContainer(workload: KubeObject, name: string): unknown {
  const containers =
    workload.kind === 'Pod'
      ? arr(workload, 'spec', 'containers')
      : arr(workload, 'spec', 'template', 'spec', 'containers');
  return containers.find((c) => str(c, 'name') === name) ?? containers[0];
}

/** The controller's `--lb-class` argument (`--lb-class=x`, `-lb-class x`, ...), when set and non-empty. */
export function lbClassOf(controller: KubeObject | undefined): string | undefined {
  if (controller === undefined) return undefined;
  const container = mainContainer(controller, 'controller');
  const args = [...strs(container, 'args'), ...strs(container, 'command')];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const m = /^--?lb-class(?:=(.*))?$/.exec(arg);
    if (!m) continue;
    const value = m[1] ?? args[i + 1];
    return value === undefined || value === '' ? undefined : value;
  }
  return undefined;
}

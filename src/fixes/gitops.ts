/**
 * Who else manages an object: a GitOps controller (Argo CD, Flux) or an owner. Such a controller may revert our
 * pins or re-create what a step deleted, so the plan warns and says how to pause it (issue 9).
 */
import { annotationsOf, labelsOf } from '../drift/fields';
import type { KubeObject } from '../drift/model';
import type { PlanWarning } from './plan';
import { arr, str } from '../drift/fields';

export interface Manager {
  tool: 'Argo CD' | 'Flux' | 'owner';
  /** The label, annotation or ownerReference that says so. */
  evidence: string;
  /** How to stop it from reverting the fix while it runs. */
  pause: string;
}

// Argo CD's annotation tracking (the default from 3.0) and its label tracking: the default label is the
// well-known app.kubernetes.io/instance, a custom one is commonly argocd.argoproj.io/instance.
const ARGO_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
const ARGO_LABELS = ['argocd.argoproj.io/instance', 'app.kubernetes.io/instance'];
// Flux's kustomize-controller and helm-controller label everything they apply with their object's name.
const FLUX_LABELS = [
  ['kustomize.toolkit.fluxcd.io/name', 'kustomize.toolkit.fluxcd.io/namespace', 'kustomization'],
  ['helm.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/namespace', 'helmrelease'],
] as const;

function argo(obj: KubeObject): Manager | undefined {
  const tracking = annotationsOf(obj)[ARGO_TRACKING_ANNOTATION];
  const app = tracking?.split(':')[0];
  if (tracking !== undefined)
    return {
      tool: 'Argo CD',
      evidence: `annotation ${ARGO_TRACKING_ANNOTATION}=${tracking}`,
      pause: `disable auto-sync and self-heal of Argo CD application ${app ?? tracking}`,
    };
  const labels = labelsOf(obj);
  for (const label of ARGO_LABELS) {
    const value = labels[label];
    if (value === undefined) continue;
    // Helm sets app.kubernetes.io/instance too: say it is a guess rather than stay silent.
    const maybe = label === 'app.kubernetes.io/instance' ? ' (Argo CD label tracking; Helm sets it too)' : '';
    return {
      tool: 'Argo CD',
      evidence: `label ${label}=${value}${maybe}`,
      pause: `disable auto-sync and self-heal of Argo CD application ${value}`,
    };
  }
  return undefined;
}

function flux(obj: KubeObject): Manager | undefined {
  const labels = labelsOf(obj);
  for (const [nameLabel, namespaceLabel, kind] of FLUX_LABELS) {
    const name = labels[nameLabel];
    if (name === undefined) continue;
    const namespace = labels[namespaceLabel] ?? 'flux-system';
    return {
      tool: 'Flux',
      evidence: `label ${nameLabel}=${name}`,
      pause: `flux suspend ${kind} ${name} -n ${namespace}`,
    };
  }
  return undefined;
}

function owner(obj: KubeObject): Manager | undefined {
  const first = arr(obj, 'metadata', 'ownerReferences')[0];
  if (first === undefined) return undefined;
  const name = `${str(first, 'kind') ?? '?'}/${str(first, 'name') ?? '?'}`;
  return {
    tool: 'owner',
    evidence: `ownerReference ${name}`,
    pause: `pause the controller of ${name}`,
  };
}

/** The controller that manages the object, when any says so. */
export function managerOf(obj: KubeObject): Manager | undefined {
  return argo(obj) ?? flux(obj) ?? owner(obj);
}

/** The warning text for one managed object the plan touches. */
export function gitopsWarning(what: string, manager: Manager, touch: 'config' | 'service'): string {
  const revert =
    touch === 'config'
      ? 'may re-create what a step deleted or revert a re-created object'
      : 'may revert the annotations this fix sets or removes';
  const who = manager.tool === 'owner' ? 'its owner' : manager.tool;
  return `${what} is managed by ${who} (${manager.evidence}): it ${revert}. Pause it while the fix runs: ${manager.pause}.`;
}

/** The plan's warnings for target Services that a GitOps controller manages: it may revert what a fix patches. */
export function serviceGitopsWarnings(
  services: readonly { obj: KubeObject; namespace: string; name: string }[],
): PlanWarning[] {
  return services.flatMap((service) => {
    const manager = managerOf(service.obj);
    return manager
      ? [
          {
            kind: 'gitops' as const,
            text: gitopsWarning(`Service ${service.namespace}/${service.name}`, manager, 'service'),
          },
        ]
      : [];
  });
}

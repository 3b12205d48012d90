/**
 * restart-controller and restart-speakers: a rollout restart of the component found by labels (both the plain
 * manifests' and the Helm chart's), never by a fixed name, then a wait for the rollout.
 */
import { componentSelectors } from '../../drift/metallb-facts';
import { nameOf } from '../../drift/fields';
import type { KubeObject } from '../../drift/model';
import { gitopsWarning, managerOf } from '../gitops';
import type { PlanObjectRef, PlanOutcome } from '../plan';
import type { FixContext } from '../request';
import { makePlan, refused } from './skeleton';

function ref(obj: KubeObject): PlanObjectRef {
  const resourceVersion = obj.metadata?.resourceVersion;
  return {
    kind: obj.kind,
    namespace: obj.metadata?.namespace ?? null,
    name: nameOf(obj),
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
  };
}

const EFFECT = {
  controller:
    'The controller restarts and reloads the config from scratch; from 0.14.2 it reloads IPs from Service status ' +
    'before it allocates, so services keep their IPs.',
  speaker:
    'Speakers restart node by node: layer-2 announcements move to another node and BGP sessions re-establish, ' +
    'a short interruption per node; no IP changes.',
} as const;

export function buildRestart(fc: FixContext, component: 'controller' | 'speaker'): PlanOutcome {
  const workload = component === 'controller' ? fc.ctx.controller : fc.ctx.speaker;
  const kind = component === 'controller' ? 'Deployment' : 'DaemonSet';
  if (workload === undefined)
    return refused(
      fc,
      `no ${component} ${kind} in ${fc.ctx.namespace} carries the labels ${componentSelectors(component).join(' or ')}`,
      `Check that MetalLB runs in ${fc.ctx.namespace}, or set its namespace (METALLB_NAMESPACE).`,
    );
  const object = ref(workload);
  const manager = managerOf(workload);
  return makePlan(fc, {
    targets: [],
    dropped: [],
    steps: [
      {
        title: `rollout restart ${kind} ${object.name}`,
        actions: [{ action: 'restart', object }],
        waits: [{ wait: 'rollout-complete', object }],
        services: [],
      },
    ],
    effect: EFFECT[component],
    warnings: manager
      ? [{ kind: 'gitops', text: gitopsWarning(`${kind} ${object.name}`, manager, 'service') }]
      : [],
  });
}

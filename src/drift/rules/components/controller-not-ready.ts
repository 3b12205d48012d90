/** CONTROLLER_NOT_READY: the controller Deployment is missing or has fewer available replicas than wanted. */
import { refOf } from '../../context';
import { METALLB_GROUP } from '../../metallb-facts';
import { groupOf, num } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { isMetallbCrd } from './crds';

/** The plain manifests' name; a Helm install would be `metallb-controller`, but nothing tells us which. */
const DEFAULT_CONTROLLER_NAME = 'controller';

export const controllerNotReady: Rule = {
  name: 'controller-not-ready',
  codes: ['CONTROLLER_NOT_READY'],
  run: (ctx): FindingDraft[] => {
    const controller = ctx.controller;
    if (!controller) {
      const installed = ctx.objects.some((o) => groupOf(o) === METALLB_GROUP || isMetallbCrd(o));
      if (!installed) return [];
      return [
        {
          code: 'CONTROLLER_NOT_READY',
          resource: { kind: 'Deployment', namespace: ctx.namespace, name: DEFAULT_CONTROLLER_NAME },
          message:
            `No MetalLB controller Deployment was found in namespace ${ctx.namespace} although MetalLB ` +
            'resources exist; without a controller MetalLB assigns no IPs and its webhooks reject config changes.',
          details: { found: false, namespace: ctx.namespace },
        },
      ];
    }
    const replicas = num(controller, 'spec', 'replicas') ?? 1;
    // kubectl omits zero-valued status fields: a missing availableReplicas means none.
    const available = num(controller, 'status', 'availableReplicas') ?? 0;
    if (available >= replicas) return [];
    const ref = refOf(controller);
    return [
      {
        code: 'CONTROLLER_NOT_READY',
        resource: ref,
        message:
          `Controller Deployment ${ref.namespace ?? ''}/${ref.name} has ${available} of ${replicas} replicas ` +
          'available; until it is ready MetalLB assigns no new IPs and its webhooks reject config changes.',
        details: { found: true, replicas, availableReplicas: available },
      },
    ];
  },
};

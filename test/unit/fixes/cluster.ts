/** A small cluster for plan tests: two pools, one L2Advertisement, services in every situation a fix meets. */
import type { KubeObject, Snapshot } from '../../../src/drift/model';
import { buildPlan } from '../../../src/fixes/build-plan';
import type { Plan, PlanOutcome } from '../../../src/fixes/plan';
import type { PlanRequest } from '../../../src/fixes/request';
import {
  controllerDeployment,
  ingressStatus,
  ipAddressPool,
  l2Advertisement,
  NOW,
  service,
  snapshotOf,
  speakerDaemonSet,
} from '../../support/builders';

export function lb(
  namespace: string,
  name: string,
  ip: string | null,
  spec: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): KubeObject {
  return service(
    namespace,
    name,
    { type: 'LoadBalancer', ...spec },
    ip === null ? {} : ingressStatus(...ip.split(',')),
    { resourceVersion: '7', ...meta },
  );
}

export function pools(): KubeObject[] {
  return [
    ipAddressPool('prod', ['10.0.0.0/24'], {}, { resourceVersion: '11' }),
    ipAddressPool('lab', ['10.0.1.0/24'], {}, { resourceVersion: '12' }),
  ];
}

export function services(): KubeObject[] {
  return [
    lb('shop', 'web', '10.0.0.10'),
    lb('shop', 'api', '10.0.0.11', {}, { annotations: { 'metallb.io/loadBalancerIPs': '10.0.0.11' } }),
    lb('shop', 'legacy', '10.0.1.5', { loadBalancerIP: '10.0.1.5' }),
    lb(
      'shop',
      'stale',
      '10.0.1.6',
      {},
      { annotations: { 'metallb.universe.tf/ip-allocated-from-pool': 'old' } },
    ),
    lb('shop', 'orphan', '192.168.9.9'),
    service('kube-system', 'dns', { type: 'ClusterIP' }),
  ];
}

/** The cluster at a MetalLB version (null: no controller found, so the version is unknown). */
export function cluster(
  version: string | null = '0.14.9',
  extra: KubeObject[] = [],
  base?: KubeObject[],
): Snapshot {
  const components = version === null ? [] : [controllerDeployment({ version }), speakerDaemonSet()];
  return snapshotOf([
    ...components,
    ...(base ?? [...pools(), l2Advertisement('l2'), ...services()]),
    ...extra,
  ]);
}

export function request(
  fix: PlanRequest['fix'],
  snapshot: Snapshot,
  extra: Partial<PlanRequest> = {},
): PlanRequest {
  return { fix, cluster: 'prod', snapshot, now: NOW, targets: [], ...extra };
}

export function planOf(outcome: PlanOutcome): Plan {
  if (outcome.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(outcome)}`);
  return outcome.plan;
}

export function plan(fix: PlanRequest['fix'], snapshot: Snapshot, extra: Partial<PlanRequest> = {}): Plan {
  return planOf(buildPlan(request(fix, snapshot, extra)));
}

export function titles(p: Plan): string[] {
  return p.steps.map((s) => s.title);
}

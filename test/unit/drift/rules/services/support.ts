/**
 * Helpers of the service-rule tests, on top of the shared builders: a LoadBalancer service in one call, events,
 * namespaces, a controller with `--lb-class`, and running one rule over a snapshot.
 */
import type { FindingCode } from '../../../../../src/drift/catalogue';
import type { FindingDraft } from '../../../../../src/drift/finding';
import type { KubeObject } from '../../../../../src/drift/model';
import type { Rule } from '../../../../../src/drift/rule';
import {
  contextOf,
  controllerDeployment,
  ipAddressPool,
  NOW,
  object,
  service,
  snapshotOf,
} from '../../../../support/builders';

export interface LbOptions {
  ips?: string[];
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  spec?: Record<string, unknown>;
}

/** A `type: LoadBalancer` service holding the given ingress IPs. */
export function lb(namespace: string, name: string, options: LbOptions = {}): KubeObject {
  const ingress = (options.ips ?? []).map((ip) => ({ ip, ipMode: 'VIP' }));
  return service(
    namespace,
    name,
    { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...options.spec },
    { loadBalancer: ingress.length > 0 ? { ingress } : {} },
    {
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
    },
  );
}

/** The plain-manifest controller at a version, optionally with `--lb-class`. */
export function controller(version = '0.15.3', lbClass?: string): KubeObject {
  const deployment = controllerDeployment({ version });
  if (lbClass !== undefined) {
    const spec = deployment.spec as { template: { spec: { containers: { args: string[] }[] } } };
    spec.template.spec.containers[0]?.args.push(`--lb-class=${lbClass}`);
  }
  return deployment;
}

let eventCount = 0;

/** A core/v1 Event about a Service, as `kubectl get events -o yaml` prints it. */
export function serviceEvent(
  namespace: string,
  serviceName: string,
  reason: string,
  message: string,
  times: Record<string, unknown>,
  involved: Record<string, unknown> = {},
): KubeObject {
  eventCount += 1;
  return object('v1', 'Event', `${serviceName}.${eventCount.toString(16).padStart(16, '0')}`, namespace, {
    involvedObject: { apiVersion: 'v1', kind: 'Service', namespace, name: serviceName, ...involved },
    reason,
    message,
    type: 'Warning',
    source: { component: 'metallb-controller' },
    count: 1,
    ...times,
  });
}

export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return object(
    'v1',
    'Namespace',
    name,
    null,
    {},
    { labels: { 'kubernetes.io/metadata.name': name, ...labels } },
  );
}

export { ipAddressPool as pool, NOW };

/** Runs one rule over the objects at NOW (or `now`). */
export function run(rule: Rule, objects: KubeObject[], now: Date = NOW): FindingDraft[] {
  return rule.run(contextOf(snapshotOf(objects), now));
}

/** The findings of one code, by `namespace/name` of their resource. */
export function byResource(drafts: FindingDraft[], code: FindingCode): Record<string, FindingDraft> {
  const out: Record<string, FindingDraft> = {};
  for (const d of drafts.filter((x) => x.code === code))
    out[`${d.resource.namespace}/${d.resource.name}`] = d;
  return out;
}

/** `namespace/name` of every finding of a code, sorted. */
export function flagged(drafts: FindingDraft[], code: FindingCode): string[] {
  return Object.keys(byResource(drafts, code)).sort();
}

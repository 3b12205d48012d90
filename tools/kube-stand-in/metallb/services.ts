/**
 * A Service as MetalLB's controller reads it (`controller/service.go`): whether it handles it, the IPs and
 * the pool it requests under the annotation prefixes its version reads, its sharing key and its current IPs.
 */
import type { KubeObject } from '../../../src/drift/model';
import { annotationsOf, arr, labelsOf, nameOf, str, strMap, strs } from '../object-fields';
import { parseIp, type Family, type Ip } from './ip';
import { atLeast, type Version } from './version';

export interface Port {
  protocol: string;
  port: number;
}

export interface ServiceRequest {
  /** `namespace/name`, as MetalLB names a service in events and logs. */
  key: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** The families to assign, primary first; two only for a dual-stack policy. */
  families: Family[];
  /** RequireDualStack needs both families from one pool; PreferDualStack takes the second when the pool has it. */
  dualStack: 'require' | 'prefer' | 'none';
  /** The requested IPs (`spec.loadBalancerIP` or the `loadBalancerIPs` annotation), or why they are refused. */
  requested: Ip[] | { error: string };
  /** The `address-pool` annotation, when set and not empty. */
  pool?: string;
  sharingKey: string;
  /** `""` for externalTrafficPolicy Cluster; the pod selector for Local (only identical selectors may share). */
  backendKey: string;
  ports: Port[];
  /** `status.loadBalancer.ingress[].ip` as written, and as Go parses it (undefined when it does not parse). */
  ingress: { text: string; ip: Ip | undefined }[];
}

const CURRENT = 'metallb.io/';
const DEPRECATED = 'metallb.universe.tf/';

/** The prefix a version writes under; before 0.14.9 MetalLB knew only `metallb.universe.tf/`. */
export function primaryPrefix(version: Version): string {
  return atLeast(version, '0.14.9') ? CURRENT : DEPRECATED;
}

/** From 0.14.9 the `metallb.io/` key wins when present, even empty; the deprecated key is the fallback. */
export function annotation(
  annotations: Record<string, string>,
  name: string,
  version: Version,
): string | undefined {
  if (atLeast(version, '0.14.9') && `${CURRENT}${name}` in annotations)
    return annotations[`${CURRENT}${name}`];
  return annotations[`${DEPRECATED}${name}`];
}

function requestedIps(
  service: KubeObject,
  annotations: Record<string, string>,
  version: Version,
): ServiceRequest['requested'] {
  const fromSpec = str(service, 'spec', 'loadBalancerIP') ?? '';
  const fromAnnotation = annotation(annotations, 'loadBalancerIPs', version) ?? '';
  const key = `${primaryPrefix(version)}loadBalancerIPs`;
  if (fromSpec !== '' && fromAnnotation !== '') {
    return { error: `service can not have both ${key} and svc.Spec.LoadBalancerIP` };
  }
  if (fromSpec !== '') {
    const ip = parseIp(fromSpec);
    return ip ? [ip] : { error: `invalid spec.loadBalancerIP "${fromSpec}"` };
  }
  if (fromAnnotation === '') return [];
  const ips = fromAnnotation.split(',').map((part) => parseIp(part.trim()));
  const valid = ips.filter((ip): ip is Ip => ip !== undefined);
  const families = new Set(valid.map((ip) => ip.family));
  // At most one IP per family, every one of them an IP.
  if (valid.length !== ips.length || families.size !== valid.length) {
    return { error: `invalid ${key}: "${fromAnnotation}"` };
  }
  return valid;
}

function familiesOf(service: KubeObject): Pick<ServiceRequest, 'families' | 'dualStack'> {
  const families = strs(service, 'spec', 'ipFamilies').map((f): Family => (f === 'IPv6' ? 6 : 4));
  const policy = str(service, 'spec', 'ipFamilyPolicy');
  const dualStack =
    policy === 'RequireDualStack' ? 'require' : policy === 'PreferDualStack' ? 'prefer' : 'none';
  const primary = families[0] ?? 4;
  if (dualStack === 'none') return { families: [primary], dualStack };
  return { families: [primary, primary === 4 ? 6 : 4], dualStack };
}

function backendKeyOf(service: KubeObject): string {
  if (str(service, 'spec', 'externalTrafficPolicy') !== 'Local') return '';
  const selector = strMap(service, 'spec', 'selector');
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k] ?? ''}`)
    .join(',');
}

function portsOf(service: KubeObject): Port[] {
  return arr(service, 'spec', 'ports').map((p) => ({
    protocol: str(p, 'protocol') ?? 'TCP',
    port: Number((p as { port?: unknown }).port),
  }));
}

export function readService(service: KubeObject, version: Version): ServiceRequest {
  const annotations = annotationsOf(service);
  const namespace = service.metadata?.namespace ?? 'default';
  const pool = annotation(annotations, 'address-pool', version);
  return {
    key: `${namespace}/${nameOf(service)}`,
    namespace,
    name: nameOf(service),
    labels: labelsOf(service),
    ...familiesOf(service),
    requested: requestedIps(service, annotations, version),
    ...(pool ? { pool } : {}),
    sharingKey: annotation(annotations, 'allow-shared-ip', version) ?? '',
    backendKey: backendKeyOf(service),
    ports: portsOf(service),
    ingress: arr(service, 'status', 'loadBalancer', 'ingress')
      .map((i) => str(i, 'ip'))
      .filter((t): t is string => t !== undefined)
      .map((text) => ({ text, ip: parseIp(text) })),
  };
}

/** MetalLB handles a LoadBalancer service whose class is its `--lb-class` (no class on both sides matches). */
export function isHandled(service: KubeObject, lbClass: string | undefined): boolean {
  return (
    str(service, 'spec', 'type') === 'LoadBalancer' && str(service, 'spec', 'loadBalancerClass') === lbClass
  );
}

/**
 * Where each kind the engine reads lives in the API, and how widely it is read. Versions follow
 * MetalLB's CRDs: every MetalLB kind is served at v1beta1 except BGPPeer, stored at v1beta2.
 */
import { METALLB_GROUP } from '../drift/metallb-facts';
import { AppError } from '../errors';
import type { RequestTarget } from './errors';

export type ReadScope =
  /** Every namespace (strays of namespaced kinds included). */
  | 'all-namespaces'
  /** Only the MetalLB namespace. */
  | 'metallb-namespace'
  /** A cluster-scoped kind. */
  | 'cluster';

export interface KindInfo {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  scope: ReadScope;
  /** Without it a check would be a false all-clear: a denial fails the read (E_FORBIDDEN). */
  essential: boolean;
  fieldSelector?: string;
}

function metallb(kind: string, plural: string, essential = false, version = 'v1beta1'): KindInfo {
  return {
    kind,
    group: METALLB_GROUP,
    version,
    plural,
    namespaced: true,
    scope: 'all-namespaces',
    essential,
  };
}

/** Every kind of ENGINE_KINDS (src/drift/model.ts), in the order they are read. */
export const READ_KINDS: readonly KindInfo[] = [
  {
    kind: 'Service',
    group: '',
    version: 'v1',
    plural: 'services',
    namespaced: true,
    scope: 'all-namespaces',
    essential: true,
  },
  metallb('IPAddressPool', 'ipaddresspools', true),
  metallb('L2Advertisement', 'l2advertisements', true),
  metallb('BGPAdvertisement', 'bgpadvertisements', true),
  metallb('BGPPeer', 'bgppeers', false, 'v1beta2'),
  metallb('BFDProfile', 'bfdprofiles'),
  metallb('Community', 'communities'),
  metallb('AddressPool', 'addresspools'),
  metallb('ConfigurationState', 'configurationstates'),
  metallb('ServiceL2Status', 'servicel2statuses'),
  metallb('ServiceBGPStatus', 'servicebgpstatuses'),
  // Only Service events matter (ALLOCATION_FAILED); all events of a big cluster would dwarf the rest of the read.
  {
    kind: 'Event',
    group: '',
    version: 'v1',
    plural: 'events',
    namespaced: true,
    scope: 'all-namespaces',
    essential: false,
    fieldSelector: 'involvedObject.kind=Service',
  },
  {
    kind: 'Pod',
    group: '',
    version: 'v1',
    plural: 'pods',
    namespaced: true,
    scope: 'metallb-namespace',
    essential: false,
  },
  {
    kind: 'Node',
    group: '',
    version: 'v1',
    plural: 'nodes',
    namespaced: false,
    scope: 'cluster',
    essential: false,
  },
  {
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    namespaced: true,
    scope: 'metallb-namespace',
    essential: false,
  },
  {
    kind: 'DaemonSet',
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    namespaced: true,
    scope: 'metallb-namespace',
    essential: false,
  },
  {
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    plural: 'configmaps',
    namespaced: true,
    scope: 'metallb-namespace',
    essential: false,
  },
  {
    kind: 'CustomResourceDefinition',
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    namespaced: false,
    scope: 'cluster',
    essential: false,
  },
  {
    kind: 'Namespace',
    group: '',
    version: 'v1',
    plural: 'namespaces',
    namespaced: false,
    scope: 'cluster',
    essential: false,
  },
];

/** Kinds only written, never part of a Snapshot: the fix Lease. */
export const WRITE_ONLY_KINDS: readonly KindInfo[] = [
  {
    kind: 'Lease',
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    namespaced: true,
    scope: 'metallb-namespace',
    essential: false,
  },
];

const BY_KIND = new Map([...READ_KINDS, ...WRITE_ONLY_KINDS].map((k) => [k.kind, k]));

/** The API coordinates of a kind this tool reads or writes; E_INTERNAL for a kind it does not know. */
export function kindInfo(kind: string): KindInfo {
  const info = BY_KIND.get(kind);
  if (!info) throw new AppError('E_INTERNAL', `kind ${kind} is not one the Kubernetes adapter knows`);
  return info;
}

export function apiVersionOf(info: KindInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/**
 * The REST path of a collection (namespace undefined: across all namespaces, or cluster-scoped) or, with a name,
 * of one object, optionally with a subresource.
 */
export function resourcePath(
  info: KindInfo,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const one = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  const sub = name !== undefined && subresource ? `/${subresource}` : '';
  return `${root}${ns}/${info.plural}${one}${sub}`;
}

/** The RBAC view of a request on a kind. */
export function targetOf(
  info: KindInfo,
  verb: RequestTarget['verb'],
  namespace?: string,
  name?: string,
  subresource?: string,
): RequestTarget {
  return {
    verb,
    resource: subresource ? `${info.plural}/${subresource}` : info.plural,
    group: info.group,
    namespace: info.namespaced ? namespace : undefined,
    name,
  };
}

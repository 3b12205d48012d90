import type { KubeObject } from '../../src/drift/model';
import { arr, str } from './object-fields';

/** A REST resource the stand-in serves: one kind, its plural, the versions it is served at. */
export interface ResourceType {
  group: string;
  versions: string[];
  /** The version objects are stored (and preferred) at. */
  storageVersion: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  hasStatus: boolean;
  /** Built-in kinds accept strategic merge patch; custom resources do not (as on a real API server). */
  builtin: boolean;
}

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[],
  hasStatus: boolean,
): ResourceType {
  return {
    group,
    versions: [version],
    storageVersion: version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    hasStatus,
    builtin: true,
  };
}

/** Kinds the tool reads: always discoverable, even when the seed has none of them. */
export const BUILTIN_TYPES: readonly ResourceType[] = [
  builtin('', 'v1', 'Namespace', 'namespaces', false, ['ns'], true),
  builtin('', 'v1', 'Node', 'nodes', false, ['no'], true),
  builtin('', 'v1', 'Service', 'services', true, ['svc'], true),
  builtin('', 'v1', 'Pod', 'pods', true, ['po'], true),
  builtin('', 'v1', 'Event', 'events', true, ['ev'], false),
  builtin('', 'v1', 'ConfigMap', 'configmaps', true, ['cm'], false),
  builtin('apps', 'v1', 'Deployment', 'deployments', true, ['deploy'], true),
  builtin('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds'], true),
  // The fix Lease (one mutating fix per cluster, shared by the bot and the CLI).
  builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true, [], false),
  builtin(
    'apiextensions.k8s.io',
    'v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
    ['crd', 'crds'],
    true,
  ),
];

/** MetalLB kinds by kind name: plural and served versions, for objects seeded without their CRD. */
const METALLB_KINDS: Record<string, { plural: string; versions: string[] }> = {
  IPAddressPool: { plural: 'ipaddresspools', versions: ['v1beta1'] },
  L2Advertisement: { plural: 'l2advertisements', versions: ['v1beta1'] },
  BGPAdvertisement: { plural: 'bgpadvertisements', versions: ['v1beta1'] },
  BGPPeer: { plural: 'bgppeers', versions: ['v1beta2', 'v1beta1'] },
  BFDProfile: { plural: 'bfdprofiles', versions: ['v1beta1'] },
  Community: { plural: 'communities', versions: ['v1beta1'] },
  AddressPool: { plural: 'addresspools', versions: ['v1beta1'] },
  ServiceL2Status: { plural: 'servicel2statuses', versions: ['v1beta1'] },
  ServiceBGPStatus: { plural: 'servicebgpstatuses', versions: ['v1beta1'] },
  ConfigurationState: { plural: 'configurationstates', versions: ['v1beta1'] },
};

export function splitApiVersion(apiVersion: string | undefined): { group: string; version: string } {
  const text = apiVersion ?? 'v1';
  const slash = text.indexOf('/');
  return slash < 0
    ? { group: '', version: text }
    : { group: text.slice(0, slash), version: text.slice(slash + 1) };
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The resource type a CRD object declares, or undefined when it is too malformed to serve. */
export function typeFromCrd(crd: KubeObject): ResourceType | undefined {
  const group = str(crd, 'spec', 'group');
  const kind = str(crd, 'spec', 'names', 'kind');
  const plural = str(crd, 'spec', 'names', 'plural');
  if (group === undefined || kind === undefined || plural === undefined) return undefined;
  const versions = arr(crd, 'spec', 'versions').filter((v) => (v as { served?: unknown }).served !== false);
  const names = versions.map((v) => str(v, 'name')).filter((n): n is string => n !== undefined);
  if (names.length === 0) return undefined;
  const storage = versions.find((v) => (v as { storage?: unknown }).storage === true);
  return {
    group,
    versions: names,
    storageVersion: str(storage, 'name') ?? (names[0] as string),
    kind,
    plural,
    singular: str(crd, 'spec', 'names', 'singular') ?? kind.toLowerCase(),
    namespaced: str(crd, 'spec', 'scope') !== 'Cluster',
    shortNames: arr(crd, 'spec', 'names', 'shortNames').filter((s): s is string => typeof s === 'string'),
    hasStatus: versions.some(hasStatusSub),
    builtin: false,
  };
}

function hasStatusSub(version: unknown): boolean {
  const subresources = (version as { subresources?: { status?: unknown } } | null)?.subresources;
  return typeof subresources === 'object' && subresources !== null && 'status' in subresources;
}

/** The resource type of an object seeded without a CRD (MetalLB kinds by table, others by guess). */
export function typeFromObject(obj: KubeObject): ResourceType {
  const { group, version } = splitApiVersion(obj.apiVersion);
  const known = group === 'metallb.io' ? METALLB_KINDS[obj.kind] : undefined;
  const versions = known ? [...new Set([...known.versions, version])] : [version];
  return {
    group,
    versions,
    storageVersion: known?.versions[0] ?? version,
    kind: obj.kind,
    plural: known?.plural ?? guessPlural(obj.kind),
    singular: obj.kind.toLowerCase(),
    namespaced: typeof obj.metadata?.namespace === 'string',
    shortNames: [],
    hasStatus: group === 'metallb.io' && obj.kind === 'IPAddressPool',
    builtin: false,
  };
}

/** The set of served resource types, looked up by group and plural or by kind. */
export class TypeRegistry {
  private readonly byPlural = new Map<string, ResourceType>();

  constructor(types: Iterable<ResourceType>) {
    for (const type of types) this.add(type);
  }

  add(type: ResourceType): void {
    const key = `${type.group}/${type.plural}`;
    const existing = this.byPlural.get(key);
    if (existing === undefined || (!existing.builtin && type.builtin)) {
      this.byPlural.set(key, type);
    } else if (!existing.builtin) {
      existing.versions = [...new Set([...existing.versions, ...type.versions])];
    }
  }

  get(group: string, version: string, plural: string): ResourceType | undefined {
    const type = this.byPlural.get(`${group}/${plural}`);
    return type && type.versions.includes(version) ? type : undefined;
  }

  forKind(kind: string, group?: string): ResourceType | undefined {
    return this.all().find((t) => t.kind === kind && (group === undefined || t.group === group));
  }

  all(): ResourceType[] {
    return [...this.byPlural.values()];
  }
}

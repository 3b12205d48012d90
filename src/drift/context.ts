/**
 * The analysis context: everything the rules share, derived once from a snapshot (the MetalLB namespace and
 * version, handled services with their resolved annotations, parsed pools and the address index). Rules read
 * the context and never re-derive these terms, so "handled service" or "pool" mean the same thing everywhere
 * (docs/findings.md, "Terms").
 */
import {
  parseAddressEntry,
  parseIp,
  RangeIndex,
  type AddressRange,
  type EntryParse,
  type IpAddress,
} from './addresses';
import {
  arr,
  at,
  bool,
  isPlainStringMap,
  labelsOf,
  nameOf,
  namespaceOf,
  str,
  strMapView,
  strs,
  time,
} from './fields';
import type { AnalysisOptions, KubeObject, PodLog, PodMetrics, ResourceRef, Snapshot } from './model';

export const DEFAULT_NAMESPACE = 'metallb-system';
export const METALLB_GROUP = 'metallb.io';
export const PREFIX_CURRENT = 'metallb.io/';
export const PREFIX_LEGACY = 'metallb.universe.tf/';

/** A semantic version `major.minor.patch`. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(text: string | undefined): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** One `spec.addresses` entry of a pool, parsed. */
export interface PoolEntry {
  text: string;
  parse: EntryParse;
}

export interface PoolView {
  obj: KubeObject;
  /** `AddressPool` only on a known version below 0.14.2, where MetalLB still reads the legacy kind as a pool. */
  kind: 'IPAddressPool' | 'AddressPool';
  name: string;
  ref: ResourceRef;
  labels: Record<string, string>;
  /** Whether `spec.addresses` is a list (missing or not a list reads as empty). */
  entries: PoolEntry[];
  /** The ranges of the entries that parse, in entry order. */
  ranges: AddressRange[];
  autoAssign: boolean;
  avoidBuggyIps: boolean;
  /** `spec.serviceAllocation` when it is an object, else undefined. */
  serviceAllocation: Record<string, unknown> | undefined;
}

/** A MetalLB service annotation resolved across both prefixes. */
export interface ResolvedAnnotation {
  key: string;
  value: string;
}

export interface ServiceView {
  obj: KubeObject;
  namespace: string;
  name: string;
  ref: ResourceRef;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `spec.type: LoadBalancer` and the class matches the controller's `--lb-class` (both absent matches). */
  handled: boolean;
  /** `status.loadBalancer.ingress[].ip` values, as written. */
  ingressIps: string[];
  /** The ingress IPs that parse, with their text. */
  ingress: { text: string; ip: IpAddress }[];
  /** `spec.loadBalancerIP` when set and non-empty. */
  loadBalancerIP: string | undefined;
  addressPool: ResolvedAnnotation | undefined;
  loadBalancerIPs: ResolvedAnnotation | undefined;
  sharingKey: ResolvedAnnotation | undefined;
  externalTrafficPolicy: string;
  selector: Record<string, string>;
}

export interface AnalysisContext {
  now: Date;
  objects: readonly KubeObject[];
  namespace: string;
  /** `0.14.9`, or null when unknown. */
  versionText: string | null;
  version: Version | undefined;
  controller: KubeObject | undefined;
  speaker: KubeObject | undefined;
  /** The controller's `--lb-class` argument, when set. */
  lbClass: string | undefined;
  pools: PoolView[];
  poolsByName: Map<string, PoolView>;
  /** Every parsed entry of every pool, for containment lookups in O(log R). */
  poolIndex: RangeIndex<{ pool: PoolView; range: AddressRange }>;
  services: ServiceView[];
  handledServices: ServiceView[];
  l2Advertisements: KubeObject[];
  bgpAdvertisements: KubeObject[];
  nodes: KubeObject[];
  lastConfigChange: Date | undefined;
  logs: readonly PodLog[];
  metrics: readonly PodMetrics[];
  /** Objects of a kind, in any namespace. */
  ofKind(kind: string): KubeObject[];
  /** Objects of a kind in the MetalLB namespace. */
  inNamespace(kind: string): KubeObject[];
  /** True/false against a known version; undefined when the version is unknown. */
  versionAtLeast(version: string): boolean | undefined;
}

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

function byName(a: KubeObject, b: KubeObject): number {
  const ka = `${namespaceOf(a) ?? ''}/${nameOf(a)}`;
  const kb = `${namespaceOf(b) ?? ''}/${nameOf(b)}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The container named `name`, else the first one, of a Deployment/DaemonSet/Pod. */
export function mainContainer(workload: KubeObject, name: string): unknown {
  const containers =
    workload.kind === 'Pod'
      ? arr(workload, 'spec', 'containers')
      : arr(workload, 'spec', 'template', 'spec', 'containers');
  return containers.find((c) => str(c, 'name') === name) ?? containers[0];
}

/** The tag of an image reference (`quay.io/metallb/controller:v0.14.9@sha256:...` -> `v0.14.9`). */
function imageTag(image: string | undefined): string | undefined {
  if (image === undefined) return undefined;
  const withoutDigest = image.split('@')[0] as string;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : withoutDigest.slice(colon + 1);
}

function findVersion(controller: KubeObject | undefined): {
  text: string | null;
  version: Version | undefined;
} {
  if (controller === undefined) return { text: null, version: undefined };
  const candidates = [
    imageTag(str(mainContainer(controller, 'controller'), 'image')),
    labelsOf(controller)['app.kubernetes.io/version'],
  ];
  for (const candidate of candidates) {
    const version = parseVersion(candidate);
    if (version) return { text: `${version.major}.${version.minor}.${version.patch}`, version };
  }
  return { text: null, version: undefined };
}

function findLbClass(controller: KubeObject | undefined): string | undefined {
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

function buildPool(obj: KubeObject, kind: PoolView['kind']): PoolView {
  const name = nameOf(obj);
  const raw = at(obj, 'spec', 'addresses');
  const texts = Array.isArray(raw) ? raw.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
  const entries = texts.map((text) => ({ text, parse: parseAddressEntry(text) }));
  const allocation = at(obj, 'spec', 'serviceAllocation');
  return {
    obj,
    kind,
    name,
    ref: { kind, namespace: namespaceOf(obj), name },
    labels: labelsOf(obj),
    entries,
    ranges: entries.flatMap((e) => (e.parse.ok ? [e.parse.range] : [])),
    autoAssign: bool(obj, 'spec', 'autoAssign') ?? true,
    avoidBuggyIps: bool(obj, 'spec', 'avoidBuggyIPs') ?? false,
    serviceAllocation:
      allocation !== null && typeof allocation === 'object' && !Array.isArray(allocation)
        ? (allocation as Record<string, unknown>)
        : undefined,
  };
}

/** An object field of a value, as `at` reads one step: undefined unless the value is an object. */
function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

/**
 * The annotation keys of each suffix (PREFIX_CURRENT, then PREFIX_LEGACY), written out once rather than
 * concatenated per service: literal keys are internalized strings, which property lookups compare by pointer.
 */
const ANNOTATION_KEYS = {
  addressPool: ['metallb.io/address-pool', 'metallb.universe.tf/address-pool'],
  loadBalancerIPs: ['metallb.io/loadBalancerIPs', 'metallb.universe.tf/loadBalancerIPs'],
  sharingKey: ['metallb.io/allow-shared-ip', 'metallb.universe.tf/allow-shared-ip'],
} as const;

/**
 * A MetalLB service annotation across both prefixes: the `metallb.io/` key wins when present (even empty); on a
 * known version below 0.14.9 (`readsCurrent` false) only `metallb.universe.tf/` is read.
 */
function resolveKeys(
  annotations: Record<string, string>,
  [current, legacy]: readonly [string, string],
  readsCurrent: boolean,
): ResolvedAnnotation | undefined {
  if (readsCurrent && Object.prototype.hasOwnProperty.call(annotations, current)) {
    return { key: current, value: annotations[current] as string };
  }
  if (Object.prototype.hasOwnProperty.call(annotations, legacy))
    return { key: legacy, value: annotations[legacy] as string };
  return undefined;
}

/** The original selector copy, kept for the odd values (strings, arrays) whose copy differs from the value. */
function copySelector(raw: unknown): Record<string, string> {
  const selector: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw as Record<string, unknown> | undefined) ?? {})) {
    if (typeof v === 'string') selector[k] = v;
  }
  return selector;
}

// Runs once per Service of the cluster, so it reads each object level once and copies nothing it can read in
// place; every read keeps the semantics of the safe accessors (a field of the wrong type reads as absent).
function buildService(obj: KubeObject, lbClass: string | undefined, readsCurrent: boolean): ServiceView {
  const metadata = field(obj, 'metadata');
  const spec = field(obj, 'spec');
  const name = stringField(metadata, 'name') ?? '';
  const namespace = stringField(metadata, 'namespace') ?? 'default';
  const annotations = strMapView(field(metadata, 'annotations'));
  const rawIngress = field(field(field(obj, 'status'), 'loadBalancer'), 'ingress');
  // Sized up front and cut to what was kept: an empty array reserves 17 slots on its first push, and every
  // service keeps these two arrays until the analysis ends (most hold a single IP).
  const count = Array.isArray(rawIngress) ? rawIngress.length : 0;
  const ingressIps: string[] = count === 0 ? [] : new Array<string>(count);
  const ingress: { text: string; ip: IpAddress }[] =
    count === 0 ? [] : new Array<{ text: string; ip: IpAddress }>(count);
  let texts = 0;
  let parsed = 0;
  for (let i = 0; i < count; i++) {
    const text = stringField((rawIngress as unknown[])[i], 'ip');
    if (!text) continue;
    ingressIps[texts++] = text;
    const ip = parseIp(text);
    if (ip) ingress[parsed++] = { text, ip };
  }
  ingressIps.length = texts;
  ingress.length = parsed;
  const className = stringField(spec, 'loadBalancerClass') || undefined;
  const rawSelector = field(spec, 'selector');
  return {
    obj,
    namespace,
    name,
    ref: { kind: 'Service', namespace, name },
    labels: strMapView(field(metadata, 'labels')),
    annotations,
    handled: stringField(spec, 'type') === 'LoadBalancer' && className === lbClass,
    ingressIps,
    ingress,
    loadBalancerIP: stringField(spec, 'loadBalancerIP') || undefined,
    addressPool: resolveKeys(annotations, ANNOTATION_KEYS.addressPool, readsCurrent),
    loadBalancerIPs: resolveKeys(annotations, ANNOTATION_KEYS.loadBalancerIPs, readsCurrent),
    sharingKey: resolveKeys(annotations, ANNOTATION_KEYS.sharingKey, readsCurrent),
    externalTrafficPolicy: stringField(spec, 'externalTrafficPolicy') ?? 'Cluster',
    selector: isPlainStringMap(rawSelector) ? rawSelector : copySelector(rawSelector),
  };
}

const CONFIG_KINDS = [
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'BFDProfile',
  'Community',
];

function lastChangeOf(obj: KubeObject): Date | undefined {
  let newest = time(obj, 'metadata', 'creationTimestamp');
  for (const field of arr(obj, 'metadata', 'managedFields')) {
    const t = time(field, 'time');
    if (t && (!newest || t > newest)) newest = t;
  }
  return newest;
}

function newestChange(objects: readonly KubeObject[]): Date | undefined {
  let newest: Date | undefined;
  for (const obj of objects) {
    const t = lastChangeOf(obj);
    if (t && (!newest || t > newest)) newest = t;
  }
  return newest;
}

/**
 * The last config change (docs/findings.md, "Terms"): the newest managedFields time (else creation time) over
 * the MetalLB config objects in the namespace. Exported for the live reader, which needs it to choose the log
 * window before the snapshot is complete, without building a whole context.
 */
export function lastConfigChangeOf(objects: readonly KubeObject[], namespace: string): Date | undefined {
  return newestChange(objects.filter((o) => CONFIG_KINDS.includes(o.kind) && namespaceOf(o) === namespace));
}

/** Builds the shared context of one analysis. Never throws on odd objects. */
export function buildContext(snapshot: Snapshot, options: AnalysisOptions): AnalysisContext {
  const byKind = new Map<string, KubeObject[]>();
  // Indexed, like the other loops over every object or service: code that runs once is not optimised, and a
  // for-of there allocates an iterator result per element.
  for (let i = 0; i < snapshot.objects.length; i++) {
    const obj = snapshot.objects[i] as KubeObject;
    const list = byKind.get(obj.kind);
    if (list) list.push(obj);
    else byKind.set(obj.kind, [obj]);
  }
  const ofKind = (kind: string): KubeObject[] => byKind.get(kind) ?? [];
  const controllers = ofKind('Deployment').filter(isControllerObject).sort(byName);
  const override = options.settings?.metallbNamespace;
  const namespace = override || (controllers[0] && namespaceOf(controllers[0])) || DEFAULT_NAMESPACE;
  const controller = controllers.find((d) => namespaceOf(d) === namespace);
  const speaker = ofKind('DaemonSet')
    .filter(isSpeakerObject)
    .sort(byName)
    .find((d) => namespaceOf(d) === namespace);
  const { text: versionText, version } = findVersion(controller);
  const lbClass = findLbClass(controller);
  const inNamespaceCache = new Map<string, KubeObject[]>();
  const inNamespace = (kind: string): KubeObject[] => {
    let list = inNamespaceCache.get(kind);
    if (!list) {
      list = ofKind(kind).filter((o) => namespaceOf(o) === namespace);
      inNamespaceCache.set(kind, list);
    }
    return list;
  };
  // Up to 0.14.1 MetalLB still reads AddressPool objects as pools (removed in 0.14.2); an unknown version is
  // taken as a current one, where they are ignored.
  const readsAddressPools =
    version !== undefined && compareVersions(version, { major: 0, minor: 14, patch: 2 }) < 0;
  const pools = [
    ...inNamespace('IPAddressPool').map((obj) => buildPool(obj, 'IPAddressPool')),
    ...(readsAddressPools ? inNamespace('AddressPool').map((obj) => buildPool(obj, 'AddressPool')) : []),
  ];
  const poolsByName = new Map<string, PoolView>();
  for (const pool of pools) if (!poolsByName.has(pool.name)) poolsByName.set(pool.name, pool);
  const poolIndex = new RangeIndex(
    pools.flatMap((pool) => pool.ranges.map((range) => ({ range, value: { pool, range } }))),
  );
  // resolveKeys' version test, once: a known version below 0.14.9 reads only the legacy prefix.
  const readsCurrent =
    version === undefined || compareVersions(version, { major: 0, minor: 14, patch: 9 }) >= 0;
  const services = ofKind('Service').map((s) => buildService(s, lbClass, readsCurrent));
  const lastConfigChange = newestChange(CONFIG_KINDS.flatMap((kind) => inNamespace(kind)));
  return {
    now: options.now,
    objects: snapshot.objects,
    namespace,
    versionText,
    version,
    controller,
    speaker,
    lbClass,
    pools,
    poolsByName,
    poolIndex,
    services,
    handledServices: services.filter((s) => s.handled),
    l2Advertisements: inNamespace('L2Advertisement'),
    bgpAdvertisements: inNamespace('BGPAdvertisement'),
    nodes: ofKind('Node'),
    lastConfigChange,
    logs: snapshot.logs,
    metrics: snapshot.metrics,
    ofKind,
    inNamespace,
    versionAtLeast: (text: string) => {
      const wanted = parseVersion(text);
      if (!version || !wanted) return undefined;
      return compareVersions(version, wanted) >= 0;
    },
  };
}

/** The ResourceRef of any object. */
export function refOf(obj: KubeObject): ResourceRef {
  return { kind: obj.kind, namespace: namespaceOf(obj), name: nameOf(obj) };
}

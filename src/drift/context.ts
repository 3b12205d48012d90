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
import { arr, at, bool, isPlainStringMap, labelsOf, nameOf, namespaceOf, strMapView, time } from './fields';
import {
  ANNOTATION_KEYS,
  CONFIG_KINDS,
  DEFAULT_NAMESPACE,
  isControllerObject,
  isSpeakerObject,
  lbClassOf,
} from './metallb-facts';
import type { AnalysisOptions, KubeObject, PodLog, PodMetrics, ResourceRef, Snapshot } from './model';
import {
  ADDRESS_POOLS_DROPPED_IN,
  controllerVersion,
  CURRENT_PREFIX_FROM,
  versionAtLeast,
  type Version,
} from './version';

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

/** A pool entry containing an address: what `poolIndex` answers. */
export interface PoolHit {
  pool: PoolView;
  range: AddressRange;
}

/** An ingress IP of a service that parses. */
export interface IngressIp {
  text: string;
  ip: IpAddress;
  /** `poolIndex.lookup(ip)`, looked up once per analysis: several rules ask which pools hold each IP. */
  hits: readonly PoolHit[];
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
  /** `ingressIps.length`, without building the list. */
  ingressIpCount: number;
  /** The ingress IPs that parse, with their text and the pool entries containing them. */
  ingress: IngressIp[];
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
  poolIndex: RangeIndex<PoolHit>;
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

function byName(a: KubeObject, b: KubeObject): number {
  const ka = `${namespaceOf(a) ?? ''}/${nameOf(a)}`;
  const kb = `${namespaceOf(b) ?? ''}/${nameOf(b)}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
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

type Ingress = ServiceView['ingress'];
/** The ingress of the many services that hold no IP: one frozen pair, never written to. */
const NO_TEXTS: string[] = Object.freeze([]) as unknown as string[];
const NO_INGRESS: Ingress = Object.freeze([]) as unknown as Ingress;

/**
 * A Service read in place. One lives per Service until the analysis ends, so only what every rule needs is read
 * up front (name, namespace, whether MetalLB handles it, its parsed ingress IPs); everything else is read from
 * the object when asked (the annotations, which most rules read, are kept). Each read keeps the semantics of the safe accessors (a field of the
 * wrong type reads as absent). The fewer and smaller these views, the less each scavenge has to copy.
 */
class LazyServiceView implements ServiceView {
  readonly obj: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly handled: boolean;
  readonly ingress: Ingress;
  readonly ingressIpCount: number;
  private readonly readsCurrent: boolean;
  private annotationsCache: Record<string, string> | undefined = undefined;
  private ingressIpsCache: string[] | undefined = undefined;

  constructor(
    obj: KubeObject,
    lbClass: string | undefined,
    readsCurrent: boolean,
    poolIndex: RangeIndex<PoolHit>,
  ) {
    this.obj = obj;
    this.readsCurrent = readsCurrent;
    const metadata = field(obj, 'metadata');
    const spec = field(obj, 'spec');
    this.name = stringField(metadata, 'name') ?? '';
    this.namespace = stringField(metadata, 'namespace') ?? 'default';
    const className = stringField(spec, 'loadBalancerClass') || undefined;
    this.handled = stringField(spec, 'type') === 'LoadBalancer' && className === lbClass;
    const raw = rawIngress(obj);
    if (raw === undefined || raw.length === 0) {
      this.ingressIpCount = 0;
      this.ingress = NO_INGRESS;
      return;
    }
    // Sized up front and cut to what was kept: an empty array reserves 17 slots on its first push.
    const ingress: Ingress = new Array<Ingress[number]>(raw.length);
    let texts = 0;
    let parsed = 0;
    for (let i = 0; i < raw.length; i++) {
      const text = stringField(raw[i], 'ip');
      if (!text) continue;
      texts++;
      const ip = parseIp(text);
      if (ip) ingress[parsed++] = { text, ip, hits: poolIndex.lookup(ip) };
    }
    ingress.length = parsed;
    this.ingressIpCount = texts;
    this.ingress = ingress;
  }

  get ingressIps(): string[] {
    if (this.ingressIpsCache === undefined) {
      if (this.ingressIpCount === 0) this.ingressIpsCache = NO_TEXTS;
      // Every written IP parsed (the usual case): the texts are the ingress's own.
      else if (this.ingressIpCount === this.ingress.length)
        this.ingressIpsCache = this.ingress.map((entry) => entry.text);
      else {
        const texts: string[] = [];
        for (const entry of rawIngress(this.obj) ?? []) {
          const text = stringField(entry, 'ip');
          if (text) texts.push(text);
        }
        this.ingressIpsCache = texts;
      }
    }
    return this.ingressIpsCache;
  }

  get ref(): ResourceRef {
    return { kind: 'Service', namespace: this.namespace, name: this.name };
  }

  get labels(): Record<string, string> {
    return strMapView(field(field(this.obj, 'metadata'), 'labels'));
  }

  get annotations(): Record<string, string> {
    return (this.annotationsCache ??= strMapView(field(field(this.obj, 'metadata'), 'annotations')));
  }

  get selector(): Record<string, string> {
    const raw = field(field(this.obj, 'spec'), 'selector');
    return isPlainStringMap(raw) ? raw : copySelector(raw);
  }

  get loadBalancerIP(): string | undefined {
    return stringField(field(this.obj, 'spec'), 'loadBalancerIP') || undefined;
  }

  get externalTrafficPolicy(): string {
    return stringField(field(this.obj, 'spec'), 'externalTrafficPolicy') ?? 'Cluster';
  }

  get addressPool(): ResolvedAnnotation | undefined {
    return resolveKeys(this.annotations, ANNOTATION_KEYS.addressPool, this.readsCurrent);
  }

  get loadBalancerIPs(): ResolvedAnnotation | undefined {
    return resolveKeys(this.annotations, ANNOTATION_KEYS.loadBalancerIPs, this.readsCurrent);
  }

  get sharingKey(): ResolvedAnnotation | undefined {
    return resolveKeys(this.annotations, ANNOTATION_KEYS.sharingKey, this.readsCurrent);
  }
}

/** `status.loadBalancer.ingress` when it is an array. */
function rawIngress(obj: KubeObject): unknown[] | undefined {
  const raw = field(field(field(obj, 'status'), 'loadBalancer'), 'ingress');
  return Array.isArray(raw) ? raw : undefined;
}

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
  const { text: versionText, version } = controllerVersion(controller);
  const lbClass = lbClassOf(controller);
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
  const readsAddressPools = versionAtLeast(version, ADDRESS_POOLS_DROPPED_IN) === false;
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
  const readsCurrent = versionAtLeast(version, CURRENT_PREFIX_FROM) !== false;
  const services: ServiceView[] = ofKind('Service').map(
    (s) => new LazyServiceView(s, lbClass, readsCurrent, poolIndex),
  );
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
    versionAtLeast: (text: string) => versionAtLeast(version, text),
  };
}

/** The ResourceRef of any object. */
export function refOf(obj: KubeObject): ResourceRef {
  return { kind: obj.kind, namespace: namespaceOf(obj), name: nameOf(obj) };
}

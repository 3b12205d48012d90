/**
 * Which pools MetalLB may allocate from for a service, and which pool a pending service waits on. Shared by the
 * service and pool rules so "allowed" and "pending on a pool" mean one thing (docs/findings.md, "Terms").
 */
import { isBuggyIp, parseIp, type IpAddress } from './addresses';
import type { AnalysisContext, PoolHit, PoolView, ServiceView } from './context';
import { arr, labelsOf, nameOf, strs } from './fields';
import { anySelectorMatches } from './selectors';

export type AllocationVerdict = 'allowed' | 'not-allowed';

/**
 * The namespaces a pool's `serviceAllocation` is limited to, as MetalLB's config parser builds the set: the
 * union of `namespaces` and every Namespace whose labels match any of `namespaceSelectors`. An empty set means
 * no namespace restriction, also when selectors are set but match no Namespace. `undefined` when selectors are
 * set and the snapshot holds no Namespace to judge them by: the rules then assume the selectors admit.
 */
export function allocationNamespaces(
  allocation: Record<string, unknown>,
  ctx: AnalysisContext,
): Set<string> | undefined {
  const names = new Set(strs(allocation, 'namespaces'));
  const selectors = arr(allocation, 'namespaceSelectors');
  if (selectors.length === 0) return names;
  const namespaces = ctx.ofKind('Namespace');
  if (namespaces.length === 0) return undefined;
  for (const namespace of namespaces) {
    if (anySelectorMatches(selectors, labelsOf(namespace))) names.add(nameOf(namespace));
  }
  return names;
}

/**
 * Whether a pool's `serviceAllocation` admits the service: its namespace set (allocationNamespaces) is empty
 * or holds the service's namespace, and `serviceSelectors` is empty or any of them matches the service's labels.
 */
export function allocationAdmits(
  pool: PoolView,
  service: ServiceView,
  ctx: AnalysisContext,
): AllocationVerdict {
  const allocation = pool.serviceAllocation;
  if (allocation === undefined) return 'allowed';
  const serviceSelectors = arr(allocation, 'serviceSelectors');
  if (serviceSelectors.length > 0 && !anySelectorMatches(serviceSelectors, service.labels))
    return 'not-allowed';
  const namespaces = poolNamespaces(pool, allocation, ctx);
  if (namespaces === undefined || namespaces.size === 0 || namespaces.has(service.namespace))
    return 'allowed';
  // A partial dump may lack the service's Namespace: whether a selector matches it cannot be told, so assume so.
  if (arr(allocation, 'namespaceSelectors').length > 0 && !namespaceNames(ctx).has(service.namespace))
    return 'allowed';
  return 'not-allowed';
}

/** allocationNamespaces once per pool and analysis: it is asked for every service. */
const namespacesCache = new WeakMap<AnalysisContext, Map<PoolView, Set<string> | undefined>>();
const namespaceNamesCache = new WeakMap<AnalysisContext, Set<string>>();

function poolNamespaces(
  pool: PoolView,
  allocation: Record<string, unknown>,
  ctx: AnalysisContext,
): Set<string> | undefined {
  let byPool = namespacesCache.get(ctx);
  if (byPool === undefined) namespacesCache.set(ctx, (byPool = new Map<PoolView, Set<string> | undefined>()));
  if (!byPool.has(pool)) byPool.set(pool, allocationNamespaces(allocation, ctx));
  return byPool.get(pool);
}

function namespaceNames(ctx: AnalysisContext): Set<string> {
  let names = namespaceNamesCache.get(ctx);
  if (names === undefined)
    namespaceNamesCache.set(ctx, (names = new Set(ctx.ofKind('Namespace').map(nameOf))));
  return names;
}

/** Why an IP inside a pool is not allowed for a service, or undefined when it is (or cannot be told). */
export function disallowedReason(
  pool: PoolView,
  ip: IpAddress,
  service: ServiceView,
  ctx: AnalysisContext,
): 'avoid-buggy-ips' | 'service-allocation' | undefined {
  if (pool.avoidBuggyIps && isBuggyIp(ip)) return 'avoid-buggy-ips';
  if (allocationAdmits(pool, service, ctx) === 'not-allowed') return 'service-allocation';
  return undefined;
}

/** Whether any pool contains the address: one index lookup, nothing allocated (hot for large clusters). */
export function inAnyPool(ip: IpAddress, ctx: AnalysisContext): boolean {
  return ctx.poolIndex.lookup(ip).length > 0;
}

/** The pools that contain an address (several only in a config with overlapping pools). */
export function poolsContaining(ip: IpAddress, ctx: AnalysisContext): PoolView[] {
  return poolsOfHits(ctx.poolIndex.lookup(ip));
}

/** The pools of index hits (an ingress IP's `hits`), each once. */
export function poolsOfHits(hits: readonly PoolHit[]): PoolView[] {
  // Without overlapping pools every address is in at most one: no set needed.
  if (hits.length === 0) return [];
  if (hits.length === 1) return [(hits[0] as { pool: PoolView }).pool];
  const seen = new Set<PoolView>();
  for (const hit of hits) seen.add(hit.pool);
  return [...seen];
}

/**
 * The pools a handled service without an ingress IP is pending on: the pool it requests by annotation, the pools
 * containing an IP it requests, or, when it requests nothing, every auto-assign pool whose serviceAllocation (if
 * any) admits it.
 */
export function poolsPendingFor(
  service: ServiceView,
  ctx: AnalysisContext,
  requestedIps: readonly IpAddress[],
): PoolView[] {
  if (!service.handled || service.ingressIpCount > 0) return [];
  if (service.addressPool !== undefined && service.addressPool.value !== '') {
    const pool = ctx.poolsByName.get(service.addressPool.value);
    return pool ? [pool] : [];
  }
  if (requestedIps.length > 0) {
    return [...new Set(requestedIps.flatMap((ip) => poolsContaining(ip, ctx)))];
  }
  return ctx.pools.filter(
    (pool) => pool.autoAssign && allocationAdmits(pool, service, ctx) !== 'not-allowed',
  );
}

/** The IPs a service requests through `spec.loadBalancerIP` or the `loadBalancerIPs` annotation. */
export interface RequestedIps {
  /** Where the request came from: `spec.loadBalancerIP` or the annotation key. */
  sources: string[];
  parsed: { text: string; ip: IpAddress }[];
  /** Values that do not parse as an IP. */
  invalid: string[];
  /** Both `spec.loadBalancerIP` and the annotation are set (MetalLB refuses the service). */
  both: boolean;
}

/**
 * Reads the requested IPs of a service. The annotation is a comma-separated list (spaces around items are
 * trimmed, empty items skipped); MetalLB rejects the service when both the field and the annotation are set.
 */
export function requestedIpsOf(service: ServiceView): RequestedIps {
  const texts: string[] = [];
  const sources: string[] = [];
  if (service.loadBalancerIP !== undefined) {
    texts.push(service.loadBalancerIP.trim());
    sources.push('spec.loadBalancerIP');
  }
  const annotation = service.loadBalancerIPs;
  if (annotation !== undefined && annotation.value.trim() !== '') {
    texts.push(
      ...annotation.value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    );
    sources.push(annotation.key);
  }
  const parsed: { text: string; ip: IpAddress }[] = [];
  const invalid: string[] = [];
  for (const text of texts) {
    const ip = parseIp(text);
    if (ip) parsed.push({ text, ip });
    else invalid.push(text);
  }
  return { sources, parsed, invalid, both: sources.length === 2 };
}

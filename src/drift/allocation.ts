/**
 * Which pools MetalLB may allocate from for a service, and which pool a pending service waits on. Shared by the
 * service and pool rules so "allowed" and "pending on a pool" mean one thing (design/findings.md, "Terms").
 */
import { isBuggyIp, parseIp, type IpAddress } from './addresses';
import type { AnalysisContext, PoolView, ServiceView } from './context';
import { arr, labelsOf, nameOf, strs } from './fields';
import { anySelectorMatches } from './selectors';

export type AllocationVerdict = 'allowed' | 'not-allowed' | 'unknown';

/**
 * Whether a pool's `serviceAllocation` admits the service. Each field that is set must match (namespaces by
 * name, namespaceSelectors against the Namespace's labels, serviceSelectors against the Service's labels);
 * within a field any entry may match (MetalLB allocator, inferred from code). When namespaceSelectors are set
 * and the snapshot has no Namespace objects, the answer is `unknown` rather than a guess.
 */
export function allocationAdmits(
  pool: PoolView,
  service: ServiceView,
  ctx: AnalysisContext,
): AllocationVerdict {
  const allocation = pool.serviceAllocation;
  if (allocation === undefined) return 'allowed';
  const namespaces = strs(allocation, 'namespaces');
  if (namespaces.length > 0 && !namespaces.includes(service.namespace)) return 'not-allowed';
  const serviceSelectors = arr(allocation, 'serviceSelectors');
  if (serviceSelectors.length > 0 && !anySelectorMatches(serviceSelectors, service.labels))
    return 'not-allowed';
  const namespaceSelectors = arr(allocation, 'namespaceSelectors');
  if (namespaceSelectors.length > 0) {
    const namespace = ctx.ofKind('Namespace').find((n) => nameOf(n) === service.namespace);
    if (namespace === undefined) return 'unknown';
    if (!anySelectorMatches(namespaceSelectors, labelsOf(namespace))) return 'not-allowed';
  }
  return 'allowed';
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
  const hits = ctx.poolIndex.lookup(ip);
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
  if (!service.handled || service.ingressIps.length > 0) return [];
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

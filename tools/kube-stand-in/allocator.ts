import { formatIp, isBuggyIp, type Family, type IpAddress } from '../../src/drift/addresses';
import {
  allocationAdmits,
  disallowedReason,
  poolsContaining,
  requestedIpsOf,
} from '../../src/drift/allocation';
import type { AnalysisContext, PoolView, ServiceView } from '../../src/drift/context';
import { num, strs } from '../../src/drift/fields';
import { goQuotedList } from './metallb-records';

export type Allocation = { ok: true; ip: string; pool: string } | { ok: false; error: string };

/** The pool an assigned IP may stay in for this service, or the error MetalLB's allocator gives. */
export function keepCheck(service: ServiceView, ctx: AnalysisContext): { pool: string } | { error: string } {
  for (const { ip, text } of service.ingress) {
    const pools = poolsContaining(ip, ctx);
    const fit = pools.find((p) => disallowedReason(p, ip, service, ctx) === undefined);
    if (fit === undefined) return { error: `${goQuotedList([text])} is not allowed in config` };
    if (service.addressPool && service.addressPool.value !== '' && service.addressPool.value !== fit.name) {
      return {
        error: `requested loadBalancer IP(s) ${goQuotedList([text])} is not compatible with requested address pool ${service.addressPool.value}`,
      };
    }
    return { pool: fit.name };
  }
  return { error: 'no IP assigned' };
}

function familyOf(service: ServiceView): Family {
  return strs(service.obj, 'spec', 'ipFamilies')[0] === 'IPv6' ? 6 : 4;
}

function priorityOf(pool: PoolView): number {
  return num(pool.serviceAllocation, 'priority') ?? Number.MAX_SAFE_INTEGER;
}

function firstFree(pool: PoolView, family: Family, used: Set<string>): string | undefined {
  for (const range of pool.ranges) {
    if (range.family !== family) continue;
    // The first free address lies within used.size + 3 steps of the start (at most 2 buggy ones in between).
    const stop = range.start + BigInt(used.size * 3 + 3);
    for (let value = range.start; value <= range.end && value <= stop; value++) {
      const ip: IpAddress = { family, value };
      if (pool.avoidBuggyIps && isBuggyIp(ip)) continue;
      const text = formatIp(ip);
      if (!used.has(text)) return text;
    }
  }
  return undefined;
}

/**
 * A fresh allocation for a service without an IP: the requested IPs, else the requested pool, else the
 * auto-assign pools that admit the service by serviceAllocation priority then name. Sharing is not simulated:
 * an IP in use by another service is taken.
 */
export function allocate(service: ServiceView, ctx: AnalysisContext, used: Set<string>): Allocation {
  const requested = requestedIpsOf(service);
  if (requested.both)
    return {
      ok: false,
      error: 'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    };
  if (requested.invalid.length > 0)
    return { ok: false, error: `invalid spec.loadBalancerIP "${requested.invalid[0] as string}"` };
  const poolName = service.addressPool?.value;
  if (poolName !== undefined && poolName !== '' && !ctx.poolsByName.has(poolName)) {
    return { ok: false, error: `unknown pool "${poolName}"` };
  }
  if (requested.parsed.length > 0) {
    const { ip, text } = requested.parsed[0] as { ip: IpAddress; text: string };
    const pool = poolsContaining(ip, ctx).find(
      (p) =>
        disallowedReason(p, ip, service, ctx) === undefined &&
        (poolName === undefined || poolName === '' || p.name === poolName),
    );
    if (pool === undefined) return { ok: false, error: `${goQuotedList([text])} is not allowed in config` };
    if (used.has(formatIp(ip))) return { ok: false, error: `${goQuotedList([text])} is already in use` };
    return { ok: true, ip: formatIp(ip), pool: pool.name };
  }
  const candidates =
    poolName !== undefined && poolName !== ''
      ? [ctx.poolsByName.get(poolName) as PoolView]
      : ctx.pools
          .filter((p) => p.autoAssign && allocationAdmits(p, service, ctx) !== 'not-allowed')
          .sort((a, b) => priorityOf(a) - priorityOf(b) || a.name.localeCompare(b.name));
  for (const pool of candidates) {
    const ip = firstFree(pool, familyOf(service), used);
    if (ip !== undefined) return { ok: true, ip, pool: pool.name };
  }
  return { ok: false, error: poolName ? `no available IPs in pool "${poolName}"` : 'no available IPs' };
}

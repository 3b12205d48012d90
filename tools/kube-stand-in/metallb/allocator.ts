/**
 * MetalLB's IP allocator (`internal/allocator/allocator.go`), for the simulated controller:
 * which addresses a pool allows a service, sharing, the pool an assignment may stay in, and fresh assignments.
 */
import { contains, formatIp, isBuggy, type Family, type Ip } from './ip';
import type { Pool } from './pools';
import type { ServiceRequest } from './services';

export type Outcome = { ok: true; ips: Ip[]; pool: Pool } | { ok: false; error: string };

/** Go's `%q` of a string slice, as in `["192.168.1.240"]`. */
export function goQuoted(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(' ')}]`;
}

function ipKey(ip: Ip): string {
  return `${ip.family}:${ip.value.toString(16)}`;
}

/** Whether serviceAllocation lets the service use the pool (a pool without one admits every service). */
export function admits(pool: Pool, service: ServiceRequest): boolean {
  const allocation = pool.allocation;
  if (allocation === undefined) return true;
  const namespaceOk = allocation.namespaces.size === 0 || allocation.namespaces.has(service.namespace);
  const serviceOk =
    allocation.serviceSelectors.length === 0 || allocation.serviceSelectors.some((m) => m(service.labels));
  return namespaceOk && serviceOk;
}

/** An address of the pool's entries that `avoidBuggyIPs` does not remove. */
export function poolAllows(pool: Pool, ip: Ip): boolean {
  return pool.spans.some((s) => contains(s, ip)) && !(pool.avoidBuggyIps && isBuggy(ip));
}

/** Pools by `priority` (positive, lowest first; unset or 0 after them), then by name. */
function byPriority(a: Pool, b: Pool): number {
  const rank = (p: Pool) => (p.allocation && p.allocation.priority > 0 ? p.allocation.priority : Infinity);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

interface Holder {
  key: string;
  sharingKey: string;
  backendKey: string;
  ports: ServiceRequest['ports'];
}

export class Allocator {
  private readonly holders = new Map<string, Holder[]>();

  constructor(readonly pools: readonly Pool[]) {}

  poolNamed(name: string): Pool | undefined {
    return this.pools.find((p) => p.name === name);
  }

  /** Records a service's addresses as in use (what the controller reloads from Service status). */
  claim(service: ServiceRequest, ips: readonly Ip[]): void {
    const holder = {
      key: service.key,
      sharingKey: service.sharingKey,
      backendKey: service.backendKey,
      ports: service.ports,
    };
    for (const ip of ips) {
      const key = ipKey(ip);
      this.holders.set(key, [...(this.holders.get(key) ?? []).filter((h) => h.key !== service.key), holder]);
    }
  }

  release(service: ServiceRequest): void {
    for (const [key, list] of this.holders) {
      const rest = list.filter((h) => h.key !== service.key);
      if (rest.length === 0) this.holders.delete(key);
      else this.holders.set(key, rest);
    }
  }

  /** Who holds what, to tell whether an allocation that failed could succeed now. */
  fingerprint(): string {
    return JSON.stringify([...this.holders].map(([ip, list]) => [ip, list.map((h) => h.key)]).sort());
  }

  /** Why the service may not use the IP alongside the services holding it (`sharingOK`, then ports). */
  sharingError(service: ServiceRequest, ip: Ip): string | undefined {
    for (const other of this.holders.get(ipKey(ip)) ?? []) {
      if (other.key === service.key) continue;
      if (other.sharingKey === '') return 'existing service does not allow sharing';
      if (service.sharingKey === '') return 'new service does not allow sharing';
      if (other.sharingKey !== service.sharingKey) {
        return `sharing key "${service.sharingKey}" does not match existing sharing key "${other.sharingKey}"`;
      }
      if (other.backendKey !== service.backendKey) {
        return `backend key "${service.backendKey}" does not match existing sharing key "${other.backendKey}"`;
      }
      const clash = service.ports.find((p) =>
        other.ports.some((o) => o.protocol === p.protocol && o.port === p.port),
      );
      if (clash) return `port ${clash.protocol}/${clash.port} is already in use on "${formatIp(ip)}"`;
    }
    return undefined;
  }

  /**
   * Whether the service may own these IPs (MetalLB's `Assign`): one pool holds and allows all of them, admits the
   * service, and the IPs can be shared with whoever else holds them.
   */
  assign(service: ServiceRequest, ips: readonly Ip[]): Outcome {
    const texts = goQuoted(ips.map(formatIp));
    const pool = this.pools.find((p) => ips.every((ip) => poolAllows(p, ip)) && admits(p, service));
    if (pool === undefined || ips.length === 0)
      return { ok: false, error: `${texts} is not allowed in config` };
    if (service.pool !== undefined && service.pool !== pool.name) {
      return {
        ok: false,
        error: `requested loadBalancer IP(s) ${texts} is not compatible with requested address pool ${service.pool}`,
      };
    }
    for (const ip of ips) {
      const error = this.sharingError(service, ip);
      if (error !== undefined) return { ok: false, error };
    }
    return { ok: true, ips: [...ips], pool };
  }

  /** The first address of the family, in entry order, that the pool allows and the service may use. */
  private firstUsable(pool: Pool, family: Family, service: ServiceRequest): Ip | undefined {
    for (const span of pool.spans) {
      if (span.family !== family) continue;
      // Ends: every address skipped is either held (at most one step per held address) or buggy (2 in 256).
      for (let value = span.first; value <= span.last; value++) {
        const ip = { family, value };
        if (pool.avoidBuggyIps && isBuggy(ip)) continue;
        if (this.sharingError(service, ip) === undefined) return ip;
      }
    }
    return undefined;
  }

  /** `AllocateFromPool`: one address per family the service wants, all from this one pool. */
  fromPool(service: ServiceRequest, pool: Pool): Ip[] | undefined {
    const hasFamily = (f: Family) => pool.spans.some((s) => s.family === f);
    const families =
      service.dualStack === 'prefer' ? service.families.filter(hasFamily).slice(0, 2) : service.families;
    if (families.length === 0) return undefined;
    const ips: Ip[] = [];
    for (const family of families) {
      const ip = this.firstUsable(pool, family, service);
      if (ip === undefined) return undefined;
      ips.push(ip);
    }
    return ips;
  }

  /**
   * A fresh assignment (`Allocate`): the requested IPs, else the requested pool, else the auto-assign pools whose
   * serviceAllocation admits the service by priority, then the auto-assign pools without serviceAllocation by name.
   */
  allocate(service: ServiceRequest): Outcome {
    if ('error' in service.requested) return { ok: false, error: service.requested.error };
    if (service.pool !== undefined && this.poolNamed(service.pool) === undefined) {
      return { ok: false, error: `unknown pool "${service.pool}"` };
    }
    if (service.requested.length > 0) return this.assign(service, service.requested);
    if (service.pool !== undefined) {
      const pool = this.poolNamed(service.pool) as Pool;
      const ips = this.fromPool(service, pool);
      return ips ? { ok: true, ips, pool } : { ok: false, error: `no available IPs in pool "${pool.name}"` };
    }
    const pinned = this.pools
      .filter((p) => p.autoAssign && p.allocation && admits(p, service))
      .sort(byPriority);
    const open = this.pools.filter((p) => p.autoAssign && !p.allocation).sort(byPriority);
    for (const pool of [...pinned, ...open]) {
      const ips = this.fromPool(service, pool);
      if (ips) return { ok: true, ips, pool };
    }
    return { ok: false, error: 'no available IPs' };
  }
}

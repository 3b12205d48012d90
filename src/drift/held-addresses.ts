/**
 * One pass over every ingress IP of the handled services, shared by DUPLICATE_IP and the pool usage behind
 * POOL_EXHAUSTED / POOL_NEARLY_EXHAUSTED: the distinct addresses held (one key per address whatever its
 * spelling), and the holders of each address two or more services hold. Computed once per
 * context, so the hash of every IP is taken once per analysis rather than once per rule.
 */
import type { IpAddress } from './addresses';
import type { AnalysisContext, IngressIp, ServiceView } from './context';

export interface Holder {
  service: ServiceView;
  text: string;
}

export interface HeldAddresses {
  /** Every distinct address held, in the order first met (as its first holder wrote it). */
  ips: IngressIp[];
  /**
   * The holders of every address that two or more handled services hold, in the order each address was first
   * met; a service listing an address twice counts once.
   */
  shared: Holder[][];
}

const byContext = new WeakMap<AnalysisContext, HeldAddresses>();

export function heldAddresses(ctx: AnalysisContext): HeldAddresses {
  let held = byContext.get(ctx);
  if (held === undefined) {
    held = collect(ctx);
    byContext.set(ctx, held);
  }
  return held;
}

// Nearly every address has one holder, so the first one is kept as an index into flat arrays and a list is only
// made when a second holder appears. Indexed loops: they run once per analysis, mostly unoptimised, where a
// for-of allocates per element.
function collect(ctx: AnalysisContext): HeldAddresses {
  const services = ctx.handledServices;
  let count = 0;
  for (let s = 0; s < services.length; s++) count += (services[s] as ServiceView).ingress.length;
  const firstOf = new AddressTable(count);
  const ips: IngressIp[] = [];
  const firstServices: ServiceView[] = [];
  const shared = new Map<number, Holder[]>();
  for (let s = 0; s < services.length; s++) {
    const service = services[s] as ServiceView;
    const ingress = service.ingress;
    for (let i = 0; i < ingress.length; i++) {
      const entry = ingress[i] as IngressIp;
      // Most services hold one IP, a few two: a service's own repeats are found by comparing.
      if (i > 0 && heldBefore(ingress, i, entry.ip)) continue;
      const first = firstOf.indexOf(entry.ip, ips);
      if (first < 0) {
        firstOf.add(entry.ip, ips.length);
        ips.push(entry);
        firstServices.push(service);
        continue;
      }
      const text = entry.text;
      const list = shared.get(first);
      if (list) list.push({ service, text });
      else
        shared.set(first, [
          { service: firstServices[first] as ServiceView, text: (ips[first] as IngressIp).text },
          { service, text },
        ]);
    }
  }
  return { ips, shared: [...shared].sort((x, y) => x[0] - y[0]).map(([, holders]) => holders) };
}

/** Whether the address is among the service's ingress IPs before index i. */
function heldBefore(ingress: readonly IngressIp[], i: number, ip: IpAddress): boolean {
  for (let j = 0; j < i; j++) if (sameAddress((ingress[j] as IngressIp).ip, ip)) return true;
  return false;
}

/**
 * One address whatever its spelling: the parser gives every spelling of an address the same family and value
 * (an IPv4-mapped IPv6 address is IPv4), which is what addressKey's keys stand for.
 */
function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

/**
 * Which distinct address (an index into the `ips` list) an address is, by open addressing over an Int32Array
 * sized once for every IP. A Map keyed by addressKey did the same at several times the cost: it grew and
 * rehashed through 110k entries, and hashed a BigInt per IPv6 address each time it was asked.
 */
class AddressTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(count: number) {
    let size = 16;
    while (size < count * 2) size *= 2;
    this.slots = new Int32Array(size); // 0 = empty, else index + 1
    this.mask = size - 1;
  }

  /** The index given to an equal address by `add`, or -1. */
  indexOf(ip: IpAddress, ips: readonly IngressIp[]): number {
    for (let slot = hashOf(ip) & this.mask; ; slot = (slot + 1) & this.mask) {
      const held = this.slots[slot] as number;
      if (held === 0) return -1;
      if (sameAddress((ips[held - 1] as IngressIp).ip, ip)) return held - 1;
    }
  }

  /** Records an address not yet in the table under an index. */
  add(ip: IpAddress, index: number): void {
    let slot = hashOf(ip) & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = index + 1;
  }
}

/** A 31-bit hash of an address from its low 53 bits (every IPv4 bit; the host part of an IPv6 one). */
function hashOf(ip: IpAddress): number {
  const low = Number(ip.family === 4 ? ip.value : BigInt.asUintN(53, ip.value));
  // Fold the bits above 32 in, then mix (a multiplicative hash), so sequential addresses spread out.
  const folded = low % 4294967296 ^ Math.floor(low / 4294967296) ^ ip.family;
  return Math.imul(folded, 0x9e3779b1) >>> 1;
}

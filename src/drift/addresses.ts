/**
 * IP address arithmetic with MetalLB's parser semantics (docs/findings.md, "How the engine reads MetalLB"), IPv4 and IPv6 alike.
 *
 * Addresses are BigInts tagged with their family, so IPv6 is exact (no 2^64 rounding) and every bound is
 * inclusive: a CIDR covers its network address through its broadcast address, as MetalLB assigns them.
 * `netmask` is deliberately not used here: its first/last drop those two addresses, it cannot read `a-b`
 * ranges, and it throws on mixed families (docs/adr/0002-address-arithmetic.md).
 */

export type Family = 4 | 6;

export interface IpAddress {
  family: Family;
  value: bigint;
}

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  family: Family;
  start: bigint;
  end: bigint;
}

export type EntryParse = { ok: true; range: AddressRange } | { ok: false; reason: string };

const V4_BITS = 32;
const V6_BITS = 128;
/** Bits 32-79 of an IPv4-mapped IPv6 address (`::ffff:0:0/96`), whose bits 80-127 are zero. */
const V4_MAPPED_MIDDLE = 0xffff;

export function familyBits(family: Family): number {
  return family === 4 ? V4_BITS : V6_BITS;
}

/**
 * A dotted IPv4 address as a Number (exact: below 2^32), or undefined. Scans characters instead of splitting
 * and matching a regex per octet: this runs once per ingress IP of the cluster. Each octet is what
 * `^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$` accepts: 1-3 ASCII digits, no leading zero, at most 255.
 */
function parseIpv4Number(text: string): number | undefined {
  let value = 0;
  let octets = 0;
  let octet = 0;
  let digits = 0;
  let firstZero = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // the end closes the last octet like a '.'
    if (c === 46) {
      // Go's parser (1.17+) rejects leading zeros, which some tools read as octal.
      if (digits === 0 || (firstZero && digits > 1) || octet > 255 || octets === 4) return undefined;
      value = value * 256 + octet;
      octets++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 3) return undefined;
      if (digits === 0) firstZero = c === 48;
      octet = octet * 10 + (c - 48);
      digits++;
    } else {
      return undefined;
    }
  }
  return octets === 4 ? value : undefined;
}

function parseIpv4(text: string): bigint | undefined {
  const value = parseIpv4Number(text);
  return value === undefined ? undefined : BigInt(value);
}

/** The group `text[from, to)` as `^[0-9a-fA-F]{1,4}$` accepts it, as a Number; -1 when invalid. */
function hexGroup(text: string, from: number, to: number): number {
  if (to === from || to - from > 4) return -1;
  let group = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 97 && c <= 102) digit = c - 87;
    else if (c >= 65 && c <= 70) digit = c - 55;
    else return -1;
    group = group * 16 + digit;
  }
  return group;
}

/** Scratch space of parseIpv6: the groups before and after `::`. Reused, so a parse allocates no array. */
const HEAD = new Int32Array(8);
const TAIL = new Int32Array(8);

/**
 * Reads the 16-bit groups of `text[from, to)`, one side of `::`, into `out`; returns how many, or -1 when
 * invalid (more than 8 groups can never make an address). Scans indices instead of splitting: this runs once
 * per IPv6 ingress IP. `allowV4Tail`: an embedded IPv4 is only valid as the last 32 bits of the whole address
 * (`::ffff:1.2.3.4`).
 */
function readGroups(text: string, from: number, to: number, allowV4Tail: boolean, out: Int32Array): number {
  if (from === to) return 0;
  let count = 0;
  let partStart = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 58) continue; // ':' or the end closes a group
    // `to` is the end of the text whenever allowV4Tail is set, so a '.' from partStart on is in this part.
    if (allowV4Tail && i === to && text.indexOf('.', partStart) >= 0) {
      const v4 = parseIpv4Number(text.slice(partStart, to));
      if (v4 === undefined || count + 2 > 8) return -1;
      out[count++] = Math.floor(v4 / 65536);
      out[count++] = v4 % 65536;
      return count;
    }
    const group = hexGroup(text, partStart, i);
    if (group < 0 || count === 8) return -1;
    out[count++] = group;
    partStart = i + 1;
  }
  return count;
}

/** Group k of the address parsed into HEAD and TAIL: from the head, else a zero `::` stands for, else the tail. */
function groupAt(k: number, head: number, tail: number): number {
  if (k < head) return HEAD[k] as number;
  return k < 8 - tail ? 0 : (TAIL[k - 8 + tail] as number);
}

/**
 * An IPv6 address; an IPv4-mapped one (`::ffff:0:0/96`) is the IPv4 address of its last 32 bits, as it is to Go.
 * The mapping is read from the groups, before any BigInt is made.
 */
function parseIpv6(text: string): IpAddress | undefined {
  if (text.includes('%')) return undefined; // zones are not addresses MetalLB assigns
  // As text.split('::'): at most one `::`, searched for again past the first one (non-overlapping).
  const gap = text.indexOf('::');
  if (gap >= 0 && text.indexOf('::', gap + 2) >= 0) return undefined;
  let head: number;
  let tail = 0;
  if (gap < 0) {
    head = readGroups(text, 0, text.length, true, HEAD);
    if (head !== 8) return undefined;
  } else {
    head = readGroups(text, 0, gap, false, HEAD);
    if (head < 0) return undefined;
    tail = readGroups(text, gap + 2, text.length, true, TAIL);
    if (tail < 0 || 8 - head - tail < 1) return undefined;
  }
  // Three exact Numbers (48, 48 and 32 bits, all below 2^53), then five BigInt steps instead of fifteen.
  const high = (groupAt(0, head, tail) * 65536 + groupAt(1, head, tail)) * 65536 + groupAt(2, head, tail);
  const middle = (groupAt(3, head, tail) * 65536 + groupAt(4, head, tail)) * 65536 + groupAt(5, head, tail);
  const low = groupAt(6, head, tail) * 65536 + groupAt(7, head, tail);
  if (high === 0 && middle === V4_MAPPED_MIDDLE) return { family: 4, value: BigInt(low) };
  return { family: 6, value: (BigInt(high) << 80n) | (BigInt(middle) << 32n) | BigInt(low) };
}

/**
 * Parses one address like Go's `net.ParseIP`/`netip.ParseAddr`: dotted IPv4 without leading zeros, or IPv6 in
 * any valid spelling (`FD00:10:0:0::ff`, `fd00:10::ff`). No surrounding spaces. `undefined` when invalid.
 * An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, or `::ffff:102:304`) is the IPv4 address `1.2.3.4`, as it is
 * to Go (`To4()` succeeds on it), so to MetalLB, in a service's status, a request and a pool entry alike.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    return parseIpv6(text);
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/**
 * A key equal for every spelling of one address, without formatting the usual ones: a dotted IPv4 address by
 * its text (the parser accepts only the canonical dotted form, one text per value), an IPv6 address by its
 * BigInt value (it has many spellings), and an IPv4-mapped spelling by its dotted form. A string never equals
 * a BigInt in a Set or Map, so the families cannot collide.
 */
export function addressKey(text: string, ip: IpAddress): string | bigint {
  if (ip.family === 6) return ip.value;
  return text.includes(':') ? formatIp(ip) : text;
}

/** Formats an address canonically: dotted IPv4, RFC 5952 IPv6 (lower case, longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  }
  // RFC 5952 section 5: an IPv4-mapped address keeps its dotted tail (`::ffff:192.0.2.1`).
  if (ip.value >> 32n === 0xffffn) return `::ffff:${formatAddress(4, ip.value & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((ip.value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // RFC 5952: a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Formats an address given as family and value. */
export function formatAddress(family: Family, value: bigint): string {
  return formatIp({ family, value });
}

function parseCidr(entry: string): EntryParse {
  const slash = entry.indexOf('/');
  const addressText = entry.slice(0, slash);
  const prefixText = entry.slice(slash + 1);
  const ip = parseIp(addressText);
  if (ip === undefined)
    return { ok: false, reason: `invalid CIDR "${entry}": "${addressText}" is not an IP address` };
  // The prefix is checked against the family of the text: `::ffff:10.0.0.0/120` is an IPv6 CIDR to Go.
  const writtenBits = addressText.includes(':') ? V6_BITS : V4_BITS;
  if (!/^\d+$/.test(prefixText) || Number(prefixText) > writtenBits) {
    return {
      ok: false,
      reason: `invalid CIDR "${entry}": prefix length "${prefixText}" must be 0 to ${writtenBits}`,
    };
  }
  const bits = familyBits(ip.family);
  // An IPv4-mapped CIDR matches IPv4 addresses by the last 32 bits of its mask, as Go's IPNet.Contains does:
  // `::ffff:10.0.0.0/120` is 10.0.0.0/24, and a prefix up to 96 leaves no IPv4 bit fixed.
  const prefix = Math.max(0, Number(prefixText) - (writtenBits - bits));
  const hostBits = BigInt(bits - prefix);
  const start = (ip.value >> hostBits) << hostBits; // host bits are allowed and masked off, as in Go
  return { ok: true, range: { family: ip.family, start, end: start + (1n << hostBits) - 1n } };
}

function parseRange(entry: string): EntryParse {
  const dash = entry.indexOf('-');
  const startText = entry.slice(0, dash).trim();
  const endText = entry.slice(dash + 1).trim();
  const start = parseIp(startText);
  if (start === undefined)
    return { ok: false, reason: `invalid IP range "${entry}": invalid start IP "${startText}"` };
  const end = parseIp(endText);
  if (end === undefined)
    return { ok: false, reason: `invalid IP range "${entry}": invalid end IP "${endText}"` };
  if (start.family !== end.family) {
    return { ok: false, reason: `invalid IP range "${entry}": start and end are of different IP families` };
  }
  if (start.value > end.value) {
    return {
      ok: false,
      reason: `invalid IP range "${entry}": start IP "${startText}" is after the end IP "${endText}"`,
    };
  }
  return { ok: true, range: { family: start.family, start: start.value, end: end.value } };
}

/**
 * Parses one `IPAddressPool.spec.addresses` entry exactly as MetalLB's `ParseCIDR` does: with no `-` the
 * entry must be a CIDR (`10.0.0.0/24`, host bits allowed, no spaces, a bare IP is invalid); with a `-` it is
 * split once and each side, trimmed, must be an address of the same family with start <= end.
 */
export function parseAddressEntry(entry: string): EntryParse {
  if (entry.includes('-')) return parseRange(entry);
  if (!entry.includes('/'))
    return { ok: false, reason: `invalid CIDR "${entry}": a bare IP needs /32 (or /128), or a range a-a` };
  return parseCidr(entry);
}

export function rangeSize(range: AddressRange): bigint {
  return range.end - range.start + 1n;
}

/** Whether an address lies in a range (same family, inside its bounds): one address against one pool entry. */
export function rangeContains(range: AddressRange, ip: IpAddress): boolean {
  return range.family === ip.family && range.start <= ip.value && ip.value <= range.end;
}

/** Whether an IPv4 address ends in .0 or .255 (MetalLB's `avoidBuggyIPs`; never true for IPv6). */
export function isBuggyIp(ip: IpAddress): boolean {
  if (ip.family !== 4) return false;
  // An IPv4 value is exact as a Number, and the remainder needs no BigInt arithmetic.
  const last = Number(ip.value) % 256;
  return last === 0 || last === 255;
}

/** How many x in [start, end] have x mod 256 == residue. */
function countResidue(start: bigint, end: bigint, residue: bigint): bigint {
  const floorDiv = (a: bigint): bigint => (a >= 0n ? a / 256n : -((-a + 255n) / 256n));
  return floorDiv(end - residue) - floorDiv(start - 1n - residue);
}

/** Addresses of a range MetalLB may assign: all of them, less .0/.255 when `avoidBuggyIPs` applies (IPv4). */
export function allowedCount(range: AddressRange, avoidBuggyIps: boolean): bigint {
  const size = rangeSize(range);
  if (!avoidBuggyIps || range.family !== 4) return size;
  return size - countResidue(range.start, range.end, 0n) - countResidue(range.start, range.end, 255n);
}

interface Segment<T> {
  family: Family;
  start: bigint;
  end: bigint;
  items: T[];
}

function compareKey(aFamily: Family, aValue: bigint, bFamily: Family, bValue: bigint): number {
  if (aFamily !== bFamily) return aFamily - bFamily;
  return aValue < bValue ? -1 : aValue > bValue ? 1 : 0;
}

/**
 * An index over address ranges: which ranges contain an address, in O(log R). Ranges may overlap (a broken
 * config has overlapping pools); the index splits them into disjoint elementary segments, each listing every
 * range that covers it, so a lookup is one binary search. Building costs O(R log R) plus the overlap.
 */
export class RangeIndex<T> {
  // Segments split by family: IPv4 bounds as Numbers (exact below 2^32), searched without BigInt compares;
  // IPv6 bounds as BigInts. Each list is sorted and its segments are disjoint.
  private readonly v4Starts: Float64Array;
  private readonly v4Ends: Float64Array;
  private readonly v4Items: (readonly T[])[];
  private readonly v6Starts: bigint[];
  private readonly v6Ends: bigint[];
  private readonly v6Items: (readonly T[])[];

  constructor(entries: readonly { range: AddressRange; value: T }[]) {
    const segments = buildSegments(entries);
    const v4 = segments.filter((seg) => seg.family === 4);
    const v6 = segments.filter((seg) => seg.family === 6);
    this.v4Starts = Float64Array.from(v4, (seg) => Number(seg.start));
    this.v4Ends = Float64Array.from(v4, (seg) => Number(seg.end));
    this.v4Items = v4.map((seg) => seg.items);
    this.v6Starts = v6.map((seg) => seg.start);
    this.v6Ends = v6.map((seg) => seg.end);
    this.v6Items = v6.map((seg) => seg.items);
  }

  /** Every value whose range contains the address; `[]` when none. */
  lookup(ip: IpAddress): readonly T[] {
    if (ip.family === 4) {
      const value = Number(ip.value);
      const starts = this.v4Starts;
      const ends = this.v4Ends;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if ((ends[mid] as number) < value) lo = mid + 1;
        else if ((starts[mid] as number) > value) hi = mid - 1;
        else return this.v4Items[mid] as readonly T[];
      }
      return NO_ITEMS;
    }
    const value = ip.value;
    const starts = this.v6Starts;
    const ends = this.v6Ends;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((ends[mid] as bigint) < value) lo = mid + 1;
      else if ((starts[mid] as bigint) > value) hi = mid - 1;
      else return this.v6Items[mid] as readonly T[];
    }
    return NO_ITEMS;
  }

  get segmentCount(): number {
    return this.v4Items.length + this.v6Items.length;
  }
}

/** The answer of every lookup that hits nothing: shared, since callers only read it. */
const NO_ITEMS: readonly never[] = Object.freeze([]);

function buildSegments<T>(entries: readonly { range: AddressRange; value: T }[]): Segment<T>[] {
  // Sweep over the boundaries of every range: each point where some range starts or ends + 1.
  const events: { family: Family; at: bigint; open: boolean; index: number }[] = [];
  entries.forEach((e, index) => {
    events.push({ family: e.range.family, at: e.range.start, open: true, index });
    events.push({ family: e.range.family, at: e.range.end + 1n, open: false, index });
  });
  events.sort((a, b) => compareKey(a.family, a.at, b.family, b.at) || Number(a.open) - Number(b.open));
  const segments: Segment<T>[] = [];
  const active = new Set<number>();
  for (let i = 0; i < events.length; ) {
    const { family, at } = events[i] as (typeof events)[number];
    while (
      i < events.length &&
      (events[i] as (typeof events)[number]).family === family &&
      (events[i] as (typeof events)[number]).at === at
    ) {
      const ev = events[i] as (typeof events)[number];
      if (ev.open) active.add(ev.index);
      else active.delete(ev.index);
      i++;
    }
    const next = events[i];
    if (active.size > 0 && next !== undefined && next.family === family) {
      const items = [...active].sort((a, b) => a - b).map((k) => (entries[k] as { value: T }).value);
      segments.push({ family, start: at, end: next.at - 1n, items });
    }
  }
  return segments;
}

/**
 * Every pair of overlapping ranges, by index into `ranges` (a < b), in one sort and sweep: O(R log R + pairs).
 */
export function findOverlaps(ranges: readonly AddressRange[]): [number, number][] {
  const order = ranges.map((_, i) => i);
  order.sort((a, b) => {
    const ra = ranges[a] as AddressRange;
    const rb = ranges[b] as AddressRange;
    return compareKey(ra.family, ra.start, rb.family, rb.start) || a - b;
  });
  const pairs: [number, number][] = [];
  let active: number[] = [];
  for (const index of order) {
    const current = ranges[index] as AddressRange;
    active = active.filter((k) => {
      const other = ranges[k] as AddressRange;
      return other.family === current.family && other.end >= current.start;
    });
    for (const k of active) pairs.push(k < index ? [k, index] : [index, k]);
    active.push(index);
  }
  return pairs;
}

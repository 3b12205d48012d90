/**
 * The membership question both sides answer: for every service IP, which pool ranges contain it.
 * The engine side is what buildContext does (parse entries, build a RangeIndex, binary-search each IP); the
 * naive side is what a first script would do (test each IP against each range in turn).
 * Both start from the same strings, so parsing is counted on both sides.
 */
import { Netmask } from 'netmask';
import {
  parseAddressEntry,
  parseIp,
  RangeIndex,
  type AddressRange,
  type IpAddress,
} from '../src/drift/addresses';

/** Range indexes containing each IP, in IP order; `[]` for an IP inside nothing or that does not parse. */
export type Membership = number[][];

/** Engine: parse every entry, index them, look every IP up. */
export function engineMembership(entries: readonly string[], ips: readonly string[]): Membership {
  const indexed: { range: AddressRange; value: number }[] = [];
  entries.forEach((entry, value) => {
    const parsed = parseAddressEntry(entry);
    if (parsed.ok) indexed.push({ range: parsed.range, value });
  });
  const index = new RangeIndex(indexed);
  return ips.map((text) => {
    const ip = parseIp(text);
    return ip === undefined ? [] : [...index.lookup(ip)];
  });
}

interface NaiveRange {
  index: number;
  /** Set for IPv4 CIDRs: netmask answers those. */
  netmask?: Netmask;
  /** Set for everything else: inclusive BigInt bounds. */
  range?: AddressRange;
}

/** Naive setup: a Netmask per IPv4 CIDR, BigInt bounds for IPv6 CIDRs and every `a-b` range. */
export function naiveRanges(entries: readonly string[]): NaiveRange[] {
  const out: NaiveRange[] = [];
  entries.forEach((entry, index) => {
    const parsed = parseAddressEntry(entry);
    if (!parsed.ok) return;
    if (parsed.range.family === 4 && !entry.includes('-')) out.push({ index, netmask: new Netmask(entry) });
    else out.push({ index, range: parsed.range });
  });
  return out;
}

function naiveContains(r: NaiveRange, text: string, ip: IpAddress): boolean {
  if (r.netmask !== undefined) {
    // netmask throws on an IPv6 address ("Invalid net address"): guard the family first.
    return ip.family === 4 && r.netmask.contains(text);
  }
  const range = r.range as AddressRange;
  return range.family === ip.family && range.start <= ip.value && ip.value <= range.end;
}

/** Naive lookups: every IP against every range, in order. */
export function naiveMembership(ranges: readonly NaiveRange[], ips: readonly string[]): Membership {
  return ips.map((text) => {
    const ip = parseIp(text);
    if (ip === undefined) return [];
    const hits: number[] = [];
    for (const r of ranges) if (naiveContains(r, text, ip)) hits.push(r.index);
    return hits;
  });
}

/** Every `step`-th IP, from an offset, so a sample keeps the family and inside/outside mix of the whole. */
export function sampleEvery<T>(items: readonly T[], step: number): T[] {
  const out: T[] = [];
  for (let i = Math.floor(step / 2); i < items.length; i += step) out.push(items[i] as T);
  return out;
}

/** Throws when the two sides disagree: a benchmark of a wrong answer is worthless. */
export function assertSameMembership(engine: Membership, naive: Membership, label: string): void {
  if (engine.length !== naive.length)
    throw new Error(`${label}: ${engine.length} vs ${naive.length} answers`);
  engine.forEach((hits, i) => {
    const a = [...hits].sort((x, y) => x - y).join(',');
    const b = [...(naive[i] as number[])].sort((x, y) => x - y).join(',');
    if (a !== b) throw new Error(`${label}: IP #${i} engine [${a}] vs naive [${b}]`);
  });
}

/** How many IPs are inside at least one range (a figure a reader can check against the data's shape). */
export function insideCount(membership: Membership): number {
  return membership.filter((hits) => hits.length > 0).length;
}

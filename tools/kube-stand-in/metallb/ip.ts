/**
 * IP addresses as MetalLB's Go code sees them: `net.ParseIP`, `net.ParseCIDR` and `IP.String()`. Written for the
 * simulation from Go's documented behaviour, apart from the engine's parser on purpose (a test of a fix must not
 * check the engine against itself).
 *
 * Go keeps every address in 16 bytes and calls one IPv4 when it lies in ::ffff:0:0/96 (`To4() != nil`), so
 * `::ffff:10.0.0.1` and `::ffff:a00:1` are the IPv4 address 10.0.0.1 everywhere: parsed, compared and printed.
 */

export type Family = 4 | 6;

export interface Ip {
  family: Family;
  value: bigint;
}

/** An inclusive span of addresses of one family. */
export interface Span {
  family: Family;
  first: bigint;
  last: bigint;
}

const V4_MAPPED = 0xffffn << 32n;
const V4_MASK = 0xffffffffn;

function ipv4Value(text: string): bigint | undefined {
  const fields = text.split('.');
  if (fields.length !== 4) return undefined;
  let value = 0n;
  for (const field of fields) {
    // Go rejects leading zeros (since 1.17: they read as octal elsewhere) and anything but decimal digits.
    if (!/^(0|[1-9]\d{0,2})$/.test(field) || Number(field) > 255) return undefined;
    value = (value << 8n) | BigInt(field);
  }
  return value;
}

/** The 16-bit groups of one side of `::`; an embedded IPv4 is allowed at the very end only. */
function groupsOf(side: string, mayEndInIpv4: boolean): bigint[] | undefined {
  if (side === '') return [];
  const parts = side.split(':');
  const groups: bigint[] = [];
  for (const [i, part] of parts.entries()) {
    if (mayEndInIpv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = ipv4Value(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function ipv6Value(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: bigint[];
  if (halves.length === 1) {
    const all = groupsOf(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  } else {
    const head = groupsOf(halves[0] as string, false);
    const tail = groupsOf(halves[1] as string, true);
    // `::` stands for at least one group of zeros.
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    groups = [...head, ...Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An IPv6 value in ::ffff:0:0/96 is the IPv4 address in its low 32 bits. */
function fromSixteenBytes(value: bigint): Ip {
  return value >> 32n === 0xffffn ? { family: 4, value: value & V4_MASK } : { family: 6, value };
}

/** Go's `net.ParseIP`: the first `.` or `:` decides the syntax; zones, spaces and leading zeros are refused. */
export function parseIp(text: string): Ip | undefined {
  const firstDot = text.indexOf('.');
  const firstColon = text.indexOf(':');
  if (firstColon === -1 && firstDot === -1) return undefined;
  if (firstColon === -1 || (firstDot !== -1 && firstDot < firstColon)) {
    const value = ipv4Value(text);
    return value === undefined ? undefined : { family: 4, value };
  }
  const value = ipv6Value(text);
  return value === undefined ? undefined : fromSixteenBytes(value);
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups becomes `::`, the first one on a tie (RFC 5952, as Go does).
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start === -1) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** Go's `IP.String()`. */
export function formatIp(ip: Ip): string {
  if (ip.family === 6) return formatIpv6(ip.value);
  return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
}

/**
 * Go's `net.ParseCIDR` as MetalLB reads its result: host bits allowed (the span starts at the network address), the
 * prefix length at most the bits of the written syntax. An IPv4-mapped IPv6 CIDR with a prefix of 96 or more is the
 * IPv4 network it maps (`net.IPNet.Contains` compares it as IPv4); with a shorter prefix it is IPv6 space.
 */
export function parseCidr(text: string): Span | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^\d+$/.test(prefixText)) return undefined;
  const v6Syntax = addressText.includes(':');
  const value = v6Syntax ? ipv6Value(addressText) : ipv4Value(addressText);
  if (value === undefined) return undefined;
  const bits = v6Syntax ? 128 : 32;
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  if (v6Syntax && prefix >= 96 && (value & ~V4_MASK) === V4_MAPPED) {
    return spanOf(4, value & V4_MASK, prefix - 96);
  }
  return spanOf(v6Syntax ? 6 : 4, value, prefix);
}

function spanOf(family: Family, value: bigint, prefix: number): Span {
  const hostBits = BigInt((family === 4 ? 32 : 128) - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const first = value & ~hostMask;
  return { family, first, last: first | hostMask };
}

export function contains(span: Span, ip: Ip): boolean {
  return span.family === ip.family && span.first <= ip.value && ip.value <= span.last;
}

/** MetalLB's `ipConfusesBuggyFirmwares`: an IPv4 address ending in .0 or .255, in any /24. */
export function isBuggy(ip: Ip): boolean {
  if (ip.family !== 4) return false;
  const last = ip.value & 0xffn;
  return last === 0n || last === 255n;
}

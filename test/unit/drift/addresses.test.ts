import {
  allowedCount,
  findOverlaps,
  formatIp,
  isBuggyIp,
  parseAddressEntry,
  parseIp,
  RangeIndex,
  type AddressRange,
  type EntryParse,
  type IpAddress,
} from '../../../src/drift/addresses';

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`test IP ${text} does not parse`);
  return parsed;
}

function range(entry: string): AddressRange {
  const parsed = parseAddressEntry(entry);
  if (!parsed.ok) throw new Error(`test entry ${entry} does not parse: ${parsed.reason}`);
  return parsed.range;
}

/** The parse as a user reads it: first and last address, or the reason. */
function shown(result: EntryParse): string {
  return result.ok
    ? `${formatIp({ family: result.range.family, value: result.range.start })} .. ${formatIp({ family: result.range.family, value: result.range.end })}`
    : `invalid: ${result.reason}`;
}

describe('parseAddressEntry', () => {
  // MetalLB's own parser (docs/adr/0002-address-arithmetic.md): each spelling of one entry it accepts or refuses.
  it.each([
    ['10.20.0.0/16', '10.20.0.0 .. 10.20.255.255'],
    ['30.0.0.0/8', '30.0.0.0 .. 30.255.255.255'],
    ['40.0.0.0/25', '40.0.0.0 .. 40.0.0.127'],
    ['40.0.0.150-40.0.0.200', '40.0.0.150 .. 40.0.0.200'],
    ['40.0.0.210 - 40.0.0.240', '40.0.0.210 .. 40.0.0.240'],
    ['40.0.0.250 - 40.0.0.250', '40.0.0.250 .. 40.0.0.250'],
    ['2001:db8::/64', '2001:db8:: .. 2001:db8::ffff:ffff:ffff:ffff'],
    ['1000::/64', '1000:: .. 1000::ffff:ffff:ffff:ffff'],
    ['1.2.3.0/24', '1.2.3.0 .. 1.2.3.255'],
    ['fc00:f853:0ccd:e799::0-fc00:f853:0ccd:e799::18', 'fc00:f853:ccd:e799:: .. fc00:f853:ccd:e799::18'],
    ['3.3.3.2-3.3.3.254', '3.3.3.2 .. 3.3.3.254'],
    ['10.20.30.40/24', '10.20.30.0 .. 10.20.30.255'],
    ['192.168.10.0/24', '192.168.10.0 .. 192.168.10.255'],
    ['192.168.9.1-192.168.9.5', '192.168.9.1 .. 192.168.9.5'],
    ['42.176.25.64/30', '42.176.25.64 .. 42.176.25.67'],
    ['1.1.1.1-1.1.1.100', '1.1.1.1 .. 1.1.1.100'],
  ])('accepts %s as MetalLB does, covering %s', (entry, expected) => {
    expect(shown(parseAddressEntry(entry))).toBe(expected);
  });

  it.each([
    ['host bits in a CIDR are masked off', '10.0.0.77/30', '10.0.0.76 .. 10.0.0.79'],
    ['spaces around the dash are trimmed', '10.0.0.1   -   10.0.0.3', '10.0.0.1 .. 10.0.0.3'],
    ['a single-IP range', '10.0.0.9-10.0.0.9', '10.0.0.9 .. 10.0.0.9'],
    ['a /32', '192.168.1.240/32', '192.168.1.240 .. 192.168.1.240'],
    ['a /0', '0.0.0.0/0', '0.0.0.0 .. 255.255.255.255'],
    ['a /128', '2001:db8::1/128', '2001:db8::1 .. 2001:db8::1'],
    ['non-canonical IPv6 in a CIDR', 'FD00:10:0:0::ff/120', 'fd00:10:: .. fd00:10::ff'],
    ['non-canonical IPv6 in a range', 'FD00:10:0:0::1-fd00:10::ff', 'fd00:10::1 .. fd00:10::ff'],
    ['an IPv6 range', '2001:db8::10 - 2001:db8::20', '2001:db8::10 .. 2001:db8::20'],
    // Go's IPNet.Contains masks an IPv4-mapped network with the last 32 bits of its 128-bit mask.
    ['an IPv4-mapped CIDR, which is IPv4 to Go', '::ffff:10.0.0.0/120', '10.0.0.0 .. 10.0.0.255'],
    ['an IPv4-mapped CIDR of prefix 96 or less', '::ffff:10.0.0.0/96', '0.0.0.0 .. 255.255.255.255'],
    ['an IPv4-mapped range', '::ffff:10.0.0.1-::ffff:10.0.0.5', '10.0.0.1 .. 10.0.0.5'],
    ['a range of an IPv4 and an IPv4-mapped address', '10.0.0.1 - ::ffff:10.0.0.5', '10.0.0.1 .. 10.0.0.5'],
    ['an IPv4 tail in a non-mapped IPv6', '64:ff9b::10.0.0.0/120', '64:ff9b::a00:0 .. 64:ff9b::a00:ff'],
  ])('accepts %s', (_behaviour, entry, expected) => {
    expect(shown(parseAddressEntry(entry))).toBe(expected);
  });

  it.each([
    ['an octet above 255', '100.200.300.400/24', 'invalid CIDR "100.200.300.400/24"'],
    ['an IPv4 prefix of 33', '1.2.3.0/33', 'prefix length "33" must be 0 to 32'],
    ['an IPv6 prefix of 129', '2001:db8::/129', 'prefix length "129" must be 0 to 128'],
    ['a reversed range', '1.2.3.10-1.2.3.1', 'start IP "1.2.3.10" is after the end IP "1.2.3.1"'],
    ['a bare IPv4', '192.168.1.240', 'a bare IP needs /32'],
    ['a bare IPv6', '2001:db8::1', 'a bare IP needs /32'],
    ['a leading space in CIDR form', ' 10.0.0.0/8', 'invalid CIDR " 10.0.0.0/8"'],
    ['a trailing space in CIDR form', '10.0.0.0/8 ', 'invalid CIDR "10.0.0.0/8 "'],
    ['a mixed-family range', '10.0.0.1-2001:db8::1', 'different IP families'],
    ['IPv4 leading zeros', '010.0.0.0/24', 'invalid CIDR "010.0.0.0/24"'],
    ['IPv4 leading zeros in a range', '10.0.0.01-10.0.0.5', 'invalid start IP "10.0.0.01"'],
    ['a bad end IP', '10.0.0.1-10.0.0', 'invalid end IP "10.0.0"'],
    ['two dashes', '10.0.0.1-10.0.0.2-10.0.0.3', 'invalid end IP "10.0.0.2-10.0.0.3"'],
    ['an empty string', '', 'a bare IP needs /32'],
    ['a missing prefix', '10.0.0.0/', 'prefix length "" must be 0 to 32'],
    ['a negative prefix', '10.0.0.0/-1', 'invalid IP range'],
    ['an IPv4 tail before ::', '1.2.3.4::/120', 'is not an IP address'],
    ['a zone', 'fe80::1%eth0/64', 'is not an IP address'],
    ['nine IPv6 groups', '1:2:3:4:5:6:7:8:9/128', 'is not an IP address'],
  ])('rejects %s', (_behaviour, entry, reason) => {
    const result = parseAddressEntry(entry);
    expect(result.ok).toBe(false);
    expect(shown(result)).toContain(reason);
  });
});

describe('parseIp and formatIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal zero runs is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest zero run wins
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['fd00:10:0:0::ff', 'fd00:10::ff'],
    // net.ParseIP: an IPv4-mapped address is the IPv4 address (To4 succeeds), whatever its spelling.
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['0:0:0:0:0:FFFF:192.0.2.1', '192.0.2.1'],
    ['::fffe:192.0.2.1', '::fffe:c000:201'],
    ['::192.0.2.1', '::c000:201'],
  ])('reads %s and writes it as %s (RFC 5952)', (text, expected) => {
    expect(formatIp(ip(text))).toBe(expected);
  });

  it.each([
    ['01.2.3.4'],
    ['1.2.3'],
    ['1.2.3.4.5'],
    ['1.2.3.256'],
    [' 1.2.3.4'],
    ['1:2:3:4:5:6:7:8::'],
    ['::1::'],
    ['12345::'],
    ['g::1'],
    [''],
  ])('does not read %p as an address', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('keeps the family of an address', () => {
    expect(ip('10.0.0.1').family).toBe(4);
    expect(ip('::ffff:10.0.0.1').family).toBe(4);
    expect(ip('::ffff:10.0.0.1').value).toBe(ip('10.0.0.1').value);
  });
});

describe('allowedCount', () => {
  it.each([
    ['10.0.0.0/24', false, 256n],
    ['10.0.0.0/24', true, 254n],
    ['10.0.0.0/22', true, 4n * 254n],
    ['10.0.0.0/16', true, 256n * 254n],
    ['10.0.0.200-10.0.3.10', false, 3n * 256n - 200n + 11n],
    // .255 of 10.0.0, .0 and .255 of 10.0.1 and 10.0.2, .0 of 10.0.3
    ['10.0.0.200-10.0.3.10', true, 3n * 256n - 200n + 11n - 6n],
    ['10.0.0.255-10.0.1.0', true, 0n],
    ['10.0.0.1-10.0.0.254', true, 254n],
    ['10.0.0.0/32', true, 0n],
    ['10.0.0.0/0', false, 2n ** 32n],
    ['2001:db8::/64', false, 2n ** 64n],
    ['2001:db8::/64', true, 2n ** 64n], // avoidBuggyIPs has no effect on IPv6
    ['2001:db8::/120', true, 256n],
  ])('counts the allowed addresses of %s with avoidBuggyIPs %p as %p', (entry, avoid, expected) => {
    expect(allowedCount(range(entry), avoid)).toBe(expected);
  });

  it.each([
    ['10.0.0.0', true],
    ['10.0.3.255', true],
    ['10.0.0.1', false],
    ['2001:db8::', false],
    ['2001:db8::ff', false],
  ])('treats %s as buggy: %p', (text, buggy) => {
    expect(isBuggyIp(ip(text))).toBe(buggy);
  });
});

describe('RangeIndex', () => {
  const entries = [
    { range: range('10.0.0.0/24'), value: 'a' },
    { range: range('10.0.0.128/25'), value: 'b' }, // inside a
    { range: range('10.0.1.0-10.0.1.9'), value: 'c' }, // adjacent to a
    { range: range('2001:db8::/120'), value: 'v6a' },
    { range: range('2001:db8::80-2001:db8::1ff'), value: 'v6b' }, // overlaps v6a, runs past it
    { range: range('2001:db8::200/127'), value: 'v6c' }, // adjacent to v6b
  ];
  const index = new RangeIndex(entries);

  it.each([
    ['10.0.0.0', ['a']],
    ['10.0.0.127', ['a']],
    ['10.0.0.128', ['a', 'b']],
    ['10.0.0.255', ['a', 'b']],
    ['10.0.1.0', ['c']],
    ['10.0.1.9', ['c']],
    ['10.0.1.10', []],
    ['9.255.255.255', []],
    ['2001:db8::', ['v6a']],
    ['2001:db8::80', ['v6a', 'v6b']],
    ['2001:db8::ff', ['v6a', 'v6b']],
    ['2001:db8::100', ['v6b']],
    ['2001:db8::1ff', ['v6b']],
    ['2001:db8::200', ['v6c']],
    ['2001:db8::201', ['v6c']],
    ['2001:db8::202', []],
    ['::ffff:10.0.0.1', ['a']], // IPv4-mapped: the IPv4 address 10.0.0.1
    ['::a00:1', []],
  ])('finds %s in %p', (text, expected) => {
    expect([...index.lookup(ip(text))]).toEqual(expected);
  });

  it('answers nothing when empty', () => {
    expect(new RangeIndex([]).lookup(ip('10.0.0.1'))).toEqual([]);
  });

  it('covers the top of the IPv4 space and of the IPv6 space', () => {
    const top = new RangeIndex([
      { range: range('255.255.255.0/24'), value: 4 },
      { range: range('ffff::/16'), value: 6 },
    ]);
    expect(top.lookup(ip('255.255.255.255'))).toEqual([4]);
    expect(top.lookup(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toEqual([6]);
  });
});

describe('findOverlaps', () => {
  it.each([
    ['disjoint ranges', ['10.0.0.0/24', '10.0.1.0/24'], []],
    ['adjacent ranges', ['1.1.1.1-1.1.1.100', '1.1.1.101-1.1.1.200'], []],
    ['a CIDR inside another', ['10.0.0.0/8', '10.0.0.0/16'], [[0, 1]]],
    ['a range inside another', ['1.1.1.1-1.1.1.100', '1.1.1.15-1.1.1.20'], [[0, 1]]],
    ['a range touching by one address', ['10.0.0.0-10.0.0.10', '10.0.0.10-10.0.0.20'], [[0, 1]]],
    ['an identical entry', ['10.0.0.0/24', '10.0.0.0-10.0.0.255'], [[0, 1]]],
    ['a later entry overlapping an earlier one', ['10.0.1.0/24', '10.0.0.0/16'], [[0, 1]]],
    [
      'several ranges overlapping one wide range',
      ['10.0.0.0/16', '10.0.1.0/24', '10.0.2.0/24', '10.1.0.0/24'],
      [
        [0, 1],
        [0, 2],
      ],
    ],
    ['an IPv4 CIDR and its IPv4-mapped spelling', ['10.0.0.0/24', '::ffff:10.0.0.0/120'], [[0, 1]]],
    ['the same numbers in two families', ['0.0.0.0/24', '::/120'], []],
    ['IPv6 ranges', ['2001:db8::/64', '2001:db8::1-2001:db8::5', '2001:db9::/64'], [[0, 1]]],
  ])('reports %s', (_case, entries, expected) => {
    const pairs = findOverlaps(entries.map(range));
    expect([...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual(expected);
  });
});

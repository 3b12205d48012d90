/**
 * The simulation's address parser against Go's documented `net.ParseIP` / `net.ParseCIDR` / `IP.String()` and
 * MetalLB's pool entry rules (MetalLB's config_test cases, Go's net package docs).
 */
import { formatIp, isBuggy, parseIp, type Ip } from '../../../tools/kube-stand-in/metallb/ip';
import { parseEntry } from '../../../tools/kube-stand-in/metallb/pools';

function show(ip: Ip | undefined): string | undefined {
  return ip === undefined ? undefined : `v${ip.family} ${formatIp(ip)}`;
}

describe('parseIp, as Go net.ParseIP reads and IP.String() prints', () => {
  it.each<[string, string | undefined]>([
    ['10.0.0.1', 'v4 10.0.0.1'],
    ['0.0.0.0', 'v4 0.0.0.0'],
    ['255.255.255.255', 'v4 255.255.255.255'],
    ['010.0.0.1', undefined], // leading zeros are refused since Go 1.17
    ['256.0.0.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    [' 10.0.0.1', undefined],
    ['10.0.0.1 ', undefined],
    ['1.2.3.4:80', undefined],
    ['', undefined],
    ['::ffff:10.0.0.1', 'v4 10.0.0.1'], // IPv4-mapped IPv6 is IPv4
    ['::FFFF:10.0.0.1', 'v4 10.0.0.1'],
    ['::ffff:a00:1', 'v4 10.0.0.1'], // the same address in hex groups
    ['0:0:0:0:0:ffff:c0a8:101', 'v4 192.168.1.1'],
    ['::1.2.3.4', 'v6 ::102:304'], // IPv4-compatible is not IPv4
    ['2001:db8::1', 'v6 2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', 'v6 2001:db8::1'],
    ['::', 'v6 ::'],
    ['::1', 'v6 ::1'],
    ['1:2:3:4:5:6:7::', 'v6 1:2:3:4:5:6:7:0'], // one zero group is not compressed
    ['1:0:0:1:0:0:0:1', 'v6 1:0:0:1::1'], // the longest run
    ['1:0:0:2:3:0:0:4', 'v6 1::2:3:0:0:4'], // the first of equal runs
    ['fe80::1%eth0', undefined], // zones are refused
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7', undefined],
    ['1:2:3:4:5:6:7:8::', undefined], // `::` must stand for at least one group
    ['1::2::3', undefined],
    ['12345::', undefined],
    [':1::', undefined],
    ['1.2.3.4::', undefined],
    ['::ffff:1.2.3.256', undefined],
  ])('%j -> %s', (text, expected) => {
    expect(show(parseIp(text))).toBe(expected);
  });
});

describe('parseEntry, as MetalLB parses an address entry of a pool', () => {
  function covers(text: string): string {
    const span = parseEntry(text);
    if ('error' in span) return span.error;
    return `v${span.family} ${formatIp({ family: span.family, value: span.first })} - ${formatIp({ family: span.family, value: span.last })}`;
  }

  it.each<[string, string]>([
    ['10.0.0.0/24', 'v4 10.0.0.0 - 10.0.0.255'], // network and broadcast addresses are in the pool
    ['10.20.30.40/24', 'v4 10.20.30.0 - 10.20.30.255'], // host bits are allowed
    ['10.0.0.7/32', 'v4 10.0.0.7 - 10.0.0.7'],
    ['0.0.0.0/0', 'v4 0.0.0.0 - 255.255.255.255'],
    ['40.0.0.210 - 40.0.0.240', 'v4 40.0.0.210 - 40.0.0.240'],
    ['40.0.0.250-40.0.0.250', 'v4 40.0.0.250 - 40.0.0.250'],
    ['2001:db8::/120', 'v6 2001:db8:: - 2001:db8::ff'],
    ['fc00:f853:0ccd:e799::0-fc00:f853:0ccd:e799::18', 'v6 fc00:f853:ccd:e799:: - fc00:f853:ccd:e799::18'],
    ['::ffff:10.0.0.0/120', 'v4 10.0.0.0 - 10.0.0.255'], // IPv4-mapped CIDR is the IPv4 network
    ['::ffff:10.0.0.1-10.0.0.5', 'v4 10.0.0.1 - 10.0.0.5'],
    ['192.168.1.240', 'invalid CIDR "192.168.1.240"'], // a bare IP needs /32
    ['1.2.3.0/33', 'invalid CIDR "1.2.3.0/33"'],
    ['2001:db8::/129', 'invalid CIDR "2001:db8::/129"'],
    ['100.200.300.400/24', 'invalid CIDR "100.200.300.400/24"'],
    [' 10.0.0.0/8', 'invalid CIDR " 10.0.0.0/8"'], // CIDR form is not trimmed
    ['10.0.0.0/', 'invalid CIDR "10.0.0.0/"'],
    ['10.0.0.0/+8', 'invalid CIDR "10.0.0.0/+8"'],
    [
      '1.2.3.10-1.2.3.1',
      'invalid IP range "1.2.3.10-1.2.3.1": start IP "1.2.3.10" is after the end IP "1.2.3.1"',
    ],
    ['1.2.3.x-1.2.3.4', 'invalid IP range "1.2.3.x-1.2.3.4": invalid start IP "1.2.3.x"'],
    ['1.2.3.1-', 'invalid IP range "1.2.3.1-": invalid end IP ""'],
    [
      '10.0.0.1-2001:db8::1',
      'invalid IP range "10.0.0.1-2001:db8::1": start and end IP are not of the same family',
    ],
  ])('%j -> %s', (text, expected) => {
    expect(covers(text)).toBe(expected);
  });
});

describe('isBuggy, the addresses avoidBuggyIPs removes', () => {
  it.each<[string, boolean]>([
    ['10.0.5.0', true],
    ['10.0.5.255', true],
    ['10.0.5.1', false],
    ['10.0.5.254', false],
    ['::ffff:10.0.0.0', true], // an IPv4 address however written
    ['2001:db8::', false], // IPv6 is never buggy
    ['2001:db8::ff', false],
  ])('%s -> %s', (text, expected) => {
    expect(isBuggy(parseIp(text) as Ip)).toBe(expected);
  });
});

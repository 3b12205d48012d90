/**
 * The hand-written IPv4/IPv6 scanners in src/drift/addresses.ts must accept and reject exactly what Go's
 * parser (and the regex-based parser they replaced) does: these are the spellings at the edges.
 */
import { isBuggyIp, parseIp } from '../../../src/drift/addresses';

describe('parseIp spellings at the edges', () => {
  it.each([
    ['0.0.0.0', 4, '0'],
    ['255.255.255.255', 4, 'ffffffff'],
    ['192.168.0.10', 4, 'c0a8000a'],
    ['::', 6, '0'],
    ['::1', 6, '1'],
    ['1::', 6, '10000000000000000000000000000'],
    ['FD00:10:0:0::ff', 6, 'fd0000100000000000000000000000ff'],
    ['fd00:10::ff', 6, 'fd0000100000000000000000000000ff'],
    ['::ffff:1.2.3.4', 4, '01020304'],
    ['::FFFF:102:304', 4, '01020304'],
    ['::fffe:1.2.3.4', 6, 'fffe01020304'],
    ['1:2:3:4:5:6:1.2.3.4', 6, '10002000300040005000601020304'],
    ['1:2:3:4:5:6:7:8', 6, '10002000300040005000600070008'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6, 'f'.repeat(32)],
  ])('reads %s as IPv%s 0x%s', (text, family, hex) => {
    const ip = parseIp(text);
    expect(ip).toEqual({ family, value: BigInt(`0x${hex}`) });
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.',
    '.1.2.3',
    '1..2.3',
    '01.2.3.4',
    '1.2.3.256',
    '1.2.3.1000',
    ' 1.2.3.4',
    ':::',
    '1:::2',
    '1::2::3',
    '1::2:',
    ':1::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '12345::',
    'g::',
    '1.2.3.4::',
    '::1.2.3.4:1',
    '::ffff:01.2.3.4',
    'fe80::1%eth0',
  ])('rejects %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it.each([
    ['10.0.0.0', true],
    ['10.0.0.255', true],
    ['10.0.1.1', false],
    ['255.255.255.254', false],
    ['fd00::ff', false],
  ])('tells whether %s is a .0/.255 address avoidBuggyIPs excludes: %s', (text, buggy) => {
    expect(isBuggyIp(parseIp(text) as NonNullable<ReturnType<typeof parseIp>>)).toBe(buggy);
  });
});

import { poolOverlap } from '../../../../../src/drift/rules/pools/pool-overlap';
import { ipAddressPool, object, METALLB_NS } from '../../../../support/builders';
import { resources, runRule } from './run-rule';

describe('POOL_OVERLAP', () => {
  it('reports both pools of a cross-pool overlap, each naming the other pool and entry', () => {
    const findings = runRule(poolOverlap, [
      ipAddressPool('wide', ['10.0.0.0/8']),
      ipAddressPool('narrow', ['192.168.0.0/24', '10.0.0.0/16']),
    ]);
    expect(resources(findings)).toEqual([
      `IPAddressPool ${METALLB_NS}/wide`,
      `IPAddressPool ${METALLB_NS}/narrow`,
    ]);
    expect(findings.map((f) => f.severity)).toEqual(['critical', 'critical']);
    expect(findings[0]?.details).toEqual({
      entries: ['10.0.0.0/8'],
      pools: ['narrow'],
      others: [{ pool: 'narrow', entry: '10.0.0.0/16', overlaps: '10.0.0.0/8' }],
    });
    expect(findings[1]?.details).toEqual({
      entries: ['10.0.0.0/16'],
      pools: ['wide'],
      others: [{ pool: 'wide', entry: '10.0.0.0/8', overlaps: '10.0.0.0/16' }],
    });
    expect(findings[1]?.message).toBe(
      'IPAddressPool narrow overlaps: 10.0.0.0/16 with wide 10.0.0.0/8; MetalLB rejects the configuration ("overlaps with already defined CIDR") and keeps running on the last valid one (make the entries disjoint)',
    );
  });

  it('reports an overlap between two entries of the same pool once, on that pool', () => {
    const findings = runRule(poolOverlap, [ipAddressPool('lab', ['1.1.1.1-1.1.1.100', '1.1.1.15-1.1.1.20'])]);
    expect(resources(findings)).toEqual([`IPAddressPool ${METALLB_NS}/lab`]);
    expect(findings[0]?.details['others']).toEqual([
      { pool: 'lab', entry: '1.1.1.15-1.1.1.20', overlaps: '1.1.1.1-1.1.1.100' },
    ]);
    expect(findings[0]?.message).toContain('1.1.1.1-1.1.1.100 with its own 1.1.1.15-1.1.1.20');
  });

  it('gathers every overlap of a pool with several pools into one finding', () => {
    const findings = runRule(poolOverlap, [
      ipAddressPool('all', ['10.0.0.0/16']),
      ipAddressPool('b', ['10.0.1.0/24']),
      ipAddressPool('c', ['10.0.2.0-10.0.2.9']),
    ]);
    expect(resources(findings)).toHaveLength(3);
    expect(findings[0]?.details['pools']).toEqual(['b', 'c']);
  });

  it('reports IPv6 overlaps written in different spellings', () => {
    const findings = runRule(poolOverlap, [
      ipAddressPool('v6a', ['FD00:10:0:0::/120']),
      ipAddressPool('v6b', ['fd00:10::ff-fd00:10::1ff']),
    ]);
    expect(resources(findings)).toHaveLength(2);
  });

  it('reports an IPv4 entry and the IPv4-mapped spelling of the same addresses (Go reads both as IPv4)', () => {
    const findings = runRule(poolOverlap, [
      ipAddressPool('v4', ['10.0.0.0/24']),
      ipAddressPool('mapped', ['::ffff:10.0.0.128/121']),
    ]);
    expect(resources(findings)).toHaveLength(2);
  });

  it.each([
    ['adjacent ranges', [['1.1.1.1-1.1.1.100'], ['1.1.1.101-1.1.1.200']]],
    ['the same numbers in two families', [['0.0.0.0/24'], ['::/120']]],
    ['disjoint entries in one pool', [['40.0.0.0/25', '40.0.0.150-40.0.0.200']]],
    ['an invalid entry that would overlap if it parsed', [['10.0.0.0/24'], ['10.0.0.0']]],
  ])('says nothing about %s', (_case, pools) => {
    expect(
      runRule(
        poolOverlap,
        pools.map((addresses, i) => ipAddressPool(`p${i}`, addresses)),
      ),
    ).toEqual([]);
  });

  it('ignores pools outside the MetalLB namespace', () => {
    expect(
      runRule(poolOverlap, [
        ipAddressPool('a', ['10.0.0.0/24']),
        ipAddressPool('b', ['10.0.0.0/24'], {}, {}, 'default'),
      ]),
    ).toEqual([]);
  });

  it('does not throw on malformed pools next to overlapping ones', () => {
    const findings = runRule(poolOverlap, [
      object('metallb.io/v1beta1', 'IPAddressPool', 'nospec', METALLB_NS),
      object('metallb.io/v1beta1', 'IPAddressPool', 'string', METALLB_NS, {
        spec: { addresses: '10.0.0.0/24' },
      }),
      ipAddressPool('a', ['10.0.0.0/24']),
      ipAddressPool('b', ['10.0.0.128/25']),
    ]);
    expect(resources(findings)).toEqual([`IPAddressPool ${METALLB_NS}/a`, `IPAddressPool ${METALLB_NS}/b`]);
  });

  it('handles a thousand pools in one sweep', () => {
    const pools = Array.from({ length: 1000 }, (_, i) =>
      ipAddressPool(`p${i}`, [`10.${i >> 8}.${i & 255}.0/24`]),
    );
    pools.push(ipAddressPool('dup', ['10.0.5.0/24']));
    expect(resources(runRule(poolOverlap, pools))).toEqual([
      `IPAddressPool ${METALLB_NS}/p5`,
      `IPAddressPool ${METALLB_NS}/dup`,
    ]);
  });
});

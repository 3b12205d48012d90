import { poolAddressInvalid } from '../../../../../src/drift/rules/pools/pool-address-invalid';
import { ipAddressPool, object, METALLB_NS } from '../../../../support/builders';
import { runRule } from './run-rule';

describe('POOL_ADDRESS_INVALID', () => {
  it.each([
    ['a bare IP', '192.168.1.240', 'a bare IP needs /32'],
    ['a reversed range', '1.2.3.10-1.2.3.1', 'is after the end IP'],
    ['a prefix of 33', '1.2.3.0/33', 'must be 0 to 32'],
    ['a leading space in CIDR form', ' 10.0.0.0/8', 'invalid CIDR'],
    ['a mixed-family range', '10.0.0.1-2001:db8::1', 'different IP families'],
    ['an octet above 255', '100.200.300.400/24', 'invalid CIDR'],
  ])('reports a pool with %s, naming the entry and why', (_case, entry, reason) => {
    const [finding, ...rest] = runRule(poolAddressInvalid, [ipAddressPool('lab', ['10.0.0.0/24', entry])]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'POOL_ADDRESS_INVALID',
      severity: 'critical',
      fix: null,
      resource: { kind: 'IPAddressPool', namespace: METALLB_NS, name: 'lab' },
      details: { entries: [{ entry, reason: expect.stringContaining(reason) as string }] },
    });
    expect(finding?.message).toContain(`IPAddressPool lab has an invalid address entry: "${entry}"`);
    expect(finding?.message).toContain('MetalLB rejects the whole configuration');
  });

  it('lists every bad entry of a pool in one finding', () => {
    const findings = runRule(poolAddressInvalid, [
      ipAddressPool('lab', ['10.0.0.1', '10.0.1.0/24', '2001:db8::/129']),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details['entries']).toEqual([
      { entry: '10.0.0.1', reason: expect.stringContaining('bare IP') as string },
      { entry: '2001:db8::/129', reason: expect.stringContaining('must be 0 to 128') as string },
    ]);
    expect(findings[0]?.message).toContain('has 2 invalid address entries');
  });

  it.each([
    ['CIDRs with host bits', ['10.20.30.40/24']],
    ['ranges with spaces', ['40.0.0.210 - 40.0.0.240', '40.0.0.250 - 40.0.0.250']],
    ['IPv6 in any spelling', ['FD00:10:0:0::ff/120', 'fc00:f853:0ccd:e799::0-fc00:f853:0ccd:e799::18']],
    ['overlapping entries (only POOL_OVERLAP reports them)', ['10.0.0.0/8', '10.0.0.0/16']],
    ['no entries (only POOL_EMPTY reports them)', []],
  ])('says nothing about %s', (_case, addresses) => {
    expect(runRule(poolAddressInvalid, [ipAddressPool('lab', addresses)])).toEqual([]);
  });

  it('ignores pools outside the MetalLB namespace', () => {
    expect(runRule(poolAddressInvalid, [ipAddressPool('lab', ['10.0.0.1'], {}, {}, 'default')])).toEqual([]);
  });

  it.each([
    [
      'a number in the list',
      { addresses: ['10.0.0.0/24', 42] },
      [{ entry: '42', reason: 'the entry is not a string' }],
    ],
    [
      'addresses as a string',
      { addresses: '10.0.0.0/24' },
      [{ entry: '"10.0.0.0/24"', reason: 'spec.addresses is not a list of strings' }],
    ],
    [
      'addresses as an object',
      { addresses: { a: 1 } },
      [{ entry: '{"a":1}', reason: 'spec.addresses is not a list of strings' }],
    ],
  ])('reports a malformed pool with %s without throwing', (_case, spec, entries) => {
    const pool = object('metallb.io/v1beta1', 'IPAddressPool', 'odd', METALLB_NS, { spec });
    const findings = runRule(poolAddressInvalid, [pool]);
    expect(findings.map((f) => f.details)).toEqual([{ entries }]);
  });

  it.each([
    ['no spec', {}],
    ['a spec that is a string', { spec: 'x' }],
    ['null addresses', { spec: { addresses: null } }],
  ])('says nothing about a pool with %s', (_case, rest) => {
    expect(
      runRule(poolAddressInvalid, [object('metallb.io/v1beta1', 'IPAddressPool', 'odd', METALLB_NS, rest)]),
    ).toEqual([]);
  });
});

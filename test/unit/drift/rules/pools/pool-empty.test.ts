import { poolEmpty } from '../../../../../src/drift/rules/pools/pool-empty';
import { ipAddressPool, object, METALLB_NS } from '../../../../support/builders';
import { resources, runRule } from './run-rule';

const pool = (rest: Record<string, unknown>) =>
  object('metallb.io/v1beta1', 'IPAddressPool', 'lab', METALLB_NS, rest);

describe('POOL_EMPTY', () => {
  it.each([
    ['an empty address list', pool({ spec: { addresses: [] } })],
    ['no addresses field', pool({ spec: { autoAssign: true } })],
    ['null addresses', pool({ spec: { addresses: null } })],
    ['no spec at all', pool({})],
    ['a spec that is not an object', pool({ spec: 'oops' })],
  ])('reports a pool with %s as critical', (_case, obj) => {
    const findings = runRule(poolEmpty, [obj]);
    expect(resources(findings)).toEqual([`IPAddressPool ${METALLB_NS}/lab`]);
    expect(findings[0]).toMatchObject({ code: 'POOL_EMPTY', severity: 'critical', fix: null });
    expect(findings[0]?.message).toBe(
      'IPAddressPool lab has no addresses: MetalLB rejects the configuration ("pool has no prefixes defined") and keeps running on the last valid one (add addresses or delete the pool)',
    );
  });

  it.each([
    ['valid addresses', ipAddressPool('lab', ['10.0.0.0/24'])],
    ['only invalid addresses (POOL_ADDRESS_INVALID reports them)', ipAddressPool('lab', ['10.0.0.1'])],
    [
      'addresses that are not a list (POOL_ADDRESS_INVALID reports them)',
      pool({ spec: { addresses: '10.0.0.0/24' } }),
    ],
    ['no addresses, outside the MetalLB namespace', ipAddressPool('lab', [], {}, {}, 'default')],
  ])('says nothing about a pool with %s', (_case, obj) => {
    expect(runRule(poolEmpty, [obj])).toEqual([]);
  });
});

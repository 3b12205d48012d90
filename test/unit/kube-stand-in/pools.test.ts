/** The simulation's pool parser against MetalLB's config rules (`internal/config`, its config_test cases). */
import type { KubeObject } from '../../../src/drift/model';
import { parsePools, type Pool } from '../../../tools/kube-stand-in/metallb/pools';
import { parseVersion, type Version } from '../../../tools/kube-stand-in/metallb/version';

const NS = 'metallb-system';

function v(text: string): Version {
  return parseVersion(text) as Version;
}

function pool(
  name: string,
  addresses: unknown,
  spec: Record<string, unknown> = {},
  kind = 'IPAddressPool',
  namespace = NS,
): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind,
    metadata: { name, namespace },
    spec: { addresses, ...spec },
  };
}

function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function names(objects: KubeObject[], version = '0.14.9', namespaces: KubeObject[] = []): string[] | string {
  const result = parsePools(objects, NS, v(version), namespaces);
  return result.ok ? result.pools.map((p) => `${p.kind}/${p.name}`) : result.error;
}

describe('which objects are pools', () => {
  it.each<[string, KubeObject[], string, string[] | string]>([
    [
      'IPAddressPools of the MetalLB namespace, by name',
      [pool('b', ['10.0.1.0/24']), pool('a', ['10.0.0.0/24'])],
      '0.14.9',
      ['IPAddressPool/a', 'IPAddressPool/b'],
    ],
    [
      'not those of other namespaces',
      [pool('a', ['10.0.0.0/24'], {}, 'IPAddressPool', 'default')],
      '0.14.9',
      [],
    ],
    [
      'AddressPools below 0.14.2',
      [pool('old', ['10.0.0.0/24'], {}, 'AddressPool')],
      '0.14.1',
      ['AddressPool/old'],
    ],
    [
      'AddressPools on 0.13.0',
      [pool('old', ['10.0.0.0/24'], {}, 'AddressPool')],
      '0.13.0',
      ['AddressPool/old'],
    ],
    ['no AddressPools from 0.14.2', [pool('old', ['10.0.0.0/24'], {}, 'AddressPool')], '0.14.2', []],
    [
      'an AddressPool and an IPAddressPool of one name refuse the config',
      [pool('x', ['10.0.0.0/24']), pool('x', ['10.0.1.0/24'], {}, 'AddressPool')],
      '0.13.12',
      'duplicate definition of pool "x"',
    ],
  ])('%s', (_, objects, version, expected) => {
    expect(names(objects, version)).toEqual(expected);
  });
});

describe('configs MetalLB refuses', () => {
  it.each<[string, KubeObject[], string]>([
    ['no addresses', [pool('a', [])], 'parsing address pool a: pool has no prefixes defined'],
    ['addresses missing', [pool('a', undefined)], 'parsing address pool a: pool has no prefixes defined'],
    [
      'a bare IP',
      [pool('a', ['10.0.0.1'])],
      'parsing address pool a: invalid CIDR "10.0.0.1" in pool "a": invalid CIDR "10.0.0.1"',
    ],
    [
      'overlapping pools',
      [pool('a', ['10.0.0.0/8']), pool('b', ['10.0.0.0/16'])],
      'CIDR "10.0.0.0/16" in pool "b" overlaps with already defined CIDR "10.0.0.0/8"',
    ],
    [
      'overlapping entries of one pool',
      [pool('a', ['1.1.1.1-1.1.1.100', '1.1.1.15-1.1.1.20'])],
      'CIDR "1.1.1.15-1.1.1.20" in pool "a" overlaps with already defined CIDR "1.1.1.1-1.1.1.100"',
    ],
    [
      'an IPv4-mapped entry overlapping an IPv4 one',
      [pool('a', ['10.0.0.0/24']), pool('b', ['::ffff:10.0.0.128/121'])],
      'CIDR "::ffff:10.0.0.128/121" in pool "b" overlaps with already defined CIDR "10.0.0.0/24"',
    ],
    [
      'duplicate namespaces',
      [pool('a', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['x', 'x'] } })],
      'parsing address pool a: duplicate definition in namespaces field',
    ],
    [
      'a selector with an unknown operator',
      [
        pool('a', ['10.0.0.0/24'], {
          serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Near' }] }] },
        }),
      ],
      'parsing address pool a: invalid service selector {"matchExpressions":[{"key":"k","operator":"Near"}]}',
    ],
    [
      'a selector expression with an empty key',
      [
        pool('a', ['10.0.0.0/24'], {
          serviceAllocation: {
            namespaceSelectors: [{ matchExpressions: [{ key: '', operator: 'Exists' }] }],
          },
        }),
      ],
      'parsing address pool a: invalid namespace selector {"matchExpressions":[{"key":"","operator":"Exists"}]}',
    ],
  ])('%s', (_, objects, error) => {
    expect(names(objects)).toBe(error);
  });

  it('accepts adjacent ranges and the same range in both families', () => {
    expect(
      names([pool('a', ['1.1.1.1-1.1.1.100']), pool('b', ['1.1.1.101-1.1.1.200', '2001:db8::/120'])]),
    ).toEqual(['IPAddressPool/a', 'IPAddressPool/b']);
  });
});

describe('pool settings', () => {
  function only(spec: Record<string, unknown>, namespaces: KubeObject[] = []): Pool {
    const result = parsePools([pool('p', ['10.0.0.0/24'], spec)], NS, v('0.15.0'), namespaces);
    if (!result.ok) throw new Error(result.error);
    return result.pools[0] as Pool;
  }

  it('defaults to autoAssign true and avoidBuggyIPs false, with no serviceAllocation', () => {
    expect(only({})).toMatchObject({ autoAssign: true, avoidBuggyIps: false });
    expect(only({}).allocation).toBeUndefined();
    expect(only({ autoAssign: false, avoidBuggyIPs: true })).toMatchObject({
      autoAssign: false,
      avoidBuggyIps: true,
    });
  });

  const namespaces = [
    namespace('shop', { team: 'web' }),
    namespace('blog', { team: 'web' }),
    namespace('ops', { team: 'infra' }),
  ];

  it.each<[string, Record<string, unknown>, string[]]>([
    ['namespaces alone', { namespaces: ['ops'] }, ['ops']],
    [
      'namespaceSelectors alone',
      { namespaceSelectors: [{ matchLabels: { team: 'web' } }] },
      ['blog', 'shop'],
    ],
    [
      'the union of namespaces and namespaceSelectors',
      { namespaces: ['ops'], namespaceSelectors: [{ matchLabels: { team: 'web' } }] },
      ['blog', 'ops', 'shop'],
    ],
    [
      'selectors matching no namespace leave the set empty',
      { namespaceSelectors: [{ matchLabels: { team: 'none' } }] },
      [],
    ],
    [
      'matchExpressions',
      { namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['web'] }] }] },
      ['ops'],
    ],
  ])('serviceAllocation namespace set: %s', (_, serviceAllocation, expected) => {
    expect([...(only({ serviceAllocation }, namespaces).allocation?.namespaces ?? [])].sort()).toEqual(
      expected,
    );
  });

  it('reads priority, 0 when unset', () => {
    expect(only({ serviceAllocation: { priority: 5 } }).allocation?.priority).toBe(5);
    expect(only({ serviceAllocation: { namespaces: ['a'] } }).allocation?.priority).toBe(0);
  });
});

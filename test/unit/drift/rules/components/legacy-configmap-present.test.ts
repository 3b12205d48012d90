import { legacyConfigmapPresent } from '../../../../../src/drift/rules/components/legacy-configmap-present';
import type { KubeObject } from '../../../../../src/drift/model';
import { controllerDeployment, fixture, ipAddressPool, object } from '../../../../support/builders';
import { findingsOf } from './helpers';

const NS = 'metallb-system';
const configMap = (data: unknown, namespace = NS, name = 'config'): KubeObject =>
  object('v1', 'ConfigMap', name, namespace, { data });

describe('LEGACY_CONFIGMAP_PRESENT', () => {
  it('reports the leftover config ConfigMap and which of its pools differ from the IPAddressPools', () => {
    const objects = [
      controllerDeployment({ version: '0.14.9' }),
      ...fixture('configmap.legacy-config.yaml'),
      ipAddressPool('default', ['10.0.10.0/24']),
      // The migration tool lowercases names and turns `_` into `-`; the range equals the CIDR.
      ipAddressPool('edge-pool', ['10.0.30.0/24'], { autoAssign: true }),
    ];
    const [finding, ...rest] = findingsOf(legacyConfigmapPresent, objects);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'LEGACY_CONFIGMAP_PRESENT',
      severity: 'warning',
      fix: null,
      resource: { kind: 'ConfigMap', namespace: NS, name: 'config' },
    });
    expect(finding?.details).toEqual({
      pools: [
        { name: 'default', addresses: ['10.0.10.0/24'], ipAddressPool: 'default', differences: [] },
        {
          name: 'Edge_Pool',
          addresses: ['10.0.30.0-10.0.30.255'],
          ipAddressPool: 'edge-pool',
          differences: ['autoAssign'],
        },
        { name: 'retired', addresses: ['192.168.5.0/28'], ipAddressPool: null, differences: ['missing'] },
      ],
      differ: ['Edge_Pool', 'retired'],
    });
    expect(finding?.message).toBe(
      `ConfigMap ${NS}/config holds a pre-0.13 MetalLB config with 3 address pools (Edge_Pool, retired differ ` +
        'from the IPAddressPools); MetalLB ignores it since 0.13, so move what is still needed to IPAddressPools ' +
        'and delete it.',
    );
  });

  it('reports different addresses and avoid-buggy-ips', () => {
    const config = 'address-pools:\n- name: a\n  addresses: [10.0.0.0/24]\n  avoid-buggy-ips: true\n';
    const [finding] = findingsOf(legacyConfigmapPresent, [
      configMap({ config }, NS, 'metallb'),
      ipAddressPool('a', ['10.0.0.0/25']),
    ]);
    expect(finding?.details.pools).toEqual([
      {
        name: 'a',
        addresses: ['10.0.0.0/24'],
        ipAddressPool: 'a',
        differences: ['addresses', 'avoidBuggyIPs'],
      },
    ]);
    expect(finding?.message).toContain('with 1 address pool (a differs from the IPAddressPools)');
  });

  it('says so when every pool was migrated', () => {
    const config = 'address-pools:\n- name: a\n  protocol: layer2\n  addresses:\n  - 10.0.0.0/24\n';
    const [finding] = findingsOf(legacyConfigmapPresent, [
      configMap({ config }),
      ipAddressPool('a', ['10.0.0.0/24']),
    ]);
    expect(finding?.details.differ).toEqual([]);
    expect(finding?.message).toContain('(every one of its pools matches an IPAddressPool)');
  });

  it('still recognises a config whose YAML does not parse, says why, and claims no comparison', () => {
    const config = 'address-pools:\n- name: a\n  addresses: [10.0.0.0/24\n';
    const [finding] = findingsOf(legacyConfigmapPresent, [configMap({ config })]);
    expect(Object.keys(finding?.details ?? {})).toEqual(['parseError']);
    const parseError = finding?.details.parseError as string;
    expect(parseError).toMatch(/flow sequence|Missing ,|Unexpected|Expected/i);
    expect(finding?.message).toContain(`embedded YAML could not be read (${parseError})`);
    expect(finding?.message).toContain('so it was not compared with the IPAddressPools');
    expect(finding?.message).not.toMatch(/\d+ address pools?|matches an IPAddressPool|differ/);
  });

  it.each([
    ['a ConfigMap without a config key', configMap({ other: 'address-pools: []' })],
    ['a config without address-pools', configMap({ config: 'peers: []\n' })],
    ['a config that is not YAML of a map', configMap({ config: '- just\n- a list\n' })],
    ['data that is not a map', configMap('config')],
    ['a config key that is not a string', configMap({ config: { 'address-pools': [] } })],
    ['a ConfigMap outside the MetalLB namespace', configMap({ config: 'address-pools: []' }, 'default')],
    ['address-pools that are not a list', configMap({ config: 'address-pools: yes' })],
  ])('says nothing for %s', (_title, cm) => {
    expect(findingsOf(legacyConfigmapPresent, [cm])).toEqual([]);
  });

  it('says nothing on a known version below 0.13, where the ConfigMap is the configuration', () => {
    const objects = [controllerDeployment({ version: '0.12.1' }), ...fixture('configmap.legacy-config.yaml')];
    expect(findingsOf(legacyConfigmapPresent, objects)).toEqual([]);
  });

  it('never throws on malformed pool entries', () => {
    const config = 'address-pools:\n- 7\n- null\n- name: [x]\n  addresses: nope\n  auto-assign: maybe\n';
    const [finding] = findingsOf(legacyConfigmapPresent, [configMap({ config })]);
    expect(finding?.details.differ).toEqual(['#1', '#2', '#3']);
  });
});

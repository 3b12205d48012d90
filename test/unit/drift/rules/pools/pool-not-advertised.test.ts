import { poolNotAdvertised } from '../../../../../src/drift/rules/pools/pool-not-advertised';
import type { KubeObject } from '../../../../../src/drift/model';
import {
  bgpAdvertisement,
  ingressStatus,
  ipAddressPool,
  l2Advertisement,
  METALLB_NS,
  service,
} from '../../../../support/builders';
import { resources, runRule } from './run-rule';

const prod = ipAddressPool('prod', ['10.0.0.0/24'], {}, { labels: { env: 'prod' } });
const lab = ipAddressPool('lab', ['10.0.1.0/24'], {}, { labels: { env: 'lab' } });

/** The names of the pools reported as not advertised. */
const unadvertised = (objects: KubeObject[]): string[] =>
  runRule(poolNotAdvertised, [prod, lab, ...objects]).map((f) => f.resource.name);

describe('POOL_NOT_ADVERTISED', () => {
  it.each([
    ['no advertisement at all', [], ['prod', 'lab']],
    ['an L2Advertisement naming one pool', [l2Advertisement('l2', { ipAddressPools: ['prod'] })], ['lab']],
    ['a BGPAdvertisement naming one pool', [bgpAdvertisement('bgp', { ipAddressPools: ['lab'] })], ['prod']],
    ['an advertisement with both fields empty (selects every pool)', [l2Advertisement('all')], []],
    [
      'an advertisement with both fields as empty lists',
      [l2Advertisement('all', { ipAddressPools: [], ipAddressPoolSelectors: [] })],
      [],
    ],
    [
      'an advertisement with an empty selector (matches every pool)',
      [l2Advertisement('all', { ipAddressPoolSelectors: [{}] })],
      [],
    ],
    [
      'a selector by label',
      [l2Advertisement('l2', { ipAddressPoolSelectors: [{ matchLabels: { env: 'prod' } }] })],
      ['lab'],
    ],
    [
      'a selector by expression',
      [
        bgpAdvertisement('bgp', {
          ipAddressPoolSelectors: [
            { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
          ],
        }),
      ],
      ['prod'],
    ],
    [
      'a name that does not exist (selects nothing, not every pool)',
      [l2Advertisement('l2', { ipAddressPools: ['gone'] })],
      ['prod', 'lab'],
    ],
    [
      'a selector matching nothing (selects nothing, not every pool)',
      [l2Advertisement('l2', { ipAddressPoolSelectors: [{ matchLabels: { env: 'qa' } }] })],
      ['prod', 'lab'],
    ],
    [
      'an advertisement outside the MetalLB namespace',
      [l2Advertisement('elsewhere', {}, {}, 'default')],
      ['prod', 'lab'],
    ],
    [
      'a malformed ipAddressPools (a string, not every pool)',
      [l2Advertisement('l2', { ipAddressPools: 'prod' })],
      ['prod', 'lab'],
    ],
    [
      'malformed selectors (an object, not every pool)',
      [l2Advertisement('l2', { ipAddressPoolSelectors: { matchLabels: { env: 'prod' } } })],
      ['prod', 'lab'],
    ],
    [
      'an advertisement without spec (selects every pool)',
      [
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'L2Advertisement',
          metadata: { name: 'bare', namespace: METALLB_NS },
        },
      ],
      [],
    ],
  ])('with %s reports %p', (_case, objects, expected) => {
    expect(unadvertised(objects)).toEqual(expected);
  });

  it('warns about a pool nobody holds an IP from', () => {
    const [finding] = runRule(poolNotAdvertised, [lab]);
    expect(finding).toMatchObject({
      code: 'POOL_NOT_ADVERTISED',
      severity: 'warning',
      fix: null,
      resource: { kind: 'IPAddressPool', namespace: METALLB_NS, name: 'lab' },
      details: { ips: [], services: [] },
    });
    expect(finding?.message).toBe(
      'IPAddressPool lab has no L2Advertisement or BGPAdvertisement: its IPs are assigned but never announced (add an advertisement that selects it)',
    );
  });

  it('is critical when a handled service holds an IP from the pool, naming the service and IP', () => {
    const findings = runRule(poolNotAdvertised, [
      lab,
      service('shop', 'web', { type: 'LoadBalancer' }, ingressStatus('10.0.1.7')),
      service('shop', 'other', { type: 'LoadBalancer' }, ingressStatus('10.9.9.9')),
    ]);
    expect(resources(findings)).toEqual([`IPAddressPool ${METALLB_NS}/lab`]);
    expect(findings[0]).toMatchObject({
      severity: 'critical',
      details: { ips: ['10.0.1.7'], services: ['shop/web'] },
    });
    expect(findings[0]?.message).toBe(
      'IPAddressPool lab has no L2Advertisement or BGPAdvertisement: its IPs are assigned but never announced, so shop/web is unreachable on 10.0.1.7 (add an advertisement that selects it)',
    );
  });

  it('stays a warning when only a service MetalLB does not handle holds an IP from it', () => {
    const findings = runRule(poolNotAdvertised, [
      lab,
      service('shop', 'web', { type: 'LoadBalancer', loadBalancerClass: 'other' }, ingressStatus('10.0.1.7')),
    ]);
    expect(findings[0]?.severity).toBe('warning');
  });
});

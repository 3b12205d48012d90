import { advertisementNodesMatchNothing } from '../../../../../src/drift/rules/pools/advertisement-nodes-match-nothing';
import { advertisementPeerMissing } from '../../../../../src/drift/rules/pools/advertisement-peer-missing';
import { advertisementPoolMissing } from '../../../../../src/drift/rules/pools/advertisement-pool-missing';
import { advertisementSelectorMatchesNothing } from '../../../../../src/drift/rules/pools/advertisement-selector-matches-nothing';
import type { KubeObject } from '../../../../../src/drift/model';
import {
  bgpAdvertisement,
  bgpPeer,
  ipAddressPool,
  l2Advertisement,
  METALLB_NS,
  node,
  object,
} from '../../../../support/builders';
import { resources, runRule } from './run-rule';

const pools = [
  ipAddressPool('prod', ['10.0.0.0/24'], {}, { labels: { env: 'prod' } }),
  ipAddressPool('lab', ['10.0.1.0/24'], {}, { labels: { env: 'lab' } }),
];
const bare = (kind: string, rest: Record<string, unknown>): KubeObject =>
  object('metallb.io/v1beta1', kind, 'odd', METALLB_NS, rest);

describe('ADVERTISEMENT_POOL_MISSING', () => {
  it.each([
    [l2Advertisement('l2', { ipAddressPools: ['prod', 'gone'] }), ['gone']],
    [bgpAdvertisement('bgp', { ipAddressPools: ['gone', 'lost', 'gone'] }), ['gone', 'lost']],
  ])('reports the missing names of %#, in one finding', (adv, missing) => {
    const findings = runRule(advertisementPoolMissing, [...pools, adv]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: 'ADVERTISEMENT_POOL_MISSING',
      severity: 'warning',
      resource: { kind: adv.kind, namespace: METALLB_NS },
      details: { missing },
    });
  });

  it('says what MetalLB does in the message', () => {
    const [finding] = runRule(advertisementPoolMissing, [
      ...pools,
      l2Advertisement('l2', { ipAddressPools: ['gone'] }),
    ]);
    expect(finding?.message).toBe(
      'L2Advertisement l2 names IPAddressPool gone, which does not exist in metallb-system: MetalLB silently skips it (fix the name in spec.ipAddressPools or create the pool)',
    );
  });

  it.each([
    ['names that all exist', l2Advertisement('l2', { ipAddressPools: ['prod', 'lab'] })],
    ['no names', l2Advertisement('l2')],
    [
      'an advertisement outside the MetalLB namespace',
      l2Advertisement('l2', { ipAddressPools: ['gone'] }, {}, 'default'),
    ],
    ['no spec', bare('L2Advertisement', {})],
    ['ipAddressPools as a string', bare('L2Advertisement', { spec: { ipAddressPools: 'gone' } })],
    [
      'ipAddressPools with non-string items',
      bare('BGPAdvertisement', { spec: { ipAddressPools: [1, null] } }),
    ],
  ])('says nothing about %s', (_case, adv) => {
    expect(runRule(advertisementPoolMissing, [...pools, adv])).toEqual([]);
  });

  it('counts a pool outside the MetalLB namespace as missing', () => {
    const findings = runRule(advertisementPoolMissing, [
      ipAddressPool('elsewhere', ['10.0.0.0/24'], {}, {}, 'default'),
      l2Advertisement('l2', { ipAddressPools: ['elsewhere'] }),
    ]);
    expect(findings[0]?.details).toEqual({ missing: ['elsewhere'] });
  });
});

describe('ADVERTISEMENT_SELECTOR_MATCHES_NOTHING', () => {
  it.each([
    [
      'a selector matching no pool',
      l2Advertisement('a', { ipAddressPoolSelectors: [{ matchLabels: { env: 'qa' } }] }),
      true,
    ],
    [
      'a selector matching no pool and only missing names',
      bgpAdvertisement('a', {
        ipAddressPools: ['gone'],
        ipAddressPoolSelectors: [{ matchLabels: { env: 'qa' } }],
      }),
      true,
    ],
    [
      'a selector matching no pool next to an existing name',
      l2Advertisement('a', {
        ipAddressPools: ['lab'],
        ipAddressPoolSelectors: [{ matchLabels: { env: 'qa' } }],
      }),
      false,
    ],
    [
      'a selector matching a pool',
      l2Advertisement('a', { ipAddressPoolSelectors: [{ matchLabels: { env: 'lab' } }] }),
      false,
    ],
    [
      'one of two selectors matching',
      l2Advertisement('a', {
        ipAddressPoolSelectors: [{ matchLabels: { env: 'qa' } }, { matchLabels: { env: 'lab' } }],
      }),
      false,
    ],
    ['no selectors (names only)', l2Advertisement('a', { ipAddressPools: ['gone'] }), false],
    ['empty selectors', l2Advertisement('a', { ipAddressPoolSelectors: [] }), false],
    [
      'malformed selectors (an object)',
      l2Advertisement('a', { ipAddressPoolSelectors: { matchLabels: { env: 'lab' } } }),
      true,
    ],
    ['a malformed selector item', l2Advertisement('a', { ipAddressPoolSelectors: ['env=lab'] }), true],
    [
      'an advertisement outside the MetalLB namespace',
      l2Advertisement('a', { ipAddressPoolSelectors: [{ matchLabels: { env: 'qa' } }] }, {}, 'default'),
      false,
    ],
    ['no spec', bare('BGPAdvertisement', {})],
  ])('with %s reports: %p', (_case, adv, expected = false) => {
    const findings = runRule(advertisementSelectorMatchesNothing, [...pools, adv]);
    expect(resources(findings)).toEqual(expected ? [`${adv.kind} ${METALLB_NS}/${adv.metadata?.name}`] : []);
  });

  it('explains that the advertisement announces nothing', () => {
    const [finding] = runRule(advertisementSelectorMatchesNothing, [
      ...pools,
      l2Advertisement('l2', { ipAddressPoolSelectors: [{ matchLabels: { env: 'qa' } }] }),
    ]);
    expect(finding).toMatchObject({
      severity: 'warning',
      details: { selectors: [{ matchLabels: { env: 'qa' } }], pools: [] },
    });
    expect(finding?.message).toBe(
      'L2Advertisement l2 selects no IPAddressPool: its ipAddressPoolSelectors [{"matchLabels":{"env":"qa"}}] match none of the 2 pools in metallb-system and it names no existing pool, so MetalLB announces nothing through it (fix the selectors or the pool labels)',
    );
  });
});

describe('ADVERTISEMENT_PEER_MISSING', () => {
  const peers = [bgpPeer('tor-a'), bgpPeer('tor-b'), bgpPeer('elsewhere', {}, 'default')];

  it.each([
    ['a name that exists', ['tor-a'], undefined],
    ['no peers (all peers)', [], undefined],
    ['a missing name', ['tor-a', 'tor-c'], ['tor-c']],
    ['a peer outside the MetalLB namespace', ['elsewhere'], ['elsewhere']],
    ['duplicated missing names', ['x', 'x', 'y'], ['x', 'y']],
  ])('with %s reports %p', (_case, names, missing) => {
    const findings = runRule(advertisementPeerMissing, [...peers, bgpAdvertisement('bgp', { peers: names })]);
    expect(findings.map((f) => f.details)).toEqual(missing ? [{ missing }] : []);
  });

  it('names the peer and what MetalLB does', () => {
    const [finding] = runRule(advertisementPeerMissing, [bgpAdvertisement('bgp', { peers: ['tor-c'] })]);
    expect(finding).toMatchObject({
      severity: 'warning',
      resource: { kind: 'BGPAdvertisement', namespace: METALLB_NS, name: 'bgp' },
    });
    expect(finding?.message).toBe(
      'BGPAdvertisement bgp names BGPPeer tor-c, which does not exist in metallb-system: MetalLB announces its pools to no such peer (fix the name in spec.peers or create the BGPPeer)',
    );
  });

  it.each([
    ['peers on an L2Advertisement (not a field of it)', l2Advertisement('l2', { peers: ['tor-c'] })],
    ['peers as a string', bare('BGPAdvertisement', { spec: { peers: 'tor-c' } })],
    ['no spec', bare('BGPAdvertisement', {})],
  ])('says nothing about %s', (_case, adv) => {
    expect(runRule(advertisementPeerMissing, [...peers, adv])).toEqual([]);
  });
});

describe('ADVERTISEMENT_NODES_MATCH_NOTHING', () => {
  const nodes = [node('worker-1', { zone: 'a' }), node('worker-2', { zone: 'b' })];

  it.each([
    ['a selector matching no node', [{ matchLabels: { zone: 'c' } }], true],
    ['a selector matching a node', [{ matchLabels: { zone: 'b' } }], false],
    [
      'one of two selectors matching',
      [
        { matchLabels: { zone: 'c' } },
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
      ],
      false,
    ],
    ['no selectors (all nodes)', [], false],
    ['an empty selector (all nodes)', [{}], false],
    ['a malformed selector', [{ matchLabels: 'zone=a' }], true],
    ['selectors as an object', { matchLabels: { zone: 'a' } }, true],
  ])('with %s reports: %p', (_case, nodeSelectors, expected) => {
    const findings = runRule(advertisementNodesMatchNothing, [
      ...nodes,
      l2Advertisement('l2', { nodeSelectors }),
    ]);
    expect(resources(findings)).toEqual(expected ? [`L2Advertisement ${METALLB_NS}/l2`] : []);
  });

  it('reports a BGPAdvertisement too, with the selectors and node count', () => {
    const [finding] = runRule(advertisementNodesMatchNothing, [
      ...nodes,
      bgpAdvertisement('bgp', { nodeSelectors: [{ matchLabels: { zone: 'c' } }] }),
    ]);
    expect(finding).toMatchObject({
      code: 'ADVERTISEMENT_NODES_MATCH_NOTHING',
      severity: 'warning',
      details: { selectors: [{ matchLabels: { zone: 'c' } }], nodeCount: 2 },
    });
    expect(finding?.message).toBe(
      'BGPAdvertisement bgp has nodeSelectors [{"matchLabels":{"zone":"c"}}] that match none of the 2 Nodes: MetalLB announces its pools from no node (fix the selectors or the node labels)',
    );
  });

  it('says nothing when the snapshot has no Nodes', () => {
    expect(
      runRule(advertisementNodesMatchNothing, [
        l2Advertisement('l2', { nodeSelectors: [{ matchLabels: { zone: 'c' } }] }),
      ]),
    ).toEqual([]);
  });

  it('ignores advertisements outside the MetalLB namespace', () => {
    const adv = l2Advertisement('l2', { nodeSelectors: [{ matchLabels: { zone: 'c' } }] }, {}, 'default');
    expect(runRule(advertisementNodesMatchNothing, [...nodes, adv])).toEqual([]);
  });
});

import { CATALOGUE, FINDING_CODES } from '../../../../../src/drift/catalogue';
import { analyze } from '../../../../../src/drift/analyze';
import type { KubeObject } from '../../../../../src/drift/model';
import { poolsRules } from '../../../../../src/drift/rules/pools';
import {
  bgpAdvertisement,
  bgpPeer,
  ingressStatus,
  ipAddressPool,
  l2Advertisement,
  METALLB_NS,
  node,
  NOW,
  object,
  service,
  snapshotOf,
} from '../../../../support/builders';

const POOL_AND_ADVERTISEMENT_CODES = FINDING_CODES.filter(
  (code) => code.startsWith('POOL_') || code.startsWith('ADVERTISEMENT_') || code.startsWith('BGPPEER_'),
);

/** Objects of every kind these rules read, each broken in a way a hand-written dump can be. */
const malformed: KubeObject[] = [
  { kind: 'IPAddressPool' },
  { kind: 'IPAddressPool', metadata: { name: 'x', namespace: METALLB_NS }, spec: null },
  object('metallb.io/v1beta1', 'IPAddressPool', 'a', METALLB_NS, { spec: 'addresses' }),
  object('metallb.io/v1beta1', 'IPAddressPool', 'b', METALLB_NS, {
    spec: { addresses: [null, {}, 7, ['x']] },
  }),
  object('metallb.io/v1beta1', 'IPAddressPool', 'c', METALLB_NS, {
    spec: { addresses: ['10.0.0.0/24'], avoidBuggyIPs: 'yes', autoAssign: 3, serviceAllocation: [] },
  }),
  object('metallb.io/v1beta1', 'IPAddressPool', 'd', METALLB_NS, { metadata: 'oops' }),
  object('metallb.io/v1beta1', 'L2Advertisement', 'l', METALLB_NS, {
    spec: { ipAddressPools: {}, ipAddressPoolSelectors: 'env=prod', nodeSelectors: 7 },
  }),
  object('metallb.io/v1beta1', 'BGPAdvertisement', 'g', METALLB_NS, {
    spec: {
      peers: { a: 1 },
      ipAddressPoolSelectors: [null, 'x', { matchExpressions: 'x' }],
      nodeSelectors: [null],
    },
  }),
  object('metallb.io/v1beta2', 'BGPPeer', 'p', METALLB_NS, { spec: { bfdProfile: ['x'] } }),
  object('metallb.io/v1beta1', 'BFDProfile', 'f', METALLB_NS, { spec: 'x' }),
  service(
    'shop',
    'odd',
    { type: 'LoadBalancer', loadBalancerIP: 5 },
    { loadBalancer: { ingress: [{ ip: 7 }, 'x'] } },
  ),
  service('shop', 'odder', { type: 'LoadBalancer' }, { loadBalancer: 'x' }, { annotations: 'x' }),
  // A dump can carry labels of the wrong type even though ObjectMeta says otherwise.
  object('v1', 'Node', 'n', null, {}, { labels: 'x' }),
];

describe('poolsRules', () => {
  it('registers one rule per pool and advertisement code, in catalogue order', () => {
    expect(poolsRules.flatMap((rule) => rule.codes)).toEqual(POOL_AND_ADVERTISEMENT_CODES);
    expect(POOL_AND_ADVERTISEMENT_CODES).toHaveLength(12);
  });

  it.each(poolsRules.map((rule) => [rule.name, rule] as const))(
    '%s does not throw on malformed objects',
    (_name, rule) => {
      expect(() => analyze(snapshotOf(malformed), { now: NOW }, [rule])).not.toThrow();
      const report = analyze(snapshotOf(malformed), { now: NOW }, [rule]);
      expect(report.notes).toEqual([]);
      for (const finding of report.findings) expect(rule.codes).toContain(finding.code);
    },
  );

  it('reports a drifted pool and advertisement set through analyze, with catalogue severities and fixes', () => {
    const report = analyze(
      snapshotOf([
        ipAddressPool('prod', ['10.0.0.1-10.0.0.2'], {}, { labels: { env: 'prod' } }),
        ipAddressPool('lab', ['10.0.0.0/30', '192.168.1.240']),
        l2Advertisement('l2', {
          ipAddressPoolSelectors: [{ matchLabels: { env: 'prod' } }],
          nodeSelectors: [{ matchLabels: { rack: 'r9' } }],
        }),
        bgpAdvertisement('bgp', { ipAddressPools: ['gone'], peers: ['tor'] }),
        bgpPeer('tor', { bfdProfile: 'missing' }),
        node('worker-1', { rack: 'r1' }),
        service('shop', 'a', { type: 'LoadBalancer' }, ingressStatus('10.0.0.1')),
        service('shop', 'b', { type: 'LoadBalancer' }, ingressStatus('10.0.0.2')),
      ]),
      { now: NOW },
      poolsRules,
    );
    expect(
      report.findings.map((f) => `${f.severity} ${f.code} ${f.resource.kind}/${f.resource.name}`),
    ).toEqual([
      'critical BGPPEER_BFD_PROFILE_MISSING BGPPeer/tor',
      'critical POOL_ADDRESS_INVALID IPAddressPool/lab',
      'critical POOL_NOT_ADVERTISED IPAddressPool/lab',
      'critical POOL_OVERLAP IPAddressPool/lab',
      'critical POOL_OVERLAP IPAddressPool/prod',
      'warning ADVERTISEMENT_NODES_MATCH_NOTHING L2Advertisement/l2',
      'warning ADVERTISEMENT_POOL_MISSING BGPAdvertisement/bgp',
      'warning POOL_EXHAUSTED IPAddressPool/prod',
    ]);
    for (const finding of report.findings) {
      expect(finding.fix).toBe(CATALOGUE[finding.code as keyof typeof CATALOGUE].fix);
      expect(JSON.parse(JSON.stringify(finding))).toEqual(finding);
    }
  });
});

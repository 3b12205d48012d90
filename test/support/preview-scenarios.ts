/**
 * The preview's cases, written from MetalLB's behaviour (research in docs/preview.md): one small cluster and the
 * proposals of issue 13, each with what MetalLB does on a current version. The unit table and the CLI tests
 * (against the Kubernetes API stand-in and from a dump) share them.
 *
 * The cluster: pool `web` 10.0.0.0/24 (open), `lab` 10.0.1.0/28 (autoAssign false), `team` 10.0.3.0/24 (priority
 * 5, namespaces shop and batch); one L2Advertisement naming all three; services shop/web 10.0.0.0,
 * shop/api 10.0.0.1, shop/cart 10.0.0.200, lab/test 10.0.1.3 (asks for pool lab), batch/job 10.0.3.5, and
 * shop/pending, pending on pool `gone` which does not exist.
 */
import type { KubeObject } from '../../src/drift/model';
import {
  controllerDeployment,
  ingressStatus,
  ipAddressPool,
  l2Advertisement,
  service,
  speakerDaemonSet,
} from './builders';

const POOL_ANNOTATION = 'metallb.universe.tf/address-pool';

function lb(
  namespace: string,
  name: string,
  ip: string | null,
  annotations: Record<string, string> = {},
): KubeObject {
  return service(namespace, name, { type: 'LoadBalancer' }, ip === null ? {} : ingressStatus(ip), {
    annotations,
  });
}

export function webPool(spec: Record<string, unknown> = {}, addresses = ['10.0.0.0/24']): KubeObject {
  return ipAddressPool('web', addresses, spec, { labels: { tier: 'public' } });
}

export function labPool(): KubeObject {
  return ipAddressPool('lab', ['10.0.1.0/28'], { autoAssign: false }, { labels: { tier: 'lab' } });
}

export function teamPool(namespaces = ['shop', 'batch']): KubeObject {
  return ipAddressPool(
    'team',
    ['10.0.3.0/24'],
    { serviceAllocation: { priority: 5, namespaces } },
    {
      labels: { tier: 'public' },
    },
  );
}

export function l2(spec: Record<string, unknown> = { ipAddressPools: ['web', 'lab', 'team'] }): KubeObject {
  return l2Advertisement('l2', spec);
}

/** The MetalLB config objects of the cluster, as a GitOps directory would hold them. */
export function baseConfig(): KubeObject[] {
  return [webPool(), labPool(), teamPool(), l2()];
}

export function baseCluster(version: string): KubeObject[] {
  return [
    controllerDeployment({ version }),
    speakerDaemonSet(),
    ...baseConfig(),
    lb('shop', 'web', '10.0.0.0'),
    lb('shop', 'api', '10.0.0.1'),
    lb('shop', 'cart', '10.0.0.200'),
    lb('lab', 'test', '10.0.1.3', { [POOL_ANNOTATION]: 'lab' }),
    lb('batch', 'job', '10.0.3.5'),
    lb('shop', 'pending', null, { [POOL_ANNOTATION]: 'gone' }),
  ];
}

export interface ExpectedImpact {
  kind: string;
  service: string;
  pools: string[];
  ip: string | null;
}

export interface PreviewCase {
  name: string;
  proposal: () => KubeObject[];
  prune: boolean;
  /** What MetalLB from 0.14.2 does (0.14.8 and 0.15.3 alike). */
  verdict: 'accepted' | 'rejected' | 'no-change';
  impacts: ExpectedImpact[];
  rejectedBy?: string[];
  unadvertised?: string[];
  advertisements?: { name: string; starts: string[]; stops: string[] }[];
  exit: 0 | 1;
}

/** shop/pending asks for pool `gone`: every accepted change that does not create it leaves it pending. */
const STILL_PENDING: ExpectedImpact = { kind: 'stays-pending', service: 'shop/pending', pools: [], ip: null };

export const PREVIEW_CASES: PreviewCase[] = [
  {
    name: 'a CIDR narrowed',
    proposal: () => [webPool({}, ['10.0.0.0/25'])],
    prune: false,
    verdict: 'accepted',
    // shop/cart's 10.0.0.200 leaves web; team (priority 5, admits shop) comes before the open pools, and it is
    // the only service going there, so its first free address is certain.
    impacts: [{ kind: 'moves', service: 'shop/cart', pools: ['team'], ip: '10.0.3.0' }, STILL_PENDING],
    exit: 1,
  },
  {
    name: 'a pool deleted without --prune',
    proposal: () => [webPool(), teamPool(), l2()],
    prune: false,
    verdict: 'no-change',
    impacts: [],
    exit: 0,
  },
  {
    name: 'a pool deleted with --prune',
    proposal: () => [webPool(), teamPool(), l2()],
    prune: true,
    verdict: 'accepted',
    // lab/test asks for pool lab, which is gone: it loses 10.0.1.3 and gets nothing.
    impacts: [{ kind: 'loses', service: 'lab/test', pools: [], ip: null }, STILL_PENDING],
    advertisements: [{ name: 'l2', starts: [], stops: ['lab'] }],
    exit: 1,
  },
  {
    name: 'an overlapping pool added',
    proposal: () => [ipAddressPool('extra', ['10.0.0.128/25'])],
    prune: false,
    verdict: 'rejected',
    impacts: [],
    rejectedBy: ['IPAddressPool/extra'],
    exit: 1,
  },
  {
    name: 'avoidBuggyIPs turned on',
    proposal: () => [webPool({ avoidBuggyIPs: true })],
    prune: false,
    verdict: 'accepted',
    impacts: [STILL_PENDING, { kind: 'moves', service: 'shop/web', pools: ['team'], ip: '10.0.3.0' }],
    exit: 1,
  },
  {
    name: 'serviceAllocation tightened',
    proposal: () => [teamPool(['shop'])],
    prune: false,
    verdict: 'accepted',
    // batch/job is no longer admitted by team; web is the only open auto-assign pool: 10.0.0.0 and .1 are held.
    impacts: [{ kind: 'moves', service: 'batch/job', pools: ['web'], ip: '10.0.0.2' }, STILL_PENDING],
    exit: 1,
  },
  {
    name: "an advertisement's selector changed",
    proposal: () => [l2({ ipAddressPoolSelectors: [{ matchLabels: { tier: 'public' } }] })],
    prune: false,
    verdict: 'accepted',
    impacts: [STILL_PENDING],
    unadvertised: ['lab'],
    advertisements: [{ name: 'l2', starts: [], stops: ['lab'] }],
    exit: 1,
  },
  {
    name: 'the missing pool created',
    proposal: () => [
      ipAddressPool('gone', ['10.0.4.0/30'], { autoAssign: false }),
      l2({ ipAddressPools: ['web', 'lab', 'team', 'gone'] }),
    ],
    prune: false,
    verdict: 'accepted',
    // Good news only (info): exit 0 under the default --fail-on warning.
    impacts: [{ kind: 'gets-ip', service: 'shop/pending', pools: ['gone'], ip: '10.0.4.0' }],
    advertisements: [{ name: 'l2', starts: ['gone'], stops: [] }],
    exit: 0,
  },
];

/** Below 0.14.2 the controller refuses a config that strands an assigned IP: the CIDR narrowed, on 0.13.12. */
export const STRANDING_CASE: PreviewCase = {
  name: 'a CIDR narrowed on 0.13.12',
  proposal: () => [webPool({}, ['10.0.0.0/25'])],
  prune: false,
  verdict: 'rejected',
  impacts: [],
  rejectedBy: ['Service/shop/cart'],
  exit: 1,
};

/**
 * Deterministic synthetic clusters for the benchmarks (and any test or bench that needs a large, realistic
 * snapshot). The same options and seed always give the same objects, byte for byte.
 *
 * Shape of a cluster of N handled services over R pool ranges:
 * - pools in `metallb-system`, 10 ranges each, cycling through IPv4 CIDRs, IPv4 `a-b` ranges (some with spaces
 *   around the dash), IPv6 CIDRs and IPv6 `a-b` ranges; no two ranges overlap;
 * - an L2Advertisement selecting the even pools by name, a BGPAdvertisement selecting the odd ones by label;
 * - the controller Deployment (image quay.io/metallb/controller:v0.14.9) and the speaker DaemonSet, ready;
 * - N handled LoadBalancer services with distinct ingress IPs: most inside a pool, some outside every pool,
 *   some dual-stack; plus N/10 ClusterIP services the engine must skip.
 */
import { formatAddress, parseIp, type Family } from '../src/drift/addresses';
import type { KubeObject, Snapshot } from '../src/drift/model';

export interface SyntheticOptions {
  /** Handled (LoadBalancer) services. */
  services: number;
  /** Address ranges over all pools (entries of `spec.addresses`). */
  ranges: number;
  seed?: number;
  /** Share of handled services whose ingress IP is inside no pool. Default 0.03. */
  outsideShare?: number;
  /** Share of handled services with an IPv4 and an IPv6 ingress IP. Default 0.1. */
  dualStackShare?: number;
}

export interface SyntheticCluster {
  objects: KubeObject[];
  /** Every `spec.addresses` entry of every pool, in pool order: the input of the membership benchmark. */
  poolEntries: string[];
  /** Every ingress IP of every handled service, in service order. */
  ingressIps: string[];
}

export const METALLB_NAMESPACE = 'metallb-system';
export const CONTROLLER_IMAGE = 'quay.io/metallb/controller:v0.14.9';
const RANGES_PER_POOL = 10;
const NAMESPACES = 100;
const CREATED = Date.parse('2026-11-01T00:00:00Z');

/** A small, fast, seedable PRNG (mulberry32): good enough to spread data, not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type RangeForm = 'cidr' | 'range' | 'spaced-range';

interface Block {
  family: Family;
  form: RangeForm;
  /** First and last address a service may get from this entry. */
  first: bigint;
  last: bigint;
  entry: string;
  pool: number;
  /** Next free offset from `first`. */
  next: bigint;
}

const V4_BASE = (parseIp('10.0.0.0') as { value: bigint }).value;
const V6_BASE = (parseIp('fd00:10::') as { value: bigint }).value;
const V4_OUTSIDE = (parseIp('192.168.0.0') as { value: bigint }).value;
const V6_OUTSIDE = (parseIp('2001:db8::') as { value: bigint }).value;

/** Family and form of range k: 2 in 5 IPv4 CIDRs, then IPv4 ranges, IPv6 CIDRs, IPv6 ranges. */
function shapeOf(k: number): { family: Family; form: RangeForm } {
  switch (k % 5) {
    case 0:
    case 1:
      return { family: 4, form: 'cidr' };
    case 2:
      return { family: 4, form: k % 10 === 2 ? 'spaced-range' : 'range' };
    case 3:
      return { family: 6, form: 'cidr' };
    default:
      return { family: 6, form: 'range' };
  }
}

/**
 * Lays out R disjoint blocks of 2^hostBits addresses, each big enough for four times its expected load, so
 * every service gets a distinct IP and no pool is exhausted (exhaustion is a separate scenario).
 */
function layBlocks(options: SyntheticOptions): Block[] {
  const perRange = Math.max(1, Math.ceil((options.services * 1.2) / options.ranges));
  const hostBits = Math.max(8, Math.ceil(Math.log2(perRange * 4)));
  const size = 1n << BigInt(hostBits);
  const blocks: Block[] = [];
  for (let k = 0; k < options.ranges; k++) {
    const { family, form } = shapeOf(k);
    const start = (family === 4 ? V4_BASE : V6_BASE) + BigInt(k) * size;
    const end = start + size - 1n;
    const bits = family === 4 ? 32 : 128;
    let entry: string;
    let first = start;
    let last = end;
    if (form === 'cidr') {
      entry = `${formatAddress(family, start)}/${bits - hostBits}`;
    } else {
      // Not aligned on purpose, so the entry is not a CIDR in disguise.
      first = start + 1n;
      last = end - 1n;
      const dash = form === 'spaced-range' ? ' - ' : '-';
      entry = `${formatAddress(family, first)}${dash}${formatAddress(family, last)}`;
    }
    blocks.push({
      family,
      form,
      first,
      last,
      entry,
      pool: Math.floor(k / RANGES_PER_POOL),
      next: 0n,
    });
  }
  return blocks;
}

/** Takes the next free IP of a block, skipping .0/.255 so avoidBuggyIPs pools hold only allowed IPs. */
function takeIp(blocks: Block[], k: number): { ip: string; block: Block } {
  for (let tries = 0; tries < blocks.length; tries++) {
    const block = blocks[(k + tries) % blocks.length] as Block;
    while (block.first + block.next <= block.last) {
      const value = block.first + block.next;
      block.next += 1n;
      const low = value & 0xffn;
      if (block.family === 4 && (low === 0n || low === 255n)) continue;
      return { ip: formatAddress(block.family, value), block };
    }
  }
  throw new Error('synthetic cluster: every block is full; raise the block size');
}

function poolName(p: number): string {
  return `pool-${String(p).padStart(4, '0')}`;
}

function meta(name: string, namespace: string | undefined, i: number, extra: Record<string, unknown> = {}) {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resourceVersion: String(1000 + i),
    creationTimestamp: new Date(CREATED + i * 1000).toISOString().replace('.000Z', 'Z'),
    ...extra,
  };
}

function poolObjects(blocks: Block[]): KubeObject[] {
  const pools: KubeObject[] = [];
  const count = Math.ceil(blocks.length / RANGES_PER_POOL);
  for (let p = 0; p < count; p++) {
    const addresses = blocks.filter((b) => b.pool === p).map((b) => b.entry);
    pools.push({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: meta(poolName(p), METALLB_NAMESPACE, p, {
        labels: { tier: p % 2 === 0 ? 'l2' : 'bgp' },
      }),
      spec: { addresses, autoAssign: true, avoidBuggyIPs: p % 10 === 9 },
    });
  }
  return pools;
}

function advertisementObjects(poolCount: number): KubeObject[] {
  const evenPools: string[] = [];
  for (let p = 0; p < poolCount; p += 2) evenPools.push(poolName(p));
  return [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: meta('l2-by-name', METALLB_NAMESPACE, 1),
      spec: { ipAddressPools: evenPools },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: meta('bgp-by-label', METALLB_NAMESPACE, 2),
      spec: { ipAddressPoolSelectors: [{ matchLabels: { tier: 'bgp' } }], peers: ['tor-a'] },
    },
    {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: meta('tor-a', METALLB_NAMESPACE, 3),
      spec: { myASN: 64500, peerASN: 64501, peerAddress: '172.16.0.1' },
    },
  ];
}

function componentObjects(): KubeObject[] {
  const labels = (component: string) => ({ app: 'metallb', component });
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('controller', METALLB_NAMESPACE, 4, { labels: labels('controller') }),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels('controller') },
        template: {
          metadata: { labels: labels('controller') },
          spec: {
            containers: [
              { name: 'controller', image: CONTROLLER_IMAGE, args: ['--port=7472', '--log-level=info'] },
            ],
          },
        },
      },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('speaker', METALLB_NAMESPACE, 5, { labels: labels('speaker') }),
      spec: {
        selector: { matchLabels: labels('speaker') },
        template: {
          metadata: { labels: labels('speaker') },
          spec: {
            containers: [
              {
                name: 'speaker',
                image: 'quay.io/metallb/speaker:v0.14.9',
                args: ['--port=7472', '--log-level=info'],
              },
            ],
          },
        },
      },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3 },
    },
    ...[0, 1, 2].map(
      (n): KubeObject => ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: meta(`node-${n}`, undefined, 10 + n, {
          labels: { 'kubernetes.io/hostname': `node-${n}` },
        }),
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      }),
    ),
  ];
}

interface ServicePlan {
  ips: string[];
  pool: string | undefined;
  dualStack: boolean;
}

function planService(blocks: Block[], rnd: () => number, options: SyntheticOptions, i: number): ServicePlan {
  const outsideShare = options.outsideShare ?? 0.03;
  const dualStackShare = options.dualStackShare ?? 0.1;
  const roll = rnd();
  if (roll < outsideShare) {
    // Outside every pool: what a shrunk or deleted pool leaves behind.
    const v6 = i % 4 === 3;
    const ip = formatAddress(v6 ? 6 : 4, (v6 ? V6_OUTSIDE : V4_OUTSIDE) + BigInt(i) + 1n);
    return { ips: [ip], pool: 'retired-pool', dualStack: false };
  }
  const k = Math.floor(rnd() * blocks.length);
  const first = takeIp(blocks, k);
  if (roll < outsideShare + dualStackShare) {
    // The same pool's range of the other family: every pool holds both families.
    const partner = blocks.findIndex((b) => b.pool === first.block.pool && b.family !== first.block.family);
    if (partner >= 0) {
      const second = takeIp(blocks, partner);
      const ips = first.block.family === 4 ? [first.ip, second.ip] : [second.ip, first.ip];
      return { ips, pool: poolName(first.block.pool), dualStack: true };
    }
  }
  return { ips: [first.ip], pool: poolName(first.block.pool), dualStack: false };
}

function serviceObject(i: number, plan: ServicePlan, requestsPool: boolean): KubeObject {
  const namespace = `team-${String(i % NAMESPACES).padStart(3, '0')}`;
  const name = `svc-${String(i).padStart(6, '0')}`;
  const annotations: Record<string, string> = {};
  if (plan.pool !== undefined) annotations['metallb.io/ip-allocated-from-pool'] = plan.pool;
  if (requestsPool && plan.pool !== undefined) annotations['metallb.io/address-pool'] = plan.pool;
  const families = plan.ips.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, namespace, 100 + i, { labels: { app: name, team: namespace }, annotations }),
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80 + (i % 3), targetPort: 8080, nodePort: 30000 + (i % 2767) },
      ],
      clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`,
      clusterIPs: [`10.96.${(i >> 8) & 255}.${i & 255}`],
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: families,
      ipFamilyPolicy: plan.dualStack ? 'RequireDualStack' : 'SingleStack',
      sessionAffinity: 'None',
      allocateLoadBalancerNodePorts: true,
    },
    status: { loadBalancer: { ingress: plan.ips.map((ip) => ({ ip, ipMode: 'VIP' })) } },
  };
}

function clusterIpService(i: number): KubeObject {
  const namespace = `team-${String(i % NAMESPACES).padStart(3, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(`internal-${String(i).padStart(6, '0')}`, namespace, 5_000_000 + i),
    spec: {
      type: 'ClusterIP',
      selector: { app: `internal-${i}` },
      ports: [{ name: 'grpc', protocol: 'TCP', port: 9090, targetPort: 9090 }],
      clusterIP: `10.97.${(i >> 8) & 255}.${i & 255}`,
    },
    status: { loadBalancer: {} },
  };
}

function namespaceObjects(): KubeObject[] {
  const names = [METALLB_NAMESPACE];
  for (let n = 0; n < NAMESPACES; n++) names.push(`team-${String(n).padStart(3, '0')}`);
  return names.map((name, n) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(name, undefined, 20 + n, { labels: { 'kubernetes.io/metadata.name': name } }),
  }));
}

/** Builds a synthetic cluster (see the file comment). Deterministic for given options and seed. */
export function syntheticCluster(options: SyntheticOptions): SyntheticCluster {
  if (options.ranges < 1 || options.services < 0) throw new Error('synthetic cluster: bad size');
  const rnd = mulberry32(options.seed ?? 20261127);
  const blocks = layBlocks(options);
  const pools = poolObjects(blocks);
  const services: KubeObject[] = [];
  const ingressIps: string[] = [];
  for (let i = 0; i < options.services; i++) {
    const plan = planService(blocks, rnd, options, i);
    ingressIps.push(...plan.ips);
    services.push(serviceObject(i, plan, i % 20 === 7));
  }
  const internal = Math.floor(options.services / 10);
  for (let i = 0; i < internal; i++) services.push(clusterIpService(i));
  return {
    objects: [
      ...namespaceObjects(),
      ...componentObjects(),
      ...pools,
      ...advertisementObjects(pools.length),
      ...services,
    ],
    poolEntries: blocks.map((b) => b.entry),
    ingressIps,
  };
}

/** A cluster as the engine's input. */
export function syntheticSnapshot(options: SyntheticOptions): Snapshot {
  const { objects } = syntheticCluster(options);
  return { objects, logs: [], metrics: [], notes: [], source: 'synthetic' };
}

/** The objects as `kubectl get -o json` writes several kinds at once: a `v1` `List`. */
export function toKubectlList(objects: readonly KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
}

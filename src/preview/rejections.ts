/**
 * What MetalLB refuses as a whole config (docs/metallb-behaviour.md section 4, `internal/config`): a pool entry that
 * does not parse, a pool without addresses, entries that overlap (across pools and inside one), a BGPPeer naming a
 * BFDProfile that does not exist, an aggregation length out of range or shorter than a pool's prefixes, duplicate
 * namespaces in serviceAllocation, a label selector `metav1.LabelSelectorAsSelector` refuses. A refused config changes nothing: the controller keeps the last valid one.
 */
import { familyBits, findOverlaps, type AddressRange, type Family } from '../drift/addresses';
import type { AnalysisContext, PoolView } from '../drift/context';
import { nameOf, num, str, strs } from '../drift/fields';
import type { ResourceRef } from '../drift/model';
import { listField } from '../drift/rules/pools/list-field';
import { poolsSelectedBy } from '../drift/rules/pools/advertisements';
import { selectorProblem } from '../drift/selectors';

export interface Rejection {
  /** `invalid-config`: MetalLB's parser refuses it; `strands-assigned-ip`: below 0.14.2 an assigned IP would be lost. */
  reason: 'invalid-config' | 'strands-assigned-ip';
  resource: ResourceRef;
  /** MetalLB's own words where it has them. */
  message: string;
  /** Services whose IPs the config would strand (`strands-assigned-ip`). */
  services: string[];
}

function refused(resource: ResourceRef, message: string): Rejection {
  return { reason: 'invalid-config', resource, message, services: [] };
}

function entryRejections(pool: PoolView): Rejection[] {
  if (pool.entries.length === 0)
    return [refused(pool.ref, `pool ${pool.name}: pool has no prefixes defined`)];
  return pool.entries.flatMap((entry) =>
    entry.parse.ok ? [] : [refused(pool.ref, `parsing address pool ${pool.name}: ${entry.parse.reason}`)],
  );
}

function overlapRejections(pools: readonly PoolView[]): Rejection[] {
  const located = pools.flatMap((pool) =>
    pool.entries.flatMap((e) => (e.parse.ok ? [{ pool, text: e.text, range: e.parse.range }] : [])),
  );
  return findOverlaps(located.map((l) => l.range)).map(([i, j]) => {
    const first = located[i] as (typeof located)[number];
    const later = located[j] as (typeof located)[number];
    return refused(
      later.pool.ref,
      `CIDR "${later.text}" in pool "${later.pool.name}" overlaps with already defined CIDR "${first.text}"` +
        (first.pool === later.pool ? '' : ` of pool "${first.pool.name}"`),
    );
  });
}

function bfdRejections(ctx: AnalysisContext): Rejection[] {
  const profiles = new Set(ctx.inNamespace('BFDProfile').map(nameOf));
  return ctx.inNamespace('BGPPeer').flatMap((peer) => {
    const profile = str(peer, 'spec', 'bfdProfile');
    if (profile === undefined || profile === '' || profiles.has(profile)) return [];
    return [
      refused(
        { kind: 'BGPPeer', namespace: ctx.namespace, name: nameOf(peer) },
        `peer ${nameOf(peer)} referencing non existing bfd profile ${profile}`,
      ),
    ];
  });
}

/** The shortest prefix of the CIDRs MetalLB summarises a range into: the largest aligned block inside it. */
export function shortestPrefix(range: AddressRange): number {
  const bits = familyBits(range.family);
  let best = bits;
  let start = range.start;
  while (start <= range.end) {
    let size = 0;
    // Grow the block while it stays aligned at `start` and inside the range.
    while (
      size < bits &&
      start % (1n << BigInt(size + 1)) === 0n &&
      start + (1n << BigInt(size + 1)) - 1n <= range.end
    )
      size++;
    best = Math.min(best, bits - size);
    start += 1n << BigInt(size);
    if (best === 0) break;
  }
  return best;
}

function aggregationRejections(ctx: AnalysisContext): Rejection[] {
  return ctx.bgpAdvertisements.flatMap((adv) => {
    const ref = { kind: 'BGPAdvertisement', namespace: ctx.namespace, name: nameOf(adv) };
    const lengths: Record<Family, number> = {
      4: num(adv, 'spec', 'aggregationLength') ?? 32,
      6: num(adv, 'spec', 'aggregationLengthV6') ?? 128,
    };
    for (const family of [4, 6] as const) {
      const length = lengths[family];
      if (length < 0 || length > familyBits(family))
        return [refused(ref, `invalid aggregation length ${length} for IPv${family}`)];
    }
    return poolsSelectedBy(adv, ctx.pools).flatMap((pool) =>
      pool.entries.flatMap((entry) => {
        if (!entry.parse.ok) return [];
        const prefix = shortestPrefix(entry.parse.range);
        const length = lengths[entry.parse.range.family];
        if (length >= prefix) return [];
        return [
          refused(
            ref,
            `invalid aggregation length ${length}: prefix ${prefix} in this pool is more specific than the ` +
              `aggregation length for addresses ${entry.text} (pool ${pool.name})`,
          ),
        ];
      }),
    );
  });
}

function namespaceRejections(pools: readonly PoolView[]): Rejection[] {
  return pools.flatMap((pool) => {
    const names = strs(pool.serviceAllocation, 'namespaces');
    return new Set(names).size === names.length
      ? []
      : [refused(pool.ref, `pool ${pool.name}: duplicate definition in namespaces field`)];
  });
}

/** The first problem of a selector list field (`what` names it as MetalLB's error does), or undefined. */
function selectorListProblem(obj: unknown, path: string[], what: string): string | undefined {
  const field = listField(obj, ...path);
  if (field.state === 'absent') return undefined;
  if (field.state === 'malformed') return `invalid ${what}: ${path.join('.')} is not a list`;
  for (const selector of field.items) {
    const problem = selectorProblem(selector);
    if (problem !== undefined) return `invalid ${what}: ${problem}`;
  }
  return undefined;
}

/**
 * Selectors MetalLB's parser refuses, which refuse the whole config: a pool's serviceAllocation namespace and service
 * selectors, an advertisement's pool, node and (from 0.16.0) service selectors, a BGPPeer's node selectors. One
 * rejection per object (the parser stops at its first error), worded `parsing <object> <name>: invalid <field>: ...`.
 */
function selectorRejections(ctx: AnalysisContext): Rejection[] {
  const ofObject = (
    ref: ResourceRef,
    head: string,
    fields: readonly (readonly [string[], string])[],
    obj: unknown,
  ): Rejection[] => {
    for (const [path, what] of fields) {
      const problem = selectorListProblem(obj, path, what);
      if (problem !== undefined) return [refused(ref, `${head}: ${problem}`)];
    }
    return [];
  };
  const pools = ctx.pools
    .filter((pool) => pool.kind === 'IPAddressPool')
    .flatMap((pool) =>
      ofObject(
        pool.ref,
        `parsing address pool ${pool.name}`,
        [
          [['serviceAllocation', 'namespaceSelectors'], 'namespace selector'],
          [['serviceAllocation', 'serviceSelectors'], 'service selector'],
        ],
        pool.obj.spec,
      ),
    );
  // Advertisements' serviceSelectors came with 0.16.0; before it the CRD has no such field (an unknown version is
  // judged as the newest, as the rest of the preview does).
  const serviceSelectors = ctx.versionAtLeast('0.16.0') !== false;
  const advertisementFields: [string[], string][] = [
    [['ipAddressPoolSelectors'], 'ipAddressPoolSelector'],
    [['nodeSelectors'], 'node selector'],
    ...(serviceSelectors ? [[['serviceSelectors'], 'service selector'] as [string[], string]] : []),
  ];
  const advertisements = [
    ...ctx.l2Advertisements.map((adv) => ['l2 advertisement', adv] as const),
    ...ctx.bgpAdvertisements.map((adv) => ['bgp advertisement', adv] as const),
  ].flatMap(([what, adv]) =>
    ofObject(
      { kind: adv.kind, namespace: ctx.namespace, name: nameOf(adv) },
      `parsing ${what} ${nameOf(adv)}`,
      advertisementFields,
      adv.spec,
    ),
  );
  const peers = ctx
    .inNamespace('BGPPeer')
    .flatMap((peer) =>
      ofObject(
        { kind: 'BGPPeer', namespace: ctx.namespace, name: nameOf(peer) },
        `parsing peer ${nameOf(peer)}`,
        [[['nodeSelectors'], 'node selector']],
        peer.spec,
      ),
    );
  return [...pools, ...advertisements, ...peers];
}

/** Every reason MetalLB's config parser would refuse the config of `ctx`, in a stable order. */
export function configRejections(ctx: AnalysisContext): Rejection[] {
  const names = new Map<string, number>();
  for (const pool of ctx.pools) names.set(pool.name, (names.get(pool.name) ?? 0) + 1);
  const duplicates = [...names].filter(([, n]) => n > 1).map(([name]) => name);
  return [
    ...duplicates.map((name) =>
      refused(
        { kind: 'IPAddressPool', namespace: ctx.namespace, name },
        `duplicate definition of pool "${name}"`,
      ),
    ),
    ...ctx.pools.flatMap(entryRejections),
    ...overlapRejections(ctx.pools),
    ...namespaceRejections(ctx.pools),
    ...bfdRejections(ctx),
    ...aggregationRejections(ctx),
    ...selectorRejections(ctx),
  ];
}

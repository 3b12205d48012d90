/**
 * MetalLB's config parser as far as pools go (`internal/config/config.go`; tools/kube-stand-in/README.md):
 * which objects are pools, what their address entries cover, and whom their serviceAllocation admits.
 * A config MetalLB would refuse comes back as its error, so that the simulated controller keeps its last config.
 */
import type { KubeObject } from '../../../src/drift/model';
import { arr, at, bool, int, labelsOf, nameOf, strs } from '../object-fields';
import { parseCidr, parseIp, type Span } from './ip';
import { selectorMatcher, type Matcher } from './selectors';
import { atLeast, type Version } from './version';

export interface Allocation {
  /** `0` (unset) ranks after every positive priority. */
  priority: number;
  /** `namespaces` plus every Namespace a namespaceSelector matches; empty means no namespace restriction. */
  namespaces: ReadonlySet<string>;
  serviceSelectors: readonly Matcher[];
}

export interface Pool {
  name: string;
  kind: 'IPAddressPool' | 'AddressPool';
  /** The address entries as written, and what each covers (same order). */
  entries: readonly string[];
  spans: readonly Span[];
  autoAssign: boolean;
  avoidBuggyIps: boolean;
  allocation?: Allocation;
}

export type PoolsResult = { ok: true; pools: Pool[] } | { ok: false; error: string };

/** One entry of `spec.addresses`: a CIDR (no `-`), else a range `a-b` with spaces allowed around each side. */
export function parseEntry(text: string): Span | { error: string } {
  const dash = text.indexOf('-');
  if (dash === -1) return parseCidr(text) ?? { error: `invalid CIDR "${text}"` };
  const startText = text.slice(0, dash).trim();
  const endText = text.slice(dash + 1).trim();
  const start = parseIp(startText);
  if (start === undefined) return { error: `invalid IP range "${text}": invalid start IP "${startText}"` };
  const end = parseIp(endText);
  if (end === undefined) return { error: `invalid IP range "${text}": invalid end IP "${endText}"` };
  if (start.family !== end.family) {
    return { error: `invalid IP range "${text}": start and end IP are not of the same family` };
  }
  if (start.value > end.value) {
    return { error: `invalid IP range "${text}": start IP "${startText}" is after the end IP "${endText}"` };
  }
  return { family: start.family, first: start.value, last: end.value };
}

/** `namespaces` UNION the Namespaces matched by any namespaceSelector, as MetalLB's parser builds the set. */
function allocationOf(pool: KubeObject, namespaces: readonly KubeObject[]): Allocation | string | undefined {
  const spec = at(pool, 'spec', 'serviceAllocation');
  if (spec === undefined || spec === null) return undefined;
  const names = strs(spec, 'namespaces');
  if (new Set(names).size !== names.length) return 'duplicate definition in namespaces field';
  const set = new Set(names);
  for (const selector of arr(spec, 'namespaceSelectors')) {
    const matches = selectorMatcher(selector);
    if (matches === undefined) return `invalid namespace selector ${JSON.stringify(selector)}`;
    for (const ns of namespaces) if (matches(labelsOf(ns))) set.add(nameOf(ns));
  }
  const serviceSelectors: Matcher[] = [];
  for (const selector of arr(spec, 'serviceSelectors')) {
    const matches = selectorMatcher(selector);
    if (matches === undefined) return `invalid service selector ${JSON.stringify(selector)}`;
    serviceSelectors.push(matches);
  }
  return { priority: int(spec, 'priority') ?? 0, namespaces: set, serviceSelectors };
}

function parsePool(obj: KubeObject, namespaces: readonly KubeObject[]): Pool | string {
  const name = nameOf(obj);
  const entries = strs(obj, 'spec', 'addresses');
  if (entries.length === 0) return `parsing address pool ${name}: pool has no prefixes defined`;
  const spans: Span[] = [];
  for (const entry of entries) {
    const span = parseEntry(entry);
    if ('error' in span)
      return `parsing address pool ${name}: invalid CIDR "${entry}" in pool "${name}": ${span.error}`;
    spans.push(span);
  }
  const allocation = obj.kind === 'IPAddressPool' ? allocationOf(obj, namespaces) : undefined;
  if (typeof allocation === 'string') return `parsing address pool ${name}: ${allocation}`;
  return {
    name,
    entries,
    kind: obj.kind === 'AddressPool' ? 'AddressPool' : 'IPAddressPool',
    spans,
    autoAssign: bool(obj, 'spec', 'autoAssign') ?? true,
    avoidBuggyIps: bool(obj, 'spec', 'avoidBuggyIPs') ?? false,
    ...(allocation ? { allocation } : {}),
  };
}

function overlapError(pools: readonly Pool[]): string | undefined {
  const seen: { pool: Pool; span: Span; index: number }[] = [];
  for (const pool of pools) {
    for (const [index, span] of pool.spans.entries()) {
      const clash = seen.find(
        (s) => s.span.family === span.family && s.span.first <= span.last && span.first <= s.span.last,
      );
      if (clash) {
        return `CIDR "${pool.entries[index] ?? ''}" in pool "${pool.name}" overlaps with already defined CIDR "${clash.pool.entries[clash.index] ?? ''}"`;
      }
      seen.push({ pool, span, index });
    }
  }
  return undefined;
}

/**
 * The pools of the MetalLB namespace: IPAddressPools, and below 0.14.2 AddressPools too (MetalLB read both then),
 * parsed in name order as the API lists them. Invalid entries, duplicate names and overlaps refuse the whole config.
 */
export function parsePools(
  objects: readonly KubeObject[],
  metallbNamespace: string,
  version: Version,
  namespaces: readonly KubeObject[],
): PoolsResult {
  const kinds = atLeast(version, '0.14.2') ? ['IPAddressPool'] : ['IPAddressPool', 'AddressPool'];
  const candidates = objects
    .filter((o) => kinds.includes(o.kind) && o.metadata?.namespace === metallbNamespace)
    .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  const pools: Pool[] = [];
  for (const obj of candidates) {
    if (pools.some((p) => p.name === nameOf(obj))) {
      return { ok: false, error: `duplicate definition of pool "${nameOf(obj)}"` };
    }
    const pool = parsePool(obj, namespaces);
    if (typeof pool === 'string') return { ok: false, error: pool };
    pools.push(pool);
  }
  const overlap = overlapError(pools);
  return overlap === undefined ? { ok: true, pools } : { ok: false, error: overlap };
}

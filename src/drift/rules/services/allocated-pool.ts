/**
 * ALLOCATED_POOL_MISSING and ALLOCATED_POOL_MISMATCH: the `ip-allocated-from-pool` annotation MetalLB writes
 * names a pool that is gone, or one that does not contain the service's IP. Each prefix's key is checked on its
 * own: from 0.14.9 MetalLB writes and clears only `metallb.io/`, so a `metallb.universe.tf/` one left by an
 * older version is never removed and goes stale (research/metallb.md section 3).
 */
import { poolsOfHits } from '../../allocation';
import type { AnalysisContext, IngressIp, PoolView, ServiceView } from '../../context';
import { ANNOTATION_KEYS, PREFIX_LEGACY } from '../../metallb-facts';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { listIps, serviceName } from './messages';

interface AllocatedAnnotation {
  key: string;
  pool: string;
}

// `ip-allocated-from-pool` under both prefixes, as literal (internalized) keys: two lookups per service.
const [CURRENT_KEY, LEGACY_KEY] = ANNOTATION_KEYS.allocatedFromPool;

/** The annotations naming a pool (`current`, `legacy`: their trimmed values), or undefined when there are none. */
function annotationsOf(
  current: string | undefined,
  legacy: string | undefined,
): AllocatedAnnotation[] | undefined {
  // Built at its size: a push into [] reserves 17 slots.
  if (current && legacy)
    return [
      { key: CURRENT_KEY, pool: current },
      { key: LEGACY_KEY, pool: legacy },
    ];
  if (current) return [{ key: CURRENT_KEY, pool: current }];
  if (legacy) return [{ key: LEGACY_KEY, pool: legacy }];
  return undefined;
}

/** Whether an annotation value names no pool, or a pool that exists and contains every ingress IP. */
function namesHolder(service: ServiceView, ctx: AnalysisContext, value: string | undefined): boolean {
  if (!value) return true;
  const pool = ctx.poolsByName.get(value);
  return pool !== undefined && !anyOutside(service, pool);
}

/** Whether some ingress IP of the service lies outside the pool: a loop, since nearly every answer is no. */
function anyOutside(service: ServiceView, pool: PoolView): boolean {
  for (let i = 0; i < service.ingress.length; i++) {
    const hits = (service.ingress[i] as IngressIp).hits;
    let inside = false;
    for (let h = 0; h < hits.length; h++) {
      if ((hits[h] as (typeof hits)[number]).pool === pool) {
        inside = true;
        break;
      }
    }
    if (!inside) return true;
  }
  return false;
}

function missing(service: ServiceView, ctx: AnalysisContext, found: AllocatedAnnotation[]): FindingDraft[] {
  // A loop, not `every` with a closure: this runs for nearly every service, and nearly every pool exists.
  let anyGone = false;
  for (let i = 0; i < found.length; i++)
    if (!ctx.poolsByName.has((found[i] as AllocatedAnnotation).pool)) anyGone = true;
  if (!anyGone) return [];
  const gone = found.filter((a) => !ctx.poolsByName.has(a.pool));
  if (gone.length === 0) return [];
  const clauses = gone.map((a) => `${a.key} names pool ${a.pool}`);
  return [
    {
      code: 'ALLOCATED_POOL_MISSING',
      resource: service.ref,
      message:
        `Service ${serviceName(service)}: ${clauses.join(' and ')}, ` +
        `${gone.length === 1 ? 'which does not exist' : 'none of which exists'} in ${ctx.namespace}; ` +
        'MetalLB does not rewrite this annotation until it reassigns the IP (and never removes the ' +
        `${PREFIX_LEGACY} one from 0.14.9 on), so remove it.`,
      details: { missing: [...new Set(gone.map((a) => a.pool))], annotations: gone.map((a) => a.key) },
    },
  ];
}

function mismatch(service: ServiceView, ctx: AnalysisContext, found: AllocatedAnnotation[]): FindingDraft[] {
  // Nearly every annotation names the pool that holds the IPs: answer that without allocating anything.
  let stale = false;
  for (const annotation of found) {
    const pool = ctx.poolsByName.get(annotation.pool);
    if (pool !== undefined && anyOutside(service, pool)) {
      stale = true;
      break;
    }
  }
  if (!stale) return [];
  const clauses: string[] = [];
  const ips = new Set<string>();
  const pools = new Set<string>();
  const annotations: string[] = [];
  for (const annotation of found) {
    const pool = ctx.poolsByName.get(annotation.pool);
    if (pool === undefined) continue;
    const outside = service.ingress.filter(({ hits }) => !hits.some((hit) => hit.pool === pool));
    if (outside.length === 0) continue;
    const actual = [...new Set(outside.flatMap(({ hits }) => poolsOfHits(hits).map((p) => p.name)))];
    const where = actual.length > 0 ? `is in pool ${actual.join(', ')}` : 'is in no pool';
    clauses.push(`${annotation.key} says ${pool.name} but ${listIps(outside.map((o) => o.text))} ${where}`);
    outside.forEach((o) => ips.add(o.text));
    pools.add(pool.name);
    annotations.push(annotation.key);
  }
  if (clauses.length === 0) return [];
  return [
    {
      code: 'ALLOCATED_POOL_MISMATCH',
      resource: service.ref,
      message:
        `Service ${serviceName(service)}: ${clauses.join('; ')}; the annotation is only informational and ` +
        'MetalLB rewrites its own on the next assignment, so correct or remove a stale one.',
      details: { ips: [...ips], pools: [...pools], annotations },
    },
  ];
}

export const allocatedPool: Rule = {
  name: 'allocated-pool',
  codes: ['ALLOCATED_POOL_MISSING', 'ALLOCATED_POOL_MISMATCH'],
  // Handled services only: a service of another load-balancer class may carry the annotation of another
  // MetalLB install, whose pools live in another namespace.
  run: (ctx) => {
    const drafts: FindingDraft[] = [];
    // Indexed, and nothing pushed for the services that raise nothing: this runs once, unoptimised, over
    // nearly every service, where a for-of and spreading two empty arrays allocate per service.
    const services = ctx.handledServices;
    for (let i = 0; i < services.length; i++) {
      const service = services[i] as ServiceView;
      const annotations = service.annotations;
      // An empty value names no pool: nothing to compare.
      const current = annotations[CURRENT_KEY]?.trim();
      const legacy = annotations[LEGACY_KEY]?.trim();
      // Nearly every annotation names a pool that exists and holds the IPs: settled without allocating.
      if (namesHolder(service, ctx, current) && namesHolder(service, ctx, legacy)) continue;
      const found = annotationsOf(current, legacy);
      if (found === undefined) continue;
      const gone = missing(service, ctx, found);
      const stale = mismatch(service, ctx, found);
      if (gone.length > 0 || stale.length > 0) drafts.push(...gone, ...stale);
    }
    return drafts;
  },
};

/**
 * POOL_OVERLAP: an entry overlaps an entry of another pool or of the same pool. MetalLB compares every CIDR
 * with every one defined before it, including earlier entries of the same pool (MetalLB's config parser;
 * docs/findings.md, POOL_OVERLAP).
 */
import { findOverlaps, type AddressRange } from '../../addresses';
import type { PoolView } from '../../context';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { listForMessage } from './list-field';

/** One overlap seen from a pool: its `overlaps` entry meets `entry` of `pool` (itself for a same-pool overlap). */
export interface OverlapItem {
  pool: string;
  entry: string;
  overlaps: string;
}

interface Located {
  pool: PoolView;
  text: string;
  range: AddressRange;
}

function locatedRanges(pools: readonly PoolView[]): Located[] {
  return pools.flatMap((pool) =>
    pool.entries.flatMap((entry) =>
      entry.parse.ok ? [{ pool, text: entry.text, range: entry.parse.range }] : [],
    ),
  );
}

/** Overlaps grouped by the pool they are reported on, in pool order; one sweep over every range. */
function overlapsByPool(pools: readonly PoolView[]): Map<PoolView, OverlapItem[]> {
  const located = locatedRanges(pools);
  const byPool = new Map<PoolView, OverlapItem[]>();
  const add = (on: Located, other: Located): void => {
    const item = { pool: other.pool.name, entry: other.text, overlaps: on.text };
    const list = byPool.get(on.pool);
    if (list) list.push(item);
    else byPool.set(on.pool, [item]);
  };
  for (const [i, j] of findOverlaps(located.map((l) => l.range))) {
    const a = located[i] as Located;
    const b = located[j] as Located;
    add(a, b);
    if (a.pool !== b.pool) add(b, a);
  }
  return byPool;
}

export const poolOverlap: Rule = {
  name: 'pool-overlap',
  codes: ['POOL_OVERLAP'],
  run(ctx) {
    const byPool = overlapsByPool(ctx.pools);
    return ctx.pools.flatMap((pool): FindingDraft[] => {
      const others = byPool.get(pool);
      if (others === undefined) return [];
      const described = others.map((o) =>
        o.pool === pool.name
          ? `${o.overlaps} with its own ${o.entry}`
          : `${o.overlaps} with ${o.pool} ${o.entry}`,
      );
      return [
        {
          code: 'POOL_OVERLAP',
          resource: pool.ref,
          message:
            `${pool.ref.kind} ${pool.name} overlaps: ${listForMessage(described, 3)}; MetalLB rejects the configuration ` +
            `("overlaps with already defined CIDR") and keeps running on the last valid one (make the entries disjoint)`,
          details: {
            entries: [...new Set(others.map((o) => o.overlaps))],
            pools: [...new Set(others.map((o) => o.pool))].sort(),
            others,
          },
        },
      ];
    });
  },
};

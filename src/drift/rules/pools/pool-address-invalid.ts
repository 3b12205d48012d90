/** POOL_ADDRESS_INVALID: an address entry breaks MetalLB's parser rules (docs/findings.md, "Addresses"). */
import { at } from '../../fields';
import type { PoolView } from '../../context';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { listForMessage } from './list-field';

interface InvalidEntry {
  entry: string;
  reason: string;
}

/** The invalid entries of a pool; a non-string item or a non-list field is reported with its own reason. */
function invalidEntries(pool: PoolView): InvalidEntry[] {
  const raw = at(pool.obj, 'spec', 'addresses');
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) {
    return [{ entry: JSON.stringify(raw) ?? typeof raw, reason: 'spec.addresses is not a list of strings' }];
  }
  const rawItems: unknown[] = Array.isArray(raw) ? raw : [];
  return pool.entries.flatMap((entry, i): InvalidEntry[] => {
    if (typeof rawItems[i] !== 'string') return [{ entry: entry.text, reason: 'the entry is not a string' }];
    return entry.parse.ok ? [] : [{ entry: entry.text, reason: entry.parse.reason }];
  });
}

export const poolAddressInvalid: Rule = {
  name: 'pool-address-invalid',
  codes: ['POOL_ADDRESS_INVALID'],
  run(ctx) {
    return ctx.pools.flatMap((pool): FindingDraft[] => {
      const entries = invalidEntries(pool);
      if (entries.length === 0) return [];
      const shown = listForMessage(
        entries.map((e) => `"${e.entry}" (${e.reason})`),
        3,
      );
      return [
        {
          code: 'POOL_ADDRESS_INVALID',
          resource: pool.ref,
          message:
            `${pool.ref.kind} ${pool.name} has ${entries.length === 1 ? 'an invalid address entry' : `${entries.length} invalid address entries`}: ${shown}; ` +
            `MetalLB rejects the whole configuration and keeps running on the last valid one ` +
            `(write each entry as a CIDR like 192.168.10.0/24 or a range like 192.168.9.1-192.168.9.5)`,
          details: { entries },
        },
      ];
    });
  },
};

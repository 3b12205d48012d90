/**
 * LEGACY_RESOURCE_PRESENT: an AddressPool object exists. MetalLB ignores them since 0.14.2; below that it still
 * reads the ones in its namespace as pools (then they are pools for every rule), but the API is deprecated and
 * the pool is lost on upgrade.
 */
import { refOf } from '../../context';
import { str, strs } from '../../fields';
import type { Rule } from '../../rule';

export const legacyResourcePresent: Rule = {
  name: 'legacy-resource-present',
  codes: ['LEGACY_RESOURCE_PRESENT'],
  run: (ctx) => {
    const readAsPools = new Set(ctx.pools.filter((p) => p.kind === 'AddressPool').map((p) => p.obj));
    return ctx.ofKind('AddressPool').map((pool) => {
      const ref = refOf(pool);
      const addresses = strs(pool, 'spec', 'addresses');
      const what = readAsPools.has(pool)
        ? `MetalLB ${ctx.versionText ?? ''} still reads it as a pool, but it is deprecated, and lost on ` +
          'upgrade to 0.14.2 or later (which ignore AddressPools), so recreate it as an IPAddressPool with an ' +
          'advertisement before upgrading'
        : 'MetalLB ignores it (AddressPool objects are not read since 0.14.2, nor outside its namespace) and ' +
          'allocates nothing from it, so recreate it as an IPAddressPool with an advertisement if it is still needed';
      return {
        code: 'LEGACY_RESOURCE_PRESENT',
        resource: ref,
        message:
          `AddressPool ${ref.namespace ?? ''}/${ref.name} (${addresses.join(', ') || 'no addresses'}) uses the ` +
          `removed legacy API; ${what}.`,
        details: { addresses, protocol: str(pool, 'spec', 'protocol') ?? null },
      };
    });
  },
};

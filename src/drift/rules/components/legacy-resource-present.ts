/** LEGACY_RESOURCE_PRESENT: an AddressPool object exists; MetalLB ignores them since 0.14.2. */
import { refOf } from '../../context';
import { str, strs } from '../../fields';
import type { Rule } from '../../rule';

export const legacyResourcePresent: Rule = {
  name: 'legacy-resource-present',
  codes: ['LEGACY_RESOURCE_PRESENT'],
  run: (ctx) => {
    const stillRead = ctx.versionAtLeast('0.14.2') === false;
    return ctx.ofKind('AddressPool').map((pool) => {
      const ref = refOf(pool);
      const addresses = strs(pool, 'spec', 'addresses');
      const what = stillRead
        ? `MetalLB ${ctx.versionText ?? ''} still reads it, but 0.14.2 and later ignore it`
        : 'MetalLB ignores AddressPool objects since 0.14.2 and allocates nothing from it';
      return {
        code: 'LEGACY_RESOURCE_PRESENT',
        resource: ref,
        message:
          `AddressPool ${ref.namespace ?? ''}/${ref.name} (${addresses.join(', ') || 'no addresses'}) uses the ` +
          `removed legacy API; ${what}, so recreate it as an IPAddressPool with an advertisement.`,
        details: { addresses, protocol: str(pool, 'spec', 'protocol') ?? null },
      };
    });
  },
};

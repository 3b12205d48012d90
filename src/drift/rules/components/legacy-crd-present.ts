/** LEGACY_CRD_PRESENT: the AddressPool CRD, no longer shipped since 0.14.3, is still installed. */
import { refOf } from '../../context';
import { nameOf } from '../../fields';
import type { Rule } from '../../rule';

const LEGACY_CRD = 'addresspools.metallb.io';

export const legacyCrdPresent: Rule = {
  name: 'legacy-crd-present',
  codes: ['LEGACY_CRD_PRESENT'],
  run: (ctx) => {
    // A known version below 0.14.3 still ships the CRD; an unknown version is treated as recent.
    if (ctx.versionAtLeast('0.14.3') === false) return [];
    return ctx
      .ofKind('CustomResourceDefinition')
      .filter((crd) => nameOf(crd) === LEGACY_CRD)
      .map((crd) => {
        const shipped =
          ctx.versionText === null
            ? 'MetalLB stopped shipping it in 0.14.3'
            : `MetalLB ${ctx.versionText} no longer ships it (removed in 0.14.3)`;
        return {
          code: 'LEGACY_CRD_PRESENT',
          resource: refOf(crd),
          message:
            `CustomResourceDefinition ${LEGACY_CRD} is still installed although ${shipped}; MetalLB ignores ` +
            'AddressPool objects, so delete the CRD after moving any of them to IPAddressPools.',
          details: { version: ctx.versionText },
        };
      });
  },
};

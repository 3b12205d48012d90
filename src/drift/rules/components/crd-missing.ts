/** CRD_MISSING: MetalLB CRDs are installed, but one the installed version needs is not. */
import { nameOf } from '../../fields';
import type { Rule } from '../../rule';
import { isMetallbCrd } from './crds';

/** Every release since 0.13.0 needs these (docs/metallb-behaviour.md section 1). */
const ALWAYS: readonly { plural: string; kind: string }[] = [
  { plural: 'ipaddresspools', kind: 'IPAddressPool' },
  { plural: 'l2advertisements', kind: 'L2Advertisement' },
  { plural: 'bgpadvertisements', kind: 'BGPAdvertisement' },
  { plural: 'bgppeers', kind: 'BGPPeer' },
];
/** Needed from a version on; with the version unknown they are not asked for. */
const SINCE: readonly { plural: string; kind: string; since: string }[] = [
  { plural: 'servicel2statuses', kind: 'ServiceL2Status', since: '0.14.4' },
  { plural: 'servicebgpstatuses', kind: 'ServiceBGPStatus', since: '0.15.0' },
  { plural: 'configurationstates', kind: 'ConfigurationState', since: '0.15.3' },
];

export const crdMissing: Rule = {
  name: 'crd-missing',
  codes: ['CRD_MISSING'],
  run: (ctx) => {
    const crds = ctx.ofKind('CustomResourceDefinition').filter(isMetallbCrd);
    if (crds.length === 0) return [];
    const present = new Set(crds.map(nameOf));
    const wanted = [...ALWAYS, ...SINCE.filter((c) => ctx.versionAtLeast(c.since) === true)];
    return wanted
      .map((c) => ({ ...c, name: `${c.plural}.metallb.io` }))
      .filter((c) => !present.has(c.name))
      .map((c) => ({
        code: 'CRD_MISSING',
        resource: { kind: 'CustomResourceDefinition', namespace: null, name: c.name },
        message:
          `CustomResourceDefinition ${c.name} is missing` +
          `${ctx.versionText === null ? '' : ` although MetalLB ${ctx.versionText} needs it`}; MetalLB cannot ` +
          `watch ${c.kind} objects and logs errors until the CRDs of its release are applied again.`,
        details: { missing: [c.name], version: ctx.versionText },
      }));
  },
};

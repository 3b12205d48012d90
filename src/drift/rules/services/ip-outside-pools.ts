/** IP_OUTSIDE_POOLS: a handled service holds an ingress IP that no pool contains (the seed's orphaned IP). */
import type { AnalysisContext, IngressIp, ServiceView } from '../../context';
import type { FindingDraft } from '../../finding';
import { eachHandledService, NO_DRAFTS, type Rule } from '../../rule';
import { describePools, listIps, releaseOutcome, serviceName } from './messages';

function check(service: ServiceView, ctx: AnalysisContext): readonly FindingDraft[] {
  // An ingress value that does not parse is skipped: the API server validates these, so it can only come from a
  // hand-edited dump, and calling it "outside the pools" would propose release-ip on a typo.
  // Indexed: this runs once per handled service, mostly unoptimised, where a for-of allocates an iterator.
  let ips: string[] | undefined;
  for (let i = 0; i < service.ingress.length; i++) {
    const { text, hits } = service.ingress[i] as IngressIp;
    if (hits.length === 0) (ips ??= []).push(text);
  }
  if (ips === undefined) return NO_DRAFTS;
  return [
    {
      code: 'IP_OUTSIDE_POOLS',
      resource: service.ref,
      message:
        `Service ${serviceName(service)} holds ${listIps(ips)}, which no IPAddressPool contains (${describePools(ctx)}); ` +
        `${releaseOutcome(ctx)}.`,
      details: { ips },
    },
  ];
}

export const ipOutsidePools: Rule = {
  name: 'ip-outside-pools',
  codes: ['IP_OUTSIDE_POOLS'],
  run: (ctx) => eachHandledService(ctx, check),
};

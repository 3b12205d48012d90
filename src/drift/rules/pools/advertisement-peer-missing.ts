/**
 * ADVERTISEMENT_PEER_MISSING: a BGPAdvertisement's `peers` names a BGPPeer that does not exist in the MetalLB
 * namespace. MetalLB does not cross-check the names (docs/metallb-behaviour.md section 2), so nothing is announced
 * to the peer meant.
 */
import { refOf } from '../../context';
import { nameOf } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { listField, listForMessage, stringItems } from './list-field';

export const advertisementPeerMissing: Rule = {
  name: 'advertisement-peer-missing',
  codes: ['ADVERTISEMENT_PEER_MISSING'],
  run(ctx) {
    if (ctx.bgpAdvertisements.length === 0) return [];
    const peers = new Set(ctx.inNamespace('BGPPeer').map(nameOf));
    return ctx.bgpAdvertisements.flatMap((adv): FindingDraft[] => {
      const names = stringItems(listField(adv, 'spec', 'peers'));
      const missing = [...new Set(names.filter((name) => !peers.has(name)))];
      if (missing.length === 0) return [];
      const plural = missing.length > 1;
      return [
        {
          code: 'ADVERTISEMENT_PEER_MISSING',
          resource: refOf(adv),
          message:
            `BGPAdvertisement ${nameOf(adv)} names BGPPeer${plural ? 's' : ''} ${listForMessage(missing)}, which ` +
            `${plural ? 'do' : 'does'} not exist in ${ctx.namespace}: MetalLB announces its pools to no such peer ` +
            `(fix the name${plural ? 's' : ''} in spec.peers or create the BGPPeer${plural ? 's' : ''})`,
          details: { missing },
        },
      ];
    });
  },
};

/**
 * BGPPEER_BFD_PROFILE_MISSING: a BGPPeer's `bfdProfile` names a BFDProfile that does not exist; the speaker
 * rejects the config (`peer <p> referencing non existing bfd profile <b>`, docs/metallb-behaviour.md section 2).
 */
import { refOf } from '../../context';
import { nameOf, str } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';

export const bgpPeerBfdProfileMissing: Rule = {
  name: 'bgppeer-bfd-profile-missing',
  codes: ['BGPPEER_BFD_PROFILE_MISSING'],
  run(ctx) {
    const peers = ctx.inNamespace('BGPPeer');
    if (peers.length === 0) return [];
    const profiles = new Set(ctx.inNamespace('BFDProfile').map(nameOf));
    return peers.flatMap((peer): FindingDraft[] => {
      const profile = str(peer, 'spec', 'bfdProfile');
      if (profile === undefined || profile === '' || profiles.has(profile)) return [];
      return [
        {
          code: 'BGPPEER_BFD_PROFILE_MISSING',
          resource: refOf(peer),
          message:
            `BGPPeer ${nameOf(peer)} uses BFDProfile ${profile}, which does not exist in ${ctx.namespace}: ` +
            `MetalLB rejects the configuration ("referencing non existing bfd profile") and keeps running on the last ` +
            `valid one (create the BFDProfile or clear spec.bfdProfile)`,
          details: { missing: [profile] },
        },
      ];
    });
  },
};

/** The pools and advertisements rules, in catalogue order. */
import type { Rule } from '../../rule';
import { advertisementNodesMatchNothing } from './advertisement-nodes-match-nothing';
import { advertisementPeerMissing } from './advertisement-peer-missing';
import { advertisementPoolMissing } from './advertisement-pool-missing';
import { advertisementSelectorMatchesNothing } from './advertisement-selector-matches-nothing';
import { bgpPeerBfdProfileMissing } from './bgppeer-bfd-profile-missing';
import { poolAddressInvalid } from './pool-address-invalid';
import { poolEmpty } from './pool-empty';
import { poolNamespaceSelectorMatchesNothing } from './pool-namespace-selector-matches-nothing';
import { poolExhausted } from './pool-exhausted';
import { poolNearlyExhausted } from './pool-nearly-exhausted';
import { poolNotAdvertised } from './pool-not-advertised';
import { poolOverlap } from './pool-overlap';

export const poolsRules: Rule[] = [
  poolAddressInvalid,
  poolEmpty,
  poolOverlap,
  poolExhausted,
  poolNearlyExhausted,
  poolNotAdvertised,
  poolNamespaceSelectorMatchesNothing,
  advertisementPoolMissing,
  advertisementSelectorMatchesNothing,
  advertisementPeerMissing,
  advertisementNodesMatchNothing,
  bgpPeerBfdProfileMissing,
];

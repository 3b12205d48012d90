/** The services rules, in catalogue order. */
import type { Rule } from '../../rule';
import { allocatedPool } from './allocated-pool';
import { allocationFailed } from './allocation-failed';
import { deprecatedAnnotation } from './deprecated-annotation';
import { duplicateIp } from './duplicate-ip';
import { ipNotAllowedByPool } from './ip-not-allowed-by-pool';
import { ipOutsidePools } from './ip-outside-pools';
import { ipsInDifferentPools } from './ips-in-different-pools';
import { requestedIps } from './requested-ips';
import { requestedPoolMissing } from './requested-pool-missing';
import { servicePending } from './service-pending';

export const servicesRules: Rule[] = [
  ipOutsidePools,
  ipNotAllowedByPool,
  allocatedPool,
  requestedPoolMissing,
  requestedIps,
  ipsInDifferentPools,
  servicePending,
  duplicateIp,
  allocationFailed,
  deprecatedAnnotation,
];

/**
 * The drift catalogue of docs/findings.md: every code with its default severity and fix. Codes are a
 * contract: add freely, never rename or repurpose one.
 */
import type { FixName, Severity } from './model';

export interface CatalogueEntry {
  severity: Severity;
  fix: FixName | null;
  /** What the code means in one line; Slack's summary by code shows it beside each code. */
  title: string;
}

export const CATALOGUE = {
  // Service addresses
  IP_OUTSIDE_POOLS: {
    severity: 'critical',
    fix: 'release-ip',
    title: 'a service holds an IP that no pool contains',
  },
  IP_NOT_ALLOWED_BY_POOL: {
    severity: 'warning',
    fix: 'release-ip',
    title: 'a service holds an IP its pool does not allow for it',
  },
  ALLOCATED_POOL_MISSING: {
    severity: 'warning',
    fix: 'clear-stale-annotation',
    title: 'ip-allocated-from-pool names a pool that does not exist',
  },
  ALLOCATED_POOL_MISMATCH: {
    severity: 'info',
    fix: null,
    title: 'ip-allocated-from-pool names a pool that does not contain the IP',
  },
  REQUESTED_POOL_MISSING: {
    severity: 'critical',
    fix: null,
    title: 'a service requests a pool that does not exist',
  },
  REQUESTED_IP_OUTSIDE_POOLS: {
    severity: 'critical',
    fix: null,
    title: 'a service requests an IP that no pool contains',
  },
  REQUESTED_IP_INVALID: {
    severity: 'critical',
    fix: null,
    title: 'a service requests an IP that does not parse, or requests it twice',
  },
  IPS_IN_DIFFERENT_POOLS: {
    severity: 'critical',
    fix: 'release-ip',
    title: 'a dual-stack service holds IPs from different pools',
  },
  SERVICE_PENDING: { severity: 'critical', fix: null, title: 'a LoadBalancer service has no IP' },
  DUPLICATE_IP: {
    severity: 'critical',
    fix: null,
    title: 'services hold the same IP without being allowed to share it',
  },
  ALLOCATION_FAILED: {
    severity: 'warning',
    fix: null,
    title: 'MetalLB failed to allocate an IP in the last hour',
  },
  DEPRECATED_ANNOTATION: {
    severity: 'info',
    fix: null,
    title: 'a service uses a deprecated metallb.universe.tf/ annotation',
  },
  // Pools
  POOL_ADDRESS_INVALID: { severity: 'critical', fix: null, title: 'a pool address entry does not parse' },
  POOL_EMPTY: { severity: 'critical', fix: null, title: 'a pool has no addresses' },
  POOL_OVERLAP: { severity: 'critical', fix: null, title: 'pool address entries overlap' },
  POOL_EXHAUSTED: { severity: 'warning', fix: null, title: 'every allowed address of a pool is in use' },
  POOL_NEARLY_EXHAUSTED: { severity: 'info', fix: null, title: '90% or more of a pool is in use' },
  POOL_NOT_ADVERTISED: { severity: 'warning', fix: null, title: 'no advertisement announces a pool' },
  POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING: {
    severity: 'warning',
    fix: null,
    title: 'a pool namespace selector matches no namespace, so every namespace may use the pool',
  },
  // Advertisements
  ADVERTISEMENT_POOL_MISSING: {
    severity: 'warning',
    fix: null,
    title: 'an advertisement names a pool that does not exist',
  },
  ADVERTISEMENT_SELECTOR_MATCHES_NOTHING: {
    severity: 'warning',
    fix: null,
    title: "an advertisement's pool selectors match no pool",
  },
  ADVERTISEMENT_PEER_MISSING: {
    severity: 'warning',
    fix: null,
    title: 'a BGPAdvertisement names a BGPPeer that does not exist',
  },
  ADVERTISEMENT_NODES_MATCH_NOTHING: {
    severity: 'warning',
    fix: null,
    title: "an advertisement's node selectors match no node",
  },
  BGPPEER_BFD_PROFILE_MISSING: {
    severity: 'critical',
    fix: null,
    title: 'a BGPPeer names a BFDProfile that does not exist',
  },
  // Components
  CONFIG_STATE_INVALID: {
    severity: 'critical',
    fix: null,
    title: 'MetalLB reports its configuration as invalid',
  },
  CONFIG_STATE_UNKNOWN: {
    severity: 'warning',
    fix: null,
    title: 'MetalLB reports its configuration state as unknown',
  },
  CONFIG_STALE: {
    severity: 'critical',
    fix: 'restart-controller',
    title: 'a controller or speaker runs on an older config',
  },
  COMPONENT_LOG_ERRORS: {
    severity: 'warning',
    fix: null,
    title: 'the controller or a speaker logged errors in the last hour',
  },
  SPEAKER_PREDATES_CONFIG: {
    severity: 'info',
    fix: 'restart-speakers',
    title: 'a speaker started before the last config change',
  },
  CONTROLLER_NOT_READY: {
    severity: 'critical',
    fix: null,
    title: 'the controller is not ready or not found',
  },
  SPEAKER_NOT_READY: {
    severity: 'critical',
    fix: 'restart-speakers',
    title: 'speakers are not ready on every node',
  },
  // Installation and versions
  CRD_MISSING: { severity: 'critical', fix: null, title: 'a MetalLB CRD is missing' },
  LEGACY_CRD_PRESENT: {
    severity: 'warning',
    fix: null,
    title: 'the removed AddressPool CRD is still installed',
  },
  LEGACY_RESOURCE_PRESENT: {
    severity: 'warning',
    fix: null,
    title: 'an AddressPool object exists: ignored, or deprecated and lost on upgrade',
  },
  LEGACY_CONFIGMAP_PRESENT: {
    severity: 'warning',
    fix: null,
    title: 'a pre-0.13 config ConfigMap exists and is ignored',
  },
  CONVERSION_WEBHOOK_SERVICE_MISSING: {
    severity: 'critical',
    fix: null,
    title: 'the BGPPeer conversion webhook points at a missing Service',
  },
  RESOURCE_OUTSIDE_NAMESPACE: {
    severity: 'warning',
    fix: null,
    title: 'a MetalLB object outside the MetalLB namespace is ignored',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type FindingCode = keyof typeof CATALOGUE;

export const FINDING_CODES = Object.keys(CATALOGUE) as FindingCode[];

export function isFindingCode(code: string): code is FindingCode {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, code);
}

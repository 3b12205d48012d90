/**
 * The data model of the drift engine: what goes in (a {@link Snapshot}) and what comes out (a {@link Report}).
 * The report shape is a public contract (docs/findings.md): scripts of users and our own views read it.
 */
import type { FixName } from '../fixes/fix-names';

/** Severity of a finding, most severe first in every ordering. */
export type Severity = 'critical' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** Names of the remediations a finding can point at: the one list is src/fixes/fix-names.ts. */
export { FIX_NAMES, type FixName } from '../fixes/fix-names';

/** The Kubernetes resource a finding is attached to. `namespace` is null for cluster-scoped kinds. */
export interface ResourceRef {
  kind: string;
  namespace: string | null;
  name: string;
}

/** One drift finding, exactly as findings.md specifies it. */
export interface Finding {
  /** First 16 hex characters of SHA-256 over `code|kind|namespace|name`. Stable across runs. */
  id: string;
  code: string;
  severity: Severity;
  resource: ResourceRef;
  /** One sentence a person can act on. */
  message: string;
  /** Evidence as data; camelCase keys (`ips`, `entries`, `missing`, ...). */
  details: Record<string, unknown>;
  fix: FixName | null;
}

export interface ReportSummary {
  critical: number;
  warning: number;
  info: number;
  muted: number;
  services: number;
  pools: number;
  advertisements: number;
}

/** The report object of `check --output json` (schemaVersion 1). */
export interface Report {
  schemaVersion: 1;
  source: string;
  generatedAt: string;
  metallb: { namespace: string; version: string | null };
  summary: ReportSummary;
  notes: string[];
  findings: Finding[];
}

/** Object metadata as the engine reads it. Every field may be missing in a malformed dump. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: { time?: string; manager?: string; operation?: string }[];
  ownerReferences?: { kind?: string; name?: string; uid?: string }[];
  [key: string]: unknown;
}

/**
 * A Kubernetes object as read from a dump or the API. Only `kind` is guaranteed (the loader drops objects
 * without one); everything else is `unknown` until read through the safe accessors of `fields.ts`.
 */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** Log text of one pod's `controller` or `speaker` container. */
export interface PodLog {
  namespace: string;
  pod: string;
  text: string;
}

/** Prometheus text exposition of one pod. */
export interface PodMetrics {
  namespace: string;
  pod: string;
  text: string;
}

/** Everything the engine looks at, from a dump or a live cluster. */
export interface Snapshot {
  /** Objects of the kinds in {@link ENGINE_KINDS}; anything else is dropped by the loaders. */
  objects: KubeObject[];
  logs: PodLog[];
  metrics: PodMetrics[];
  /** What the reader could not read, or chose between (duplicates), in user words. Copied into the report. */
  notes: string[];
  /** `context NAME`, `in-cluster`, `file A, file B` or `stdin`. */
  source: string;
}

/** Kinds the engine reads. Anything else in a dump is ignored. */
export const ENGINE_KINDS: readonly string[] = [
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'BFDProfile',
  'Community',
  'AddressPool',
  'ConfigurationState',
  'ServiceL2Status',
  'ServiceBGPStatus',
  'Service',
  'Event',
  'Pod',
  'Node',
  'Deployment',
  'DaemonSet',
  'ConfigMap',
  'CustomResourceDefinition',
  // Not in the list, but a pool's serviceAllocation.namespaceSelectors cannot be evaluated without the
  // labels of namespaces; `kubectl get ns` is cheap and read-only.
  'Namespace',
];

/** A mute: an accepted finding (findings.md, "Mutes"). */
export interface Mute {
  /** `m-` and 8 hex characters. */
  id: string;
  /** Matches a finding id exactly, when set. */
  findingId?: string;
  /** Matches a code, with the optional resource pattern below, when set. */
  code?: string;
  /** Each exact or `*`; `-` for a null namespace. Missing means `*`. */
  kind?: string;
  namespace?: string;
  name?: string;
  reason: string;
  /** ISO-8601; the mute no longer applies at or after this time. */
  expires?: string;
}

/** Settings the engine takes from its caller. */
export interface AnalysisSettings {
  /** Overrides the namespace found from the controller's labels. */
  metallbNamespace?: string;
}

/** Input of {@link analyze} besides the snapshot. */
export interface AnalysisOptions {
  now: Date;
  settings?: AnalysisSettings;
  mutes?: readonly Mute[];
}

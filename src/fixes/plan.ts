/**
 * The plan of a fix: the preview a human approves (issue 9, "Requesting a fix and seeing its plan"). It names
 * every object deleted, created, replaced or patched (with the patch), per step every service whose IP could
 * change or that loses its address and why, the backup taken first, the expected effect and GitOps warnings.
 * Its hash binds an approval to exactly what the approver saw.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, ResourceRef } from '../drift/model';
import type { FixName, FixRisk } from './fix-names';

/** An object a step touches. `resourceVersion` is the version read, the executor's write precondition. */
export interface PlanObjectRef extends ResourceRef {
  resourceVersion?: string;
}

/** A JSON merge patch (RFC 7386): `null` removes a key. */
export type MergePatch = Record<string, unknown>;

export type PlanAction =
  | { action: 'delete'; object: PlanObjectRef }
  /** Create from this manifest (a backup's copy; a BGPPeer password is never shown, see `passwordFrom`). */
  | { action: 'create'; object: PlanObjectRef; manifest: KubeObject; passwordFrom?: PasswordSource }
  /** Replace the whole object with this manifest (an update, so it never disappears). */
  | { action: 'replace'; object: PlanObjectRef; manifest: KubeObject; passwordFrom?: PasswordSource }
  | { action: 'patch'; object: PlanObjectRef; subresource?: 'status'; patch: MergePatch }
  /** `kubectl rollout restart`: sets the restartedAt annotation of the pod template to the step's time. */
  | { action: 'restart'; object: PlanObjectRef }
  /** Take a backup of the config objects and every handled service's IPs. */
  | { action: 'backup'; objects: PlanObjectRef[] };

/** Where a re-created BGPPeer's password comes from: it is never part of a plan's text. */
export type PasswordSource = 'backup' | 'cluster' | 'proposal' | 'none';

export type PlanWait =
  /** The controller has processed the deletion (ConfigurationState on 0.15.3+, events and status otherwise). */
  | { wait: 'controller-saw-deletion'; object: PlanObjectRef }
  /** Each pinned service holds these IPs again. */
  | { wait: 'services-hold-ips'; services: ServiceIps[] }
  | { wait: 'rollout-complete'; object: PlanObjectRef }
  /** The service got a new IP inside a pool that allows it. */
  | { wait: 'new-ip'; service: string }
  /**
   * apply-config: the controller took the config this step wrote. A rejection fails the step (ConfigurationState
   * Invalid on 0.15.3+; otherwise a `failed to parse the configuration` / `reload failed` / `applying new
   * configuration failed` log line or the stale metric turning 1 since the step). With `reload`, the step also
   * waits for the positive sign (a `config reloaded` line, or the step's predicted moves seen): the controller
   * reloads on IPAddressPool changes only.
   */
  | { wait: 'config-accepted'; object: PlanObjectRef; reload: boolean }
  /**
   * apply-config: services as the preview predicted, checked after the step. `moved` got (or lost, for
   * `loses-address`) their address by the end of this step, each new IP inside one of `pools`; every other
   * handled service holds the IPs it held before the first step, except those an earlier step moved and those in
   * `mayMove`: services whose IPs today's config already refuses, which the controller may reassign at any reload.
   */
  | { wait: 'services-as-predicted'; moved: PredictedMove[]; mayMove?: string[] };

/** A service the preview says changes address in a step of an apply-config plan. */
export interface PredictedMove {
  /** `namespace/name`. */
  service: string;
  /** Its IPs before the step. */
  from: string[];
  /** `ip-changes`: a new IP from `pools`; `gets-address`: a first IP from `pools`; `loses-address`: none left. */
  impact: 'ip-changes' | 'gets-address' | 'loses-address';
  /** The pools a new IP must lie in (empty for `loses-address`). */
  pools: string[];
  /** The exact new IP, when MetalLB's choice is certain. */
  ip: string | null;
}

export interface ServiceIps {
  /** `namespace/name`. */
  service: string;
  ips: string[];
}

/** What a step does to a service's address. */
export type ServiceImpactKind =
  /** Cleared while the step runs, given back (pinned) when it ends. */
  | 'loses-address'
  /** Keeps its IP but is not announced while the step runs. */
  | 'unannounced'
  /** Gets a different IP. */
  | 'ip-changes'
  /** Could get a different IP: the plan cannot keep it (say why). */
  | 'ip-may-change'
  /** A pending service gets an address (apply-config). */
  | 'gets-address';

export interface ServiceImpact extends ServiceIps {
  impact: ServiceImpactKind;
  why: string;
}

export interface PlanStep {
  /** One line: "re-create IPAddressPool prod". */
  title: string;
  actions: PlanAction[];
  waits: PlanWait[];
  services: ServiceImpact[];
}

export interface PlanWarning {
  /**
   * `gitops`: a controller may revert us; `password`: a peer comes back without one; `version`: the MetalLB
   * version limits what the plan can promise; `skipped`: an object left alone; `cluster`: a backup of another.
   */
  kind: 'gitops' | 'password' | 'version' | 'skipped' | 'cluster';
  text: string;
}

export interface Plan {
  fix: FixName;
  cluster: string;
  namespace: string;
  metallbVersion: string | null;
  risk: FixRisk;
  /** The targets the plan acts on (Service `namespace/name`s, or the backup id of a restore). */
  targets: string[];
  /** Targets given but dropped, each with the reason (no longer has its finding, not found). */
  dropped: { target: string; reason: string }[];
  /** The backup taken before the first step (every fix takes one): the config objects it holds, and how many services. */
  backup: { objects: PlanObjectRef[]; services: number };
  /** The backup a restore makes the config equal to. */
  restoreFrom?: string;
  /** apply-config: the preview the plan carries out; its hash is part of the plan's, so a changed preview stops the run. */
  preview?: PlanPreview;
  steps: PlanStep[];
  /** What the fix achieves, in one or two sentences. */
  effect: string;
  warnings: PlanWarning[];
  /** ISO time the plan was built: shown, but not part of the hash. */
  builtAt: string;
  /** See {@link planHash}. */
  hash: string;
}

/** What an apply-config plan keeps of its preview (src/preview): the proposal, the verdict and the hash. */
export interface PlanPreview {
  hash: string;
  source: string;
  prune: boolean;
  verdict: 'accepted';
  /** Services whose address the whole change moves or takes away. */
  addressChanges: number;
  /** Config objects created, replaced and deleted. */
  changes: { action: 'create' | 'replace' | 'delete'; kind: string; name: string }[];
}

/** Keys a plan carries that the approval does not bind: rebuilding the same plan later gives the same hash. */
const UNHASHED_KEYS = new Set(['resourceVersion', 'builtAt', 'hash']);

/**
 * JSON with object keys sorted at every level and unhashed keys dropped, so the same content always gives the
 * same text whatever order it was built in.
 */
export function canonicalJson(value: unknown, skip: ReadonlySet<string> = new Set()): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, skip)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([key, v]) => v !== undefined && !skip.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, skip)}`).join(',')}}`;
}

/**
 * The hash of what the approver saw: fix, cluster, targets, objects, patches, services and their IPs, waits and
 * warnings; not resourceVersions (a status write by MetalLB bumps them without changing the plan) and not the
 * build time. SHA-256, hex.
 */
export function planHash(plan: Omit<Plan, 'hash'> | Plan): string {
  return createHash('sha256').update(canonicalJson(plan, UNHASHED_KEYS)).digest('hex');
}

/** The plan with its hash filled in. */
export function sealPlan(plan: Omit<Plan, 'hash'>): Plan {
  return { ...plan, hash: planHash(plan) };
}

/** The short form of a hash shown to people (12 hex characters, like a git short id). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** What a request for a plan answers: a plan, nothing to do, or a refusal with what to do instead. */
export type PlanOutcome =
  | { kind: 'plan'; plan: Plan }
  | {
      kind: 'nothing-to-fix';
      fix: FixName;
      cluster: string;
      message: string;
      dropped: { target: string; reason: string }[];
    }
  | { kind: 'refused'; fix: FixName; cluster: string; reason: string; suggestion: string };

/** `namespace/name` of a service ref. */
export function serviceKey(ref: { namespace: string | null; name: string }): string {
  return `${ref.namespace ?? ''}/${ref.name}`;
}

/** Every service a plan's steps name, with the impacts, for the "services" part of a summary. */
export function impactedServices(plan: Plan): ServiceImpact[] {
  return plan.steps.flatMap((step) => step.services);
}

/**
 * A proposal applied to a snapshot: the proposed MetalLB config objects create or replace their namesakes, and
 * with `prune` every config object of the MetalLB namespace they do not name is deleted (a GitOps directory is
 * the whole desired config). Everything else of the snapshot (services, components, logs) stays as read.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../fixes/plan';
import { cloneJson, configKey, CONFIG_KINDS, isConfigKind, stripRuntime } from '../fixes/config-objects';
import { labelsOf, nameOf, namespaceOf } from '../drift/fields';
import type { KubeObject, Snapshot } from '../drift/model';

export type ChangeAction = 'create' | 'replace' | 'delete';

/** One config object the proposal changes, `Kind/name` in the MetalLB namespace. */
export interface ConfigChange {
  action: ChangeAction;
  kind: string;
  name: string;
  /** sha256 of the labels, annotations and spec to apply (null for a delete): binds the preview to the content. */
  digest: string | null;
}

export interface AppliedProposal {
  snapshot: Snapshot;
  changes: ConfigChange[];
  /** Config objects the proposal names with the same labels and spec as today. */
  unchanged: number;
  /** Objects of the proposal that preview leaves out, in user words. */
  notes: string[];
}

export interface ProposalOptions {
  namespace: string;
  prune: boolean;
  /** Where the proposal came from, for the snapshot's source. */
  source: string;
}

const digestOf = (obj: KubeObject): string => createHash('sha256').update(configuredPart(obj)).digest('hex');

/** What a change compares: what a user configures of the object. */
function configuredPart(obj: KubeObject): string {
  const copy = stripRuntime(obj);
  return canonicalJson({
    labels: labelsOf(copy),
    annotations: copy.metadata?.annotations ?? {},
    spec: copy.spec ?? {},
  });
}

/**
 * The config objects of a proposal that MetalLB would read, each placed in the MetalLB namespace when it names
 * none; notes for what is left out (other kinds, other namespaces), as a GitOps directory holds more than MetalLB.
 */
export function proposedConfigObjects(
  objects: readonly KubeObject[],
  namespace: string,
): { objects: KubeObject[]; notes: string[] } {
  const kept: KubeObject[] = [];
  const otherKinds: string[] = [];
  const otherNamespaces: string[] = [];
  for (const obj of objects) {
    if (!isConfigKind(obj.kind)) {
      otherKinds.push(`${obj.kind}/${nameOf(obj)}`);
      continue;
    }
    const ns = namespaceOf(obj);
    if (ns !== null && ns !== namespace) {
      otherNamespaces.push(`${configKey(obj)} in ${ns}`);
      continue;
    }
    const copy = cloneJson(obj);
    copy.metadata = { ...(copy.metadata ?? {}), namespace };
    kept.push(copy);
  }
  const notes: string[] = [];
  if (otherKinds.length > 0)
    notes.push(`the proposal's objects that are not MetalLB config are left out: ${otherKinds.join(', ')}`);
  if (otherNamespaces.length > 0)
    notes.push(
      `the proposal's objects outside ${namespace} are left out (MetalLB reads config only there): ${otherNamespaces.join(', ')}`,
    );
  return { objects: kept, notes };
}

/**
 * What the server keeps of an object on a replace: identity, creation time and managed fields. Keeping the
 * latter two keeps the engine's "last config change" where it is, so time-based findings (a speaker older than the
 * config) neither appear nor resolve because of a preview. Labels and annotations are the proposal's.
 */
function serverFields(obj: KubeObject): Record<string, unknown> {
  const { uid, resourceVersion, creationTimestamp, managedFields } = obj.metadata ?? {};
  const kept = { uid, resourceVersion, creationTimestamp, managedFields };
  return Object.fromEntries(Object.entries(kept).filter(([, value]) => value !== undefined));
}

/** Applies the proposal to the snapshot: the snapshot the cluster would hold right after `kubectl apply`. */
export function applyProposal(
  current: Snapshot,
  proposal: readonly KubeObject[],
  options: ProposalOptions,
): AppliedProposal {
  const { objects: proposed, notes } = proposedConfigObjects(proposal, options.namespace);
  const byKey = new Map(proposed.map((o) => [configKey(o), o]));
  const changes: ConfigChange[] = [];
  let unchanged = 0;
  const seen = new Set<string>();
  const objects: KubeObject[] = [];
  for (const obj of current.objects) {
    if (!isConfigKind(obj.kind) || namespaceOf(obj) !== options.namespace) {
      objects.push(obj);
      continue;
    }
    const key = configKey(obj);
    const replacement = byKey.get(key);
    if (replacement === undefined) {
      if (options.prune) changes.push({ action: 'delete', kind: obj.kind, name: nameOf(obj), digest: null });
      else objects.push(obj);
      continue;
    }
    seen.add(key);
    if (configuredPart(obj) === configuredPart(replacement)) {
      unchanged++;
      objects.push(obj);
      continue;
    }
    changes.push({ action: 'replace', kind: obj.kind, name: nameOf(obj), digest: digestOf(replacement) });
    objects.push({ ...replacement, metadata: { ...serverFields(obj), ...replacement.metadata } });
  }
  for (const obj of proposed) {
    if (seen.has(configKey(obj))) continue;
    changes.push({ action: 'create', kind: obj.kind, name: nameOf(obj), digest: digestOf(obj) });
    objects.push(obj);
  }
  changes.sort(compareChanges);
  return {
    snapshot: { ...current, objects, source: `${current.source} + ${options.source}` },
    changes,
    unchanged,
    notes,
  };
}

/** Changes in dependency order of kinds, then by name, so reports and hashes do not depend on file order. */
export function compareChanges(a: ConfigChange, b: ConfigChange): number {
  const ka = CONFIG_KINDS.indexOf(a.kind as (typeof CONFIG_KINDS)[number]);
  const kb = CONFIG_KINDS.indexOf(b.kind as (typeof CONFIG_KINDS)[number]);
  return ka - kb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.action.localeCompare(b.action);
}

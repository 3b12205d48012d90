/**
 * MetalLB's config objects as a backup holds them: the kinds, their order, and the runtime fields stripped so a
 * re-created object equals the backup's copy.
 */
import { at, nameOf, namespaceOf } from '../drift/fields';
import type { KubeObject } from '../drift/model';

/**
 * The config kinds in dependency order: what a BGPPeer or an advertisement names comes first, so re-creating
 * in this order never makes the webhook or the speaker see a dangling reference.
 */
export const CONFIG_KINDS = [
  'BFDProfile',
  'Community',
  'IPAddressPool',
  'BGPPeer',
  'L2Advertisement',
  'BGPAdvertisement',
] as const;

export type ConfigKind = (typeof CONFIG_KINDS)[number];

export function isConfigKind(kind: string): kind is ConfigKind {
  return (CONFIG_KINDS as readonly string[]).includes(kind);
}

/** Written by the API server or by `kubectl apply`: never part of what a user configured. */
const RUNTIME_METADATA = [
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  // An ownerReference names its owner by uid: after the owner is re-created, a restored object would point at
  // a uid that no longer exists and the garbage collector would delete it at once. Ownership is reported by
  // the plan's GitOps warning instead.
  'ownerReferences',
];

/** Holds a full copy of the object as last applied, BGPPeer passwords included. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A deep copy of a JSON value (objects from YAML or the API are plain data). */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The object without runtime fields: what `kubectl apply` of the backup would send. */
export function stripRuntime(obj: KubeObject): KubeObject {
  const copy = cloneJson(obj);
  delete copy.status;
  const metadata = copy.metadata;
  if (metadata !== undefined) {
    for (const key of RUNTIME_METADATA) delete metadata[key];
    const annotations = metadata.annotations;
    if (annotations !== undefined && typeof annotations === 'object') {
      delete annotations[LAST_APPLIED];
      if (Object.keys(annotations).length === 0) delete metadata.annotations;
    }
  }
  return copy;
}

/** `Kind/name`, how a plan and a backup name a config object (all live in the MetalLB namespace). */
export function configKey(obj: KubeObject): string {
  return `${obj.kind}/${nameOf(obj)}`;
}

/** Orders config objects by kind (dependency order), then name. */
export function compareConfigObjects(a: KubeObject, b: KubeObject): number {
  const ka = CONFIG_KINDS.indexOf(a.kind as ConfigKind);
  const kb = CONFIG_KINDS.indexOf(b.kind as ConfigKind);
  if (ka !== kb) return ka - kb;
  const na = nameOf(a);
  const nb = nameOf(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** The config objects of a namespace, stripped and in dependency order. */
export function configObjectsIn(objects: readonly KubeObject[], namespace: string): KubeObject[] {
  return objects
    .filter((o) => isConfigKind(o.kind) && namespaceOf(o) === namespace)
    .map(stripRuntime)
    .sort(compareConfigObjects);
}

/** The BGPPeer password, when set. */
export function peerPassword(obj: KubeObject): string | undefined {
  const password = at(obj, 'spec', 'password');
  return typeof password === 'string' && password !== '' ? password : undefined;
}

/** Duplicate handling of the dump layout: one object per (kind, namespace, name). */
import type { KubeObject } from '../drift/model';

export interface SourcedObject {
  obj: KubeObject;
  /** The file (or `stdin`) the object came from, for notes. */
  file: string;
}

const keyOf = (obj: KubeObject): string =>
  JSON.stringify([obj.kind, obj.metadata?.namespace ?? null, obj.metadata?.name ?? null]);

/** JSON with sorted keys, so that copies differing only in key order count as identical. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Compares resourceVersions. They are opaque strings to clients, but etcd-backed servers use integers, so
 * numeric comparison is right in practice; anything else falls back to text order.
 */
function compareResourceVersions(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : 1;
}

const resourceVersionOf = (obj: KubeObject): string | undefined => {
  const rv = obj.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
};

function label(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '(no name)';
  return `${obj.kind} ${typeof ns === 'string' ? `${ns}/` : ''}${name}`;
}

const rvText = (obj: KubeObject): string => resourceVersionOf(obj) ?? 'none';

/**
 * Keeps one copy per (kind, namespace, name), in first-seen order. Only objects whose key was seen before are
 * serialised: a dump without duplicates costs one map lookup per object.
 */
export function mergeObjects(items: readonly SourcedObject[]): { objects: KubeObject[]; notes: string[] } {
  const kept = new Map<string, SourcedObject>();
  // The canonical text of a kept copy, made the first time another copy of its key turns up.
  const texts = new Map<string, string>();
  const notes: string[] = [];
  for (const item of items) {
    const key = keyOf(item.obj);
    const previous = kept.get(key);
    if (previous === undefined) {
      kept.set(key, item);
      continue;
    }
    let previousText = texts.get(key);
    if (previousText === undefined) texts.set(key, (previousText = canonical(previous.obj)));
    const text = canonical(item.obj);
    if (previousText === text) continue;
    // On a tie the first copy stays: the order of --from-file is the user's, so it is predictable.
    const newer = compareResourceVersions(resourceVersionOf(item.obj), resourceVersionOf(previous.obj)) > 0;
    const winner = newer ? item : previous;
    const why =
      newer || compareResourceVersions(resourceVersionOf(previous.obj), resourceVersionOf(item.obj)) > 0
        ? 'higher resourceVersion'
        : 'same resourceVersion, first read';
    notes.push(
      `${label(item.obj)} differs between ${previous.file} (resourceVersion ${rvText(previous.obj)}) and ` +
        `${item.file} (resourceVersion ${rvText(item.obj)}); kept the copy from ${winner.file} (${why})`,
    );
    if (newer) {
      kept.set(key, item);
      texts.set(key, text);
    }
  }
  return { objects: [...kept.values()].map((k) => k.obj), notes };
}

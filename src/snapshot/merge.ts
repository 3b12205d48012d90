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
 * Where the kept copy of each (kind, namespace, name) sits. The first level is the object's name, a string the
 * dump already holds: an object whose name is unique costs one lookup and builds nothing. A name shared by
 * several objects (of other kinds or namespaces) gets a map of its own by the full key.
 */
class CopyIndex {
  private readonly byName = new Map<string, number | Map<string, number>>();
  /** Objects without a string name, by their full key. */
  private readonly unnamed = new Map<string, number>();

  constructor(private readonly kept: readonly SourcedObject[]) {}

  find(obj: KubeObject): number | undefined {
    const name = obj.metadata?.name;
    if (typeof name !== 'string') return this.unnamed.get(keyOf(obj));
    const entry = this.byName.get(name);
    if (entry === undefined) return undefined;
    if (typeof entry !== 'number') return entry.get(keyOf(obj));
    return keyOf((this.kept[entry] as SourcedObject).obj) === keyOf(obj) ? entry : undefined;
  }

  /** Records a key that `find` did not know. */
  add(obj: KubeObject, at: number): void {
    const name = obj.metadata?.name;
    if (typeof name !== 'string') {
      this.unnamed.set(keyOf(obj), at);
      return;
    }
    const entry = this.byName.get(name);
    if (entry === undefined) this.byName.set(name, at);
    else if (typeof entry !== 'number') entry.set(keyOf(obj), at);
    else {
      const first = keyOf((this.kept[entry] as SourcedObject).obj);
      this.byName.set(
        name,
        new Map([
          [first, entry],
          [keyOf(obj), at],
        ]),
      );
    }
  }
}

/**
 * Keeps one copy per (kind, namespace, name), in first-seen order. Only objects whose key was seen before are
 * serialised: a dump without duplicates costs one map lookup per object.
 */
export function mergeObjects(items: readonly SourcedObject[]): { objects: KubeObject[]; notes: string[] } {
  const kept: SourcedObject[] = [];
  const index = new CopyIndex(kept);
  // The canonical text of a kept copy, made the first time another copy of its key turns up.
  const texts = new Map<number, string>();
  const notes: string[] = [];
  for (const item of items) {
    const at = index.find(item.obj);
    if (at === undefined) {
      index.add(item.obj, kept.length);
      kept.push(item);
      continue;
    }
    const previous = kept[at] as SourcedObject;
    let previousText = texts.get(at);
    if (previousText === undefined) texts.set(at, (previousText = canonical(previous.obj)));
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
      kept[at] = item;
      texts.set(at, text);
    }
  }
  return { objects: kept.map((k) => k.obj), notes };
}

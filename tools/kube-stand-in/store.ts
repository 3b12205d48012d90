import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../src/drift/model';
import { apiVersionOf, type ResourceType } from './kinds';
import { notFound, StatusError } from './status';

export type ChangeListener = (
  type: ResourceType,
  obj: KubeObject,
  verb: 'create' | 'update' | 'delete',
) => void;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Kubernetes writes metadata times at second precision. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function metaOf(obj: KubeObject): NonNullable<KubeObject['metadata']> {
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
  return obj.metadata;
}

/**
 * The objects of the stand-in, keyed by resource type, namespace and name. Every write bumps one cluster-wide
 * resourceVersion counter, as etcd's revision does, so lists and objects carry increasing versions.
 */
export class ObjectStore {
  private readonly items = new Map<string, Map<string, KubeObject>>();
  private revision = 0;
  private readonly views = new Map<string, { revision: number; items: readonly KubeObject[] }>();
  private readonly listeners: ChangeListener[] = [];

  get resourceVersion(): string {
    return String(this.revision);
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const key = `${type.group}/${type.plural}`;
    let bucket = this.items.get(key);
    if (bucket === undefined) {
      bucket = new Map();
      this.items.set(key, bucket);
    }
    return bucket;
  }

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return type.namespaced ? `${namespace ?? ''}/${name}` : name;
  }

  /** Adds an object as seeded: keeps the metadata it has, fills uid and resourceVersion when missing. */
  seed(type: ResourceType, obj: KubeObject): void {
    const copy = clone(obj);
    const meta = metaOf(copy);
    if (typeof meta.name !== 'string') return;
    this.revision += 1;
    meta.uid ??= randomUUID();
    meta.resourceVersion = String(this.revision);
    meta.creationTimestamp ??= now();
    copy.apiVersion = apiVersionOf(type.group, type.storageVersion);
    this.bucket(type).set(this.key(type, meta.namespace, meta.name), copy);
  }

  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.listView(type, namespace).map(clone);
  }

  /**
   * The sorted objects of a type without copies, for paginated reads: a list of 50k objects read 500 at a time
   * must not sort and copy all of them for every page. Cached until the next write. Callers must not mutate.
   */
  listView(type: ResourceType, namespace?: string): readonly KubeObject[] {
    const key = `${type.group}/${type.plural}/${namespace ?? '*'}`;
    const cached = this.views.get(key);
    if (cached && cached.revision === this.revision) return cached.items;
    const items = [...this.bucket(type).values()]
      .filter((o) => namespace === undefined || o.metadata?.namespace === namespace)
      .map((o) => ({ o, k: sortKey(o) }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
      .map((x) => x.o);
    this.views.set(key, { revision: this.revision, items });
    return items;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.bucket(type).get(this.key(type, namespace, name));
    if (found === undefined) throw notFound(type, name);
    return clone(found);
  }

  create(type: ResourceType, namespace: string | undefined, obj: KubeObject): KubeObject {
    const copy = clone(obj);
    const meta = metaOf(copy);
    if (typeof meta.name !== 'string' || meta.name === '') {
      if (typeof meta.generateName !== 'string') {
        throw new StatusError(
          422,
          'Invalid',
          `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        );
      }
      meta.name = `${meta.generateName}${randomUUID().slice(0, 5)}`;
    }
    const name = meta.name;
    const key = this.key(type, namespace, name);
    if (this.bucket(type).has(key)) {
      const resource = type.group === '' ? type.plural : `${type.plural}.${type.group}`;
      throw new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    if (type.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    this.revision += 1;
    meta.uid = randomUUID();
    meta.resourceVersion = String(this.revision);
    meta.creationTimestamp = now();
    meta.generation = 1;
    copy.apiVersion = apiVersionOf(type.group, type.storageVersion);
    copy.kind = type.kind;
    this.bucket(type).set(key, copy);
    this.emit(type, copy, 'create');
    return clone(copy);
  }

  /**
   * Replaces an object. A resourceVersion in the new object must match the stored one (optimistic
   * concurrency, 409 otherwise). For kinds with a status subresource the main resource keeps its status and
   * the status subresource keeps everything but status.
   */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    obj: KubeObject,
    subresource?: 'status',
  ): KubeObject {
    const current = this.get(type, namespace, name);
    const next = clone(obj);
    const meta = metaOf(next);
    const rv = meta.resourceVersion;
    if (typeof rv === 'string' && rv !== '' && rv !== current.metadata?.resourceVersion) {
      const resource = type.group === '' ? type.plural : `${type.plural}.${type.group}`;
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: type.group, kind: type.plural },
      );
    }
    let stored: KubeObject;
    if (subresource === 'status') {
      stored = { ...current, status: next.status };
    } else {
      stored = next;
      if (type.hasStatus) {
        if (current.status === undefined) delete stored.status;
        else stored.status = current.status;
      }
      const currentMeta = metaOf(current);
      const storedMeta = metaOf(stored);
      storedMeta.uid = currentMeta.uid;
      storedMeta.creationTimestamp = currentMeta.creationTimestamp;
      storedMeta.name = name;
      if (type.namespaced) storedMeta.namespace = namespace;
      const specChanged = JSON.stringify(current.spec) !== JSON.stringify(stored.spec);
      const generation = typeof currentMeta.generation === 'number' ? currentMeta.generation : 1;
      storedMeta.generation = specChanged ? generation + 1 : generation;
    }
    this.revision += 1;
    metaOf(stored).resourceVersion = String(this.revision);
    stored.apiVersion = apiVersionOf(type.group, type.storageVersion);
    stored.kind = type.kind;
    this.bucket(type).set(this.key(type, namespace, name), stored);
    this.emit(type, stored, 'update');
    return clone(stored);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const current = this.get(type, namespace, name);
    this.bucket(type).delete(this.key(type, namespace, name));
    this.revision += 1;
    this.emit(type, current, 'delete');
    return current;
  }

  private emit(type: ResourceType, obj: KubeObject, verb: 'create' | 'update' | 'delete'): void {
    for (const listener of this.listeners) listener(type, clone(obj), verb);
  }
}

function sortKey(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

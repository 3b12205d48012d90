import type { KubeObject, Snapshot } from '../../src/drift/model';
import { BUILTIN_TYPES, TypeRegistry, typeFromCrd, typeFromObject, type ResourceType } from './kinds';
import { ObjectStore } from './store';

/** Everything the stand-in serves: resource types, objects, pod logs and pod metrics. */
export class Cluster {
  readonly registry = new TypeRegistry(BUILTIN_TYPES);
  readonly store = new ObjectStore();
  /** Pod log text by `namespace/pod`. */
  readonly logs = new Map<string, string>();
  /** Prometheus text by `namespace/pod`. */
  readonly metrics = new Map<string, string>();

  constructor(snapshot: Snapshot) {
    // CRDs first, so objects of their kinds take the CRD's plural and scope rather than a guess.
    for (const obj of snapshot.objects) {
      if (obj.kind === 'CustomResourceDefinition') this.addCrdType(obj);
    }
    for (const obj of snapshot.objects) {
      const type = this.typeOf(obj) ?? typeFromObject(obj);
      this.registry.add(type);
      this.store.seed(this.registry.forKind(obj.kind, type.group) ?? type, obj);
    }
    for (const log of snapshot.logs) this.logs.set(`${log.namespace}/${log.pod}`, log.text);
    for (const m of snapshot.metrics) this.metrics.set(`${m.namespace}/${m.pod}`, m.text);
    this.store.onChange((type, obj, verb) => {
      if (type.kind === 'CustomResourceDefinition' && verb !== 'delete') this.addCrdType(obj);
    });
  }

  private addCrdType(crd: KubeObject): void {
    const type = typeFromCrd(crd);
    if (type) this.registry.add(type);
  }

  private typeOf(obj: KubeObject): ResourceType | undefined {
    const group = (obj.apiVersion ?? '').includes('/') ? (obj.apiVersion ?? '').split('/')[0] : '';
    return this.registry.forKind(obj.kind, group);
  }

  /** Deep copies of the current objects, of one kind or all. */
  objects(kind?: string): KubeObject[] {
    return this.registry
      .all()
      .filter((t) => kind === undefined || t.kind === kind)
      .flatMap((t) => this.store.list(t));
  }

  typeForKind(kind: string): ResourceType | undefined {
    return this.registry.forKind(kind);
  }

  appendLog(namespace: string, pod: string, lines: string[]): void {
    const key = `${namespace}/${pod}`;
    const text = this.logs.get(key) ?? '';
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    this.logs.set(key, `${text}${sep}${lines.map((l) => `${l}\n`).join('')}`);
  }
}

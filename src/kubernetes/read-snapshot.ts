/**
 * Reads a live cluster into the same Snapshot the dump loader builds: every kind the engine reads, page by page,
 * then the controller's and speakers' logs and metrics. What cannot be read becomes a note; only the essential
 * kinds (Services, IPAddressPools, L2/BGPAdvertisements) fail the read, so a check never reports a false all-clear.
 */
import { lastConfigChangeOf } from '../drift/context';
import {
  componentSelectors,
  DEFAULT_NAMESPACE,
  isControllerObject,
  isSpeakerObject,
  METALLB_GROUP,
} from '../drift/metallb-facts';
import { nameOf, namespaceOf, str } from '../drift/fields';
import type { KubeObject, PodLog, PodMetrics, Snapshot } from '../drift/model';
import { AppError } from '../errors';
import { messageOf, statusOf } from './errors';
import type { KubeClient } from './client';
import { apiVersionOf, kindInfo, READ_KINDS, resourcePath, targetOf, type KindInfo } from './kinds';
import { logWindow } from './log-window';
import { metricsProxyName } from './pods';

export interface ReadSnapshotOptions {
  source: string;
  now: Date;
  pageSize?: number;
  metallbNamespace?: string;
  progress?: (line: string) => void;
}

/** Errors that say the cluster itself is not usable: never turned into a note. */
function isClusterFailure(error: unknown): boolean {
  return (
    error instanceof AppError &&
    ['E_CLUSTER_TIMEOUT', 'E_CLUSTER_UNREACHABLE', 'E_KUBECONFIG'].includes(error.code)
  );
}

/** For one pod's log or metrics a timeout is that pod's kubelet being slow, not the cluster being down. */
function isBrokenCluster(error: unknown): boolean {
  return isClusterFailure(error) && !(error instanceof AppError && error.code === 'E_CLUSTER_TIMEOUT');
}

interface KindRead {
  objects: KubeObject[];
  notes: string[];
}

class SnapshotReader {
  constructor(
    private readonly client: KubeClient,
    private readonly options: ReadSnapshotOptions,
  ) {}

  private progress(line: string): void {
    this.options.progress?.(line);
  }

  private async list(
    info: KindInfo,
    namespace: string | undefined,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const where = namespace === undefined ? (info.namespaced ? 'all namespaces' : 'cluster') : namespace;
    const label = `${info.group ? `${info.plural}.${info.group}` : info.plural} (${where})`;
    const items = await this.client.list(resourcePath(info, namespace), targetOf(info, 'list', namespace), {
      pageSize: this.options.pageSize,
      labelSelector,
      fieldSelector: info.fieldSelector,
      onPage: (pages, count) => this.progress(`${label}: page ${pages}, ${count} items`),
    });
    // Items of typed lists come without kind and apiVersion; dumps made by kubectl carry them.
    return items.map((item) => ({ apiVersion: apiVersionOf(info), kind: info.kind, ...item }) as KubeObject);
  }

  /** The namespace of the controller Deployment, found by either label scheme. */
  async findNamespace(notes: string[]): Promise<string> {
    const deployments = kindInfo('Deployment');
    const selectors = componentSelectors('controller');
    try {
      const found = (await Promise.all(selectors.map((s) => this.list(deployments, undefined, s)))).flat();
      const namespaces = [...new Set(found.map((d) => namespaceOf(d) ?? ''))].filter((n) => n !== '').sort();
      if (namespaces.length > 1) {
        notes.push(
          `MetalLB controllers found in several namespaces (${namespaces.join(', ')}); checked ${namespaces[0]}`,
        );
      }
      if (namespaces[0] !== undefined) return namespaces[0];
      notes.push(
        `no MetalLB controller Deployment found by its labels; assumed namespace ${DEFAULT_NAMESPACE}`,
      );
    } catch (error) {
      if (isClusterFailure(error) || statusOf(error) !== 403) throw error;
      notes.push(
        `deployments.apps (all namespaces): forbidden (403); assumed MetalLB namespace ${DEFAULT_NAMESPACE} (pass --metallb-namespace to set it)`,
      );
    }
    return DEFAULT_NAMESPACE;
  }

  /** Reads one kind. Denials and missing kinds of optional kinds become notes; of essential kinds, errors. */
  async readKind(info: KindInfo, namespace: string): Promise<KindRead> {
    const notes: string[] = [];
    const scoped = info.scope === 'metallb-namespace' ? namespace : undefined;
    try {
      let objects: KubeObject[];
      try {
        objects = await this.list(info, scoped);
      } catch (error) {
        // Strays outside the MetalLB namespace are a bonus; the namespace itself is what MetalLB reads.
        if (info.group !== METALLB_GROUP || scoped !== undefined || statusOf(error) !== 403) throw error;
        notes.push(
          `${info.plural}.${info.group} (all namespaces): forbidden (403); objects outside ${namespace} not checked`,
        );
        objects = await this.list(info, namespace);
      }
      if (info.kind === 'CustomResourceDefinition') {
        objects = objects.filter((crd) => str(crd, 'spec', 'group') === METALLB_GROUP);
      }
      return { objects, notes };
    } catch (error) {
      // An essential kind that is not installed reads as empty (CRD_MISSING reports it); any other failure of it
      // would make the check a false all-clear.
      const skippable = info.essential ? statusOf(error) === 404 : !isClusterFailure(error);
      if (!skippable) throw error;
      notes.push(noteFor(info, scoped, error));
      return { objects: [], notes };
    }
  }

  async readLogsAndMetrics(
    objects: KubeObject[],
    namespace: string,
  ): Promise<{ logs: PodLog[]; metrics: PodMetrics[]; notes: string[] }> {
    const window = logWindow(this.options.now, lastConfigChangeOf(objects, namespace));
    const pods = objects
      .filter((p) => p.kind === 'Pod' && namespaceOf(p) === namespace)
      .filter((p) => isControllerObject(p) || isSpeakerObject(p))
      .filter((p) => str(p, 'status', 'phase') === 'Running');
    const logNotes = new NoteSet();
    const metricNotes = new NoteSet();
    const results = await Promise.all(
      pods.map(async (pod) => {
        const container = isControllerObject(pod) ? 'controller' : 'speaker';
        const [log, metric] = await Promise.all([
          this.readLog(pod, container, window, logNotes),
          this.readMetrics(pod, container, metricNotes),
        ]);
        return { log, metric };
      }),
    );
    this.progress(`logs and metrics: ${pods.length} pods`);
    return {
      logs: results.flatMap((r) => (r.log ? [r.log] : [])),
      metrics: results.flatMap((r) => (r.metric ? [r.metric] : [])),
      notes: [...logNotes.list(), ...metricNotes.list()],
    };
  }

  private async readLog(
    pod: KubeObject,
    container: string,
    window: { sinceSeconds: number; tailLines: number },
    notes: NoteSet,
  ): Promise<PodLog | undefined> {
    const namespace = namespaceOf(pod) ?? '';
    const name = nameOf(pod);
    const pods = kindInfo('Pod');
    try {
      const response = await this.client.request(
        {
          method: 'GET',
          path: resourcePath(pods, namespace, name, 'log'),
          query: { container, sinceSeconds: window.sinceSeconds, tailLines: window.tailLines },
          accept: 'text/plain, */*',
        },
        targetOf(pods, 'get', namespace, name, 'log'),
      );
      return { namespace, pod: name, text: response.text };
    } catch (error) {
      if (isBrokenCluster(error)) throw error;
      if (statusOf(error) === 403)
        notes.add(`pods/log in ${namespace}: forbidden (403); log-based checks skipped`);
      else
        notes.add(
          `log of pod ${namespace}/${name} (container ${container}) could not be read: ${messageOf(error)}`,
        );
      return undefined;
    }
  }

  private async readMetrics(
    pod: KubeObject,
    container: string,
    notes: NoteSet,
  ): Promise<PodMetrics | undefined> {
    const namespace = namespaceOf(pod) ?? '';
    const name = nameOf(pod);
    const proxyName = metricsProxyName(pod, container);
    if (proxyName === undefined) {
      notes.add(
        `pod ${namespace}/${name} has no container port named monitoring or metricshttps; its metrics were not read`,
      );
      return undefined;
    }
    const pods = kindInfo('Pod');
    try {
      const response = await this.client.request(
        {
          method: 'GET',
          path: `${resourcePath(pods, namespace, proxyName, 'proxy')}/metrics`,
          accept: 'text/plain, */*',
        },
        targetOf(pods, 'get', namespace, name, 'proxy'),
      );
      return { namespace, pod: name, text: response.text };
    } catch (error) {
      if (isBrokenCluster(error)) throw error;
      if (statusOf(error) === 403)
        notes.add(`pods/proxy in ${namespace}: forbidden (403); metric-based checks skipped`);
      else notes.add(`metrics of pod ${namespace}/${name} could not be read: ${messageOf(error)}`);
      return undefined;
    }
  }
}

/** Notes kept once each, sorted so concurrent reads give the same report every run. */
class NoteSet {
  private readonly notes = new Set<string>();
  add(note: string): void {
    this.notes.add(note);
  }
  list(): string[] {
    return [...this.notes].sort();
  }
}

function noteFor(info: KindInfo, namespace: string | undefined, error: unknown): string {
  const resource = info.group ? `${info.plural}.${info.group}` : info.plural;
  const where = namespace ?? (info.namespaced ? 'all namespaces' : 'cluster');
  const status = statusOf(error);
  if (status === 404)
    return `${resource} (${apiVersionOf(info)}) is not installed (404); ${info.kind} checks skipped`;
  if (status === 403) return `${resource} (${where}): forbidden (403); ${info.kind} checks skipped`;
  return `${resource} (${where}) could not be read; ${info.kind} checks skipped: ${messageOf(error)}`;
}

/**
 * Reads a snapshot through a cluster's client; the port's readSnapshot (metallb-cluster.ts) is its only caller. Essential
 * kinds are checked in table order, so the first denial reported is the same on every run.
 */
export async function readSnapshot(client: KubeClient, options: ReadSnapshotOptions): Promise<Snapshot> {
  const reader = new SnapshotReader(client, options);
  const notes: string[] = [];
  const namespace = options.metallbNamespace || (await reader.findNamespace(notes));
  const settled = await Promise.allSettled(READ_KINDS.map((info) => reader.readKind(info, namespace)));
  const objects: KubeObject[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    objects.push(...result.value.objects);
    notes.push(...result.value.notes);
  }
  const evidence = await reader.readLogsAndMetrics(objects, namespace);
  notes.push(...evidence.notes);
  return { objects, logs: evidence.logs, metrics: evidence.metrics, notes, source: options.source };
}

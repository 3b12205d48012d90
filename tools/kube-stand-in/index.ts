import { writeFile } from 'node:fs/promises';
import type { Snapshot } from '../../src/drift/model';
import { loadDump } from '../../src/snapshot/load';
import { Cluster } from './cluster';
import { kubeconfigFor } from './kubeconfig';
import { listen } from './server';
import { RbacAuthorizer } from './rbac';
import { MetallbSimulation } from './simulation';
import type { KubeStandIn, KubeStandInOptions } from './types';

export type { FaultRule, KubeStandIn, KubeStandInOptions, RecordedRequest } from './types';
export { parseFaults } from './faults';
export { DEFAULT_RBAC_USER, isRbacObject } from './rbac';

async function seedOf(options: KubeStandInOptions): Promise<Snapshot> {
  const empty: Snapshot = { objects: [], logs: [], metrics: [], notes: [], source: 'stand-in' };
  const fromFiles =
    options.dumpPaths && options.dumpPaths.length > 0
      ? await loadDump(options.dumpPaths, { keepAllKinds: true })
      : empty;
  const given = options.snapshot ?? empty;
  return {
    ...empty,
    objects: [...fromFiles.objects, ...given.objects],
    logs: [...fromFiles.logs, ...given.logs],
    metrics: [...fromFiles.metrics, ...given.metrics],
  };
}

/** Starts a Kubernetes API stand-in on 127.0.0.1 (port 0 picks a free one), seeded from a snapshot and/or dumps. */
export async function startKubeStandIn(options: KubeStandInOptions): Promise<KubeStandIn> {
  const cluster = new Cluster(await seedOf(options));
  const simulation = options.simulateMetallb
    ? new MetallbSimulation(cluster, options.simulateMetallb)
    : undefined;
  simulation?.reconcile();
  let delayMs = options.simulateDelayMs ?? 0;
  let pending: NodeJS.Timeout | undefined;
  let pendingDue = 0;
  const schedule = (ms: number): void => {
    if (pending !== undefined) clearTimeout(pending);
    pendingDue = Date.now() + ms;
    pending = setTimeout(() => {
      pending = undefined;
      try {
        simulation?.reconcile();
      } catch (error) {
        // Nobody awaits a timer: say it, or the simulation would silently stop reacting.
        process.stderr.write(`kube-stand-in: the MetalLB simulation failed: ${String(error)}\n`);
      }
    }, ms);
  };
  // MetalLB reacts from its work queue, not inside the write: with a delay, the writes of the window are seen
  // together by one reconcile `delayMs` after the first of them, so a client has to wait for what it causes.
  const afterWrite = (controllerRejects?: string): void => {
    if (simulation === undefined) return;
    if (controllerRejects !== undefined) simulation.rejectNextReload(controllerRejects);
    if (delayMs <= 0) return simulation.reconcile();
    if (pending === undefined) schedule(delayMs);
  };
  const front = await listen(cluster, {
    port: options.port,
    pageSizeCap: options.pageSizeCap,
    faults: options.faults,
    afterWrite,
    rbac: options.rbac ? new RbacAuthorizer(options.rbac.objects, options.rbac.user) : undefined,
  });
  const url = `http://127.0.0.1:${front.port}`;
  const kubeconfigYaml = kubeconfigFor(url);
  return {
    url,
    port: front.port,
    kubeconfigYaml,
    writeKubeconfig: (path) => writeFile(path, kubeconfigYaml, 'utf8'),
    objects: (kind) => cluster.objects(kind),
    requests: front.requests,
    inFlight: () => front.concurrency.inFlight,
    maxConcurrent: (path) => front.concurrency.max(path),
    resetConcurrency: () => front.concurrency.reset(),
    setFaults: (faults) => front.faults.set(faults),
    setSimulateDelay: (ms) => {
      delayMs = ms;
      // A pending reconcile comes no later than the new delay from now: a long delay pauses MetalLB, a short one
      // set afterwards lets it react.
      if (pending !== undefined && Date.now() + ms < pendingDue) schedule(Math.max(ms, 0));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (pending !== undefined) clearTimeout(pending);
        front.releaseHeld();
        front.server.closeAllConnections();
        front.server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

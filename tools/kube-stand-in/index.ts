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
  const front = await listen(cluster, {
    port: options.port,
    pageSizeCap: options.pageSizeCap,
    faults: options.faults,
    afterWrite: () => simulation?.reconcile(),
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
    setFaults: (faults) => front.faults.set(faults),
    close: () =>
      new Promise<void>((resolve, reject) => {
        front.server.closeAllConnections();
        front.server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

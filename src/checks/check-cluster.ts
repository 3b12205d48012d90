/**
 * A check of one cluster: read it through its port and analyze the Snapshot into a Report. Concurrent checks of a
 * cluster share one read (single flight, across processes) and take one of its slots (CLUSTER_CONCURRENCY), so
 * a busy channel never floods the API server. Nothing here knows who asked or how the answer is shown: the check
 * job, digests and fixes all call it.
 */
import { analyze } from '../drift/analyze';
import { muteReport } from '../drift/mutes';
import type { Mute, Report } from '../drift/model';
import { AppError } from '../errors';
import type { ClusterLimiter } from '../jobs/cluster-limiter';
import type { SingleFlight } from '../jobs/single-flight';
import type { MetalLbCluster } from '../kubernetes';

export interface ClusterCheckDeps {
  clusters: ReadonlyMap<string, MetalLbCluster>;
  singleFlight: SingleFlight;
  limiter: ClusterLimiter;
  metallbNamespace?: string;
  /**
   * The cluster's mutes, read for every caller after the shared read: a report shared by the single flight is
   * unmuted, and each caller mutes its copy with the mutes in force at that moment (docs/adr/0004).
   */
  mutesFor?: (cluster: string) => Promise<Mute[]>;
  /** Sees each unmuted report once, when it is computed (the latest findings `/metallb mutes` counts against). */
  recordUnmuted?: (cluster: string, report: Report) => Promise<void>;
  now?: () => Date;
  /** Longest wait for a free check slot of the cluster (default 2 minutes). */
  slotTimeoutMs?: number;
}

export interface CheckOptions {
  /**
   * Never take a shared result of a read that began before this call: a fix checks before and after its change,
   * and the "after" must see it. Reads that begin later are still shared.
   */
  fresh?: boolean;
}

export interface ClusterCheck {
  report: Report;
  /** Whether the report came from another caller's read. */
  shared: boolean;
}

/** Checks the named cluster; throws a coded error when it is unknown or cannot be read. */
export type CheckCluster = (cluster: string, options?: CheckOptions) => Promise<ClusterCheck>;

export function clusterChecker(deps: ClusterCheckDeps): CheckCluster {
  const clock = deps.now ?? (() => new Date());
  return async (cluster, options = {}) => {
    const port = deps.clusters.get(cluster);
    if (port === undefined) throw new AppError('E_USAGE', `unknown cluster "${cluster}"`);
    const release = await deps.limiter.acquire(cluster, deps.slotTimeoutMs ?? 120_000);
    try {
      const result = await deps.singleFlight.run(
        `check:${cluster}`,
        async () => {
          const now = clock();
          const snapshot = await port.readSnapshot({ now });
          const report = analyze(snapshot, { now, settings: { metallbNamespace: deps.metallbNamespace } });
          await deps.recordUnmuted?.(cluster, report);
          return report;
        },
        { fresh: options.fresh },
      );
      const mutes = (await deps.mutesFor?.(cluster)) ?? [];
      return { report: muteReport(result.value, mutes, clock()), shared: result.shared };
    } finally {
      await release();
    }
  };
}

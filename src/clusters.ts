/**
 * The clusters the bot serves (CLUSTERS, else the kubeconfig's current context; `in-cluster` is the pod's own): one {@link MetalLbCluster} port
 * each, built once with the bot's API settings, so every check, probe and fix of a cluster shares its kubeconfig
 * load and its bound on requests in flight.
 */
import type { Config } from './config';
import { connectMetalLbCluster, type MetalLbCluster } from './kubernetes';

/** How long `/metallb status` waits for a cluster's `/version`, at most. */
const PROBE_TIMEOUT_MS = 5000;

/** One port per configured cluster, keyed by its name, in CLUSTERS order. */
export function connectClusters(config: Readonly<Config>): Map<string, MetalLbCluster> {
  return new Map(
    config.clusters.map((c) => [
      c.name,
      connectMetalLbCluster({
        kubeconfig: config.kubeconfig,
        context: c.context,
        inCluster: c.inCluster,
        concurrency: config.apiConcurrency,
        requestTimeoutMs: config.apiTimeoutMs,
        metallbNamespace: config.metallbNamespace,
        probeTimeoutMs: Math.min(config.apiTimeoutMs, PROBE_TIMEOUT_MS),
      }),
    ]),
  );
}

/**
 * The clusters the bot serves (CLUSTERS, else the kubeconfig's current context), as ClusterHandles for the
 * check job and `/metallb status`. Each handle reads through the Kubernetes adapter with the bot's API settings.
 */
import type { Config } from './config';
import { isAppError } from './errors';
import type { ClusterHandle } from './jobs/check-job';
import { createTransport, KubeClient, loadKubeConfig, readLiveSnapshot } from './kubernetes';

function describe(error: unknown): string {
  if (isAppError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export function createClusterHandle(
  config: Readonly<Config>,
  name: string,
  context: string | undefined,
): ClusterHandle {
  const choice = { kubeconfig: config.kubeconfig, context };
  return {
    name,
    context,
    readSnapshot: (now) =>
      readLiveSnapshot({
        ...choice,
        concurrency: config.apiConcurrency,
        requestTimeoutMs: config.apiTimeoutMs,
        metallbNamespace: config.metallbNamespace,
        now,
      }),
    async probe() {
      try {
        const { kc } = loadKubeConfig(choice);
        const client = new KubeClient(createTransport(kc), {
          requestTimeoutMs: Math.min(config.apiTimeoutMs, 5000),
          retry: { attempts: 1 },
        });
        const version = (await client.json(
          { method: 'GET', path: '/version' },
          { verb: 'get', resource: 'version', group: '' },
        )) as { gitVersion?: unknown };
        return {
          reachable: true,
          kubernetesVersion: typeof version.gitVersion === 'string' ? version.gitVersion : 'unknown',
        };
      } catch (error) {
        return { reachable: false, problem: describe(error) };
      }
    },
  };
}

/** One handle per configured cluster, keyed by name. */
export function createClusterHandles(config: Readonly<Config>): Map<string, ClusterHandle> {
  return new Map(config.clusters.map((c) => [c.name, createClusterHandle(config, c.name, c.context)]));
}

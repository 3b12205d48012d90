/**
 * Finds the cluster to talk to, as kubectl does: an explicit path, else `KUBECONFIG` (several paths merged), else
 * `~/.kube/config`, else the pod's service account. Unlike the client's `loadFromDefault`, nothing found is an
 * error (E_KUBECONFIG), never a silent `http://localhost:8080`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../errors';
import { messageOf } from './errors';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeConfigChoice {
  kubeconfig?: string;
  context?: string;
  /** The cluster the process runs in, through its pod's service account; no kubeconfig is read. */
  inCluster?: boolean;
}

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** `context NAME` or `in-cluster` (Snapshot.source). */
  source: string;
}

/** Where things are looked up; a parameter so tests do not depend on the machine they run on. */
export interface KubeConfigEnvironment {
  env: NodeJS.ProcessEnv;
  home: string;
  exists(path: string): boolean;
}

const defaultEnvironment = (): KubeConfigEnvironment => ({
  env: process.env,
  home: homedir(),
  exists: existsSync,
});

function loadFiles(kc: KubeConfig, paths: string[]): void {
  const [first, ...rest] = paths;
  if (first === undefined) return;
  kc.loadFromFile(first);
  for (const path of rest) {
    const other = new KubeConfig();
    other.loadFromFile(path);
    kc.mergeConfig(other);
  }
}

const inPod = (where: KubeConfigEnvironment): boolean =>
  Boolean(where.env.KUBERNETES_SERVICE_HOST) && where.exists(SERVICE_ACCOUNT_TOKEN);

function loadInto(
  kc: KubeConfig,
  choice: KubeConfigChoice,
  where: KubeConfigEnvironment,
): 'file' | 'in-cluster' {
  if (choice.inCluster) {
    if (!inPod(where)) {
      throw new AppError(
        'E_KUBECONFIG',
        `in-cluster needs a pod's service account (KUBERNETES_SERVICE_HOST and ${SERVICE_ACCOUNT_TOKEN}); outside the cluster, name a kubeconfig context instead`,
      );
    }
    kc.loadFromCluster();
    return 'in-cluster';
  }
  if (choice.kubeconfig) {
    loadFiles(kc, [choice.kubeconfig]);
    return 'file';
  }
  const fromEnv = (where.env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (fromEnv.length > 0) {
    loadFiles(kc, fromEnv);
    return 'file';
  }
  const homeConfig = join(where.home, '.kube', 'config');
  if (where.exists(homeConfig)) {
    loadFiles(kc, [homeConfig]);
    return 'file';
  }
  if (inPod(where)) {
    kc.loadFromCluster();
    return 'in-cluster';
  }
  throw new AppError(
    'E_KUBECONFIG',
    'no kubeconfig found: --kubeconfig not given, KUBECONFIG unset, ~/.kube/config missing, and not running in a pod',
  );
}

/** Loads the kubeconfig and selects the context; every failure is an AppError E_KUBECONFIG. */
export function loadKubeConfig(
  choice: KubeConfigChoice,
  where: KubeConfigEnvironment = defaultEnvironment(),
): LoadedKubeConfig {
  const kc = new KubeConfig();
  let how: 'file' | 'in-cluster';
  try {
    how = loadInto(kc, choice, where);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = messageOf(error);
    throw new AppError('E_KUBECONFIG', `the kubeconfig could not be loaded: ${message}`, { cause: error });
  }
  if (choice.context && how === 'file') {
    if (!kc.getContextObject(choice.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new AppError(
        'E_KUBECONFIG',
        `context "${choice.context}" is not in the kubeconfig (contexts: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(choice.context);
  }
  if (how === 'in-cluster') return { kc, source: 'in-cluster' };
  const context = kc.getCurrentContext();
  if (!context || !kc.getContextObject(context)) {
    throw new AppError('E_KUBECONFIG', 'the kubeconfig has no current context; pass --context');
  }
  if (!kc.getCurrentCluster()) {
    throw new AppError('E_KUBECONFIG', `context "${context}" names a cluster that is not in the kubeconfig`);
  }
  return { kc, source: `context ${context}` };
}

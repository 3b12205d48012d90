/**
 * The Kubernetes adapter: the only code that talks to the API (through `@kubernetes/client-node`'s kubeconfig
 * handling). Reads a live Snapshot for the drift engine and performs the mutations fix jobs need.
 */
export {
  readLiveSnapshot,
  readSnapshot,
  type ReadLiveSnapshotOptions,
  type ReadSnapshotOptions,
} from './read-snapshot';
export {
  connectMetalLbCluster,
  KubeMetalLbCluster,
  type ConnectOptions,
  type MetalLbCluster,
  type ObjectRef,
  type WorkloadKind,
} from './cluster';
export { KubeClient, DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE, DEFAULT_REQUEST_TIMEOUT_MS } from './client';
export { loadKubeConfig } from './kubeconfig';
export { createTransport } from './transport';
export { rolloutStatus } from './rollout';

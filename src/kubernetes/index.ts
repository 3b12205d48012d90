/**
 * The Kubernetes adapter: the only code that talks to the API (through `@kubernetes/client-node`'s kubeconfig
 * handling). Its face is one port per cluster, {@link MetalLbCluster}: the Snapshot read, the probe, and the
 * mutations fix jobs need. API failures are {@link KubernetesApiError}s.
 */
export {
  connectMetalLbCluster,
  KubeMetalLbCluster,
  type ConnectOptions,
  type ControllerEvidence,
  type KubeConnection,
  type MetalLbCluster,
  type ObjectRef,
  type ProbeResult,
  type SnapshotRead,
  type WorkloadKind,
} from './metallb-cluster';
export { KubernetesApiError, statusOf } from './errors';
export {
  accessNeeds,
  CAPABILITIES,
  capabilityFor,
  checkCapabilities,
  DEFAULT_METALLB_NAMESPACE,
  describeNeed,
  fixRefusal,
  refusalFor,
  summarizeCapabilities,
  type AccessNeed,
  type Capability,
  type CapabilityStatus,
  type ClusterCapabilities,
} from './capabilities';
export { KubeClient, DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE, DEFAULT_REQUEST_TIMEOUT_MS } from './client';
export { loadKubeConfig } from './kubeconfig';
export { createTransport } from './transport';
export { rolloutStatus } from './rollout';

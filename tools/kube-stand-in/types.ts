import type { KubeObject, Snapshot } from '../../src/drift/model';

/**
 * One injected fault. `path` is a regular expression matched against the request path (without the query);
 * `method` (any when missing) is compared case-insensitively. `nth` (1-based) makes the rule fire from the nth
 * matching request on; `count` limits how many times it fires (1 when `nth` is set without `count`, unlimited
 * otherwise). The response is, in order of precedence: a dropped connection, an admission denial, a status
 * with a Status body; `delayMs` alone delays the normal answer.
 */
export interface FaultRule {
  method?: string;
  path: string;
  nth?: number;
  count?: number;
  status?: number;
  reason?: string;
  message?: string;
  retryAfter?: number;
  delayMs?: number;
  drop?: boolean;
  admissionDenial?: { webhook: string; message: string; status?: number };
  /**
   * The write goes through, but the simulated MetalLB controller refuses the config its next reload sees, with this
   * error, as it refuses one it cannot parse (what a preview cannot foresee: a MetalLB bug, a version difference).
   */
  controllerRejects?: string;
}

export interface KubeStandInOptions {
  snapshot?: Snapshot;
  dumpPaths?: string[];
  faults?: FaultRule[];
  /** MetalLB version whose controller behaviour to simulate, e.g. `0.14.9`. */
  simulateMetallb?: string;
  /** How long the simulated controller takes to react to a write (default 0: inside the write). */
  simulateDelayMs?: number;
  port?: number;
  /** The most items one list page holds, whatever `limit` the client asked for. */
  pageSizeCap?: number;
  /**
   * Enforce RBAC: Roles, ClusterRoles and bindings (e.g. `kubectl kustomize deploy/overlays/default`), applied to
   * `user` (default `system:serviceaccount:metallb-chatops:metallb-chatops`), the identity of the kubeconfig.
   * Anything they do not grant is a 403. Without it every request is allowed.
   */
  rbac?: { objects: KubeObject[]; user?: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface KubeStandIn {
  url: string;
  port: number;
  kubeconfigYaml: string;
  writeKubeconfig(path: string): Promise<void>;
  objects(kind?: string): KubeObject[];
  requests: RecordedRequest[];
  /**
   * Requests being answered at once, from arrival to the answer's last byte: `inFlight()` now, `maxConcurrent()`
   * the most at one moment since the start (or `resetConcurrency()`), of every request or of those whose path
   * matches `path`.
   */
  inFlight(): number;
  maxConcurrent(path?: RegExp): number;
  resetConcurrency(): void;
  setFaults(faults: FaultRule[]): void;
  /**
   * Changes the simulated controller's reaction delay from the next write on; a reconcile already pending comes
   * no later than `ms` from now (so a long delay pauses MetalLB and a short one set afterwards releases it).
   */
  setSimulateDelay(ms: number): void;
  close(): Promise<void>;
}

/**
 * Whether a rollout has finished, by the conditions `kubectl rollout status` uses (kubectl's
 * polymorphichelpers/rollout_status.go). Pure, so each waiting state is tested from a table of objects.
 */
import { arr, num, str } from '../drift/fields';
import type { KubeObject } from '../drift/model';

export type WorkloadKind = 'Deployment' | 'DaemonSet';

export interface RolloutStatus {
  done: boolean;
  /** What is awaited, or that it finished, in kubectl's words. */
  message: string;
  /** Set when the rollout cannot finish by waiting (progress deadline exceeded, OnDelete strategy). */
  failed?: string;
}

function observed(obj: KubeObject): boolean {
  const generation = num(obj, 'metadata', 'generation') ?? 0;
  const observedGeneration = num(obj, 'status', 'observedGeneration') ?? 0;
  return observedGeneration >= generation;
}

function deploymentStatus(obj: KubeObject): RolloutStatus {
  if (!observed(obj)) return { done: false, message: 'waiting for the rollout to be observed' };
  const progressing = arr(obj, 'status', 'conditions').find((c) => str(c, 'type') === 'Progressing');
  if (str(progressing, 'reason') === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      message: 'progress deadline exceeded',
      failed: 'the rollout exceeded its progress deadline',
    };
  }
  // kubectl omits zero-valued status fields, so a missing count is 0.
  const wanted = num(obj, 'spec', 'replicas') ?? 1;
  const replicas = num(obj, 'status', 'replicas') ?? 0;
  const updated = num(obj, 'status', 'updatedReplicas') ?? 0;
  const available = num(obj, 'status', 'availableReplicas') ?? 0;
  if (updated < wanted)
    return { done: false, message: `${updated} of ${wanted} updated replicas are available` };
  if (replicas > updated)
    return { done: false, message: `${replicas - updated} old replicas are pending termination` };
  if (available < updated)
    return { done: false, message: `${available} of ${updated} updated replicas are available` };
  return { done: true, message: 'successfully rolled out' };
}

function daemonSetStatus(obj: KubeObject): RolloutStatus {
  const strategy = str(obj, 'spec', 'updateStrategy', 'type') ?? 'RollingUpdate';
  if (strategy !== 'RollingUpdate') {
    return {
      done: false,
      message: `strategy ${strategy}`,
      failed: `rollout status needs RollingUpdate, not ${strategy}`,
    };
  }
  if (!observed(obj)) return { done: false, message: 'waiting for the rollout to be observed' };
  const desired = num(obj, 'status', 'desiredNumberScheduled') ?? 0;
  const updated = num(obj, 'status', 'updatedNumberScheduled') ?? 0;
  const available = num(obj, 'status', 'numberAvailable') ?? 0;
  if (updated < desired)
    return { done: false, message: `${updated} of ${desired} updated pods are scheduled` };
  if (available < desired)
    return { done: false, message: `${available} of ${desired} updated pods are available` };
  return { done: true, message: 'successfully rolled out' };
}

/** The rollout state of a Deployment or DaemonSet as read from the API. */
export function rolloutStatus(kind: WorkloadKind, obj: KubeObject): RolloutStatus {
  return kind === 'Deployment' ? deploymentStatus(obj) : daemonSetStatus(obj);
}

/** `kubectl rollout restart`'s patch: a new pod-template annotation makes the controller replace every pod. */
export function restartPatch(now: Date): Record<string, unknown> {
  // kubectl writes RFC 3339 without fractional seconds.
  const restartedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } },
  };
}

import type { KubeObject } from '../../../src/drift/model';
import { restartPatch, rolloutStatus } from '../../../src/kubernetes/rollout';

function deployment(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  generation = 2,
): KubeObject {
  return { kind: 'Deployment', metadata: { name: 'controller', generation }, spec, status };
}

function daemonSet(status: Record<string, unknown>, strategy = 'RollingUpdate', generation = 2): KubeObject {
  return {
    kind: 'DaemonSet',
    metadata: { name: 'speaker', generation },
    spec: { updateStrategy: { type: strategy } },
    status,
  };
}

describe('rollout status (the conditions of kubectl rollout status)', () => {
  it.each([
    [
      'done when every replica is updated and available',
      { replicas: 2 },
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
      true,
      'successfully rolled out',
    ],
    [
      'waiting while the new generation is not observed',
      { replicas: 1 },
      { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      false,
      'waiting for the rollout to be observed',
    ],
    [
      'waiting while updated replicas are fewer than wanted',
      { replicas: 3 },
      { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 3 },
      false,
      '1 of 3 updated replicas are available',
    ],
    [
      'waiting while old replicas terminate',
      { replicas: 1 },
      { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 },
      false,
      '1 old replicas are pending termination',
    ],
    [
      'waiting while updated replicas are not available',
      { replicas: 2 },
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
      false,
      '1 of 2 updated replicas are available',
    ],
    [
      'waiting when kubectl omitted zero counts (one replica by default)',
      {},
      { observedGeneration: 2 },
      false,
      '0 of 1 updated replicas are available',
    ],
  ])('a Deployment is %s', (_label, spec, status, done, message) => {
    expect(rolloutStatus('Deployment', deployment(spec, status))).toEqual({ done, message });
  });

  it('reports a Deployment past its progress deadline as failed', () => {
    const obj = deployment(
      { replicas: 1 },
      { observedGeneration: 2, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] },
    );
    expect(rolloutStatus('Deployment', obj).failed).toBe('the rollout exceeded its progress deadline');
  });

  it.each([
    [
      'done when every node runs an updated, available pod',
      { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
      true,
      'successfully rolled out',
    ],
    [
      'waiting for updated pods to be scheduled',
      { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3 },
      false,
      '1 of 3 updated pods are scheduled',
    ],
    [
      'waiting for updated pods to be available',
      { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 },
      false,
      '2 of 3 updated pods are available',
    ],
    [
      'waiting while the new generation is not observed',
      { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
      false,
      'waiting for the rollout to be observed',
    ],
  ])('a DaemonSet is %s', (_label, status, done, message) => {
    expect(rolloutStatus('DaemonSet', daemonSet(status))).toEqual({ done, message });
  });

  it('reports a DaemonSet with the OnDelete strategy as one whose rollout cannot be awaited', () => {
    expect(rolloutStatus('DaemonSet', daemonSet({}, 'OnDelete')).failed).toBe(
      'rollout status needs RollingUpdate, not OnDelete',
    );
  });

  it('stamps the pod template with restartedAt in RFC 3339 without fractions, as kubectl does', () => {
    expect(restartPatch(new Date('2026-11-26T12:00:00.123Z'))).toEqual({
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-26T12:00:00Z' } },
        },
      },
    });
  });
});

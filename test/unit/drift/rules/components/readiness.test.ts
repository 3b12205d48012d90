import { controllerNotReady } from '../../../../../src/drift/rules/components/controller-not-ready';
import { speakerNotReady } from '../../../../../src/drift/rules/components/speaker-not-ready';
import type { KubeObject } from '../../../../../src/drift/model';
import {
  componentPod,
  controllerDeployment,
  crd,
  fixture,
  HELM_CONTROLLER_LABELS,
  ipAddressPool,
  node,
  object,
  speakerDaemonSet,
} from '../../../../support/builders';
import { findingsOf } from './helpers';

const NS = 'metallb-system';

describe('CONTROLLER_NOT_READY', () => {
  it('reports the real v0.15.3 controller Deployment whose status has no availableReplicas', () => {
    const [finding, ...rest] = findingsOf(
      controllerNotReady,
      fixture('deployment.controller-unavailable.yaml'),
    );
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'CONTROLLER_NOT_READY',
      severity: 'critical',
      fix: null,
      resource: { kind: 'Deployment', namespace: NS, name: 'controller' },
      details: { found: true, replicas: 1, availableReplicas: 0 },
    });
    expect(finding?.message).toBe(
      `Controller Deployment ${NS}/controller has 0 of 1 replicas available; until it is ready MetalLB assigns ` +
        'no new IPs and its webhooks reject config changes.',
    );
  });

  it.each([
    ['2 wanted, 1 available', 2, { availableReplicas: 1 }, 1],
    ['1 wanted (default), 1 available', undefined, { availableReplicas: 1 }, 0],
    ['replicas as a string', '3', { availableReplicas: '3' }, 0],
    ['a status that is not an object', undefined, 'broken', 1],
    ['0 wanted, none available', 0, {}, 0],
  ])('with %s raises %i finding(s)', (_title, replicas, status, count) => {
    const deployment = controllerDeployment({ status: status as Record<string, unknown> });
    if (replicas !== undefined) (deployment.spec as Record<string, unknown>).replicas = replicas;
    expect(findingsOf(controllerNotReady, [deployment])).toHaveLength(count);
  });

  it('finds the Helm controller by its labels and in its own namespace', () => {
    const helm = controllerDeployment({
      name: 'metallb-controller',
      namespace: 'metallb',
      labels: HELM_CONTROLLER_LABELS,
      status: {},
    });
    const [finding] = findingsOf(controllerNotReady, [helm]);
    expect(finding?.resource).toEqual({
      kind: 'Deployment',
      namespace: 'metallb',
      name: 'metallb-controller',
    });
  });

  it.each([
    ['a metallb.io CRD', crd('ipaddresspools')],
    ['a metallb.io object', ipAddressPool('default', ['10.0.0.0/24'])],
  ])('reports a missing controller when the snapshot holds %s', (_title, obj) => {
    const [finding] = findingsOf(controllerNotReady, [obj]);
    expect(finding).toMatchObject({
      resource: { kind: 'Deployment', namespace: NS, name: 'controller' },
      details: { found: false, namespace: NS },
    });
    expect(finding?.message).toContain(`No MetalLB controller Deployment was found in namespace ${NS}`);
  });

  it.each([
    ['nothing of MetalLB', [object('v1', 'Service', 'web', 'shop', { spec: { type: 'ClusterIP' } })]],
    ['only an frr-k8s CRD', [crd('frrconfigurations', 'frrk8s.metallb.io')]],
    ['an unlabelled Deployment named controller', [object('apps/v1', 'Deployment', 'controller', NS)]],
  ])('says nothing when the snapshot holds %s', (_title, objects) => {
    expect(findingsOf(controllerNotReady, objects)).toEqual([]);
  });
});

describe('SPEAKER_NOT_READY', () => {
  it('reports the real v0.15.3 speaker DaemonSet with one of three speakers not ready', () => {
    const [finding] = findingsOf(speakerNotReady, fixture('daemonset.speaker-one-not-ready.yaml'));
    expect(finding).toMatchObject({
      code: 'SPEAKER_NOT_READY',
      severity: 'critical',
      fix: 'restart-speakers',
      resource: { kind: 'DaemonSet', namespace: NS, name: 'speaker' },
      details: { desiredNumberScheduled: 3, numberReady: 2 },
    });
    expect(finding?.details).not.toHaveProperty('nodes');
    expect(finding?.message).toBe(
      `Speaker DaemonSet ${NS}/speaker has 2 of 3 pods ready; MetalLB does not announce service IPs from a node ` +
        'without a ready speaker.',
    );
  });

  it('names the nodes without a ready speaker when Pods are in the snapshot', () => {
    const pending = componentPod('speaker', 'speaker-c', { ready: false, phase: 'Pending' });
    // An unschedulable DaemonSet pod has no nodeName yet, only the node affinity the DaemonSet controller sets.
    (pending.spec as Record<string, unknown>).affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-3'] }] },
          ],
        },
      },
    };
    const objects = [
      ...fixture('daemonset.speaker-one-not-ready.yaml'),
      componentPod('speaker', 'speaker-a', { node: 'worker-1' }),
      componentPod('speaker', 'speaker-b', { node: 'worker-2', ready: false }),
      pending,
      node('worker-1'),
      node('worker-2'),
      node('worker-3'),
      node('worker-4'),
      node('windows-1', { 'kubernetes.io/os': 'windows' }),
    ];
    const [finding] = findingsOf(speakerNotReady, objects);
    expect(finding?.details.nodes).toEqual(['worker-2', 'worker-3', 'worker-4']);
    expect(finding?.message).toContain(
      'has 2 of 3 pods ready (no ready speaker on worker-2, worker-3, worker-4);',
    );
  });

  it.each([
    ['all ready', { desiredNumberScheduled: 2, numberReady: 2 }, 0],
    ['numberReady omitted by kubectl', { desiredNumberScheduled: 2 }, 1],
    ['nothing desired', {}, 0],
    ['counts as strings', { desiredNumberScheduled: '2', numberReady: '1' }, 1],
  ])('with %s raises %i finding(s)', (_title, status, count) => {
    expect(findingsOf(speakerNotReady, [controllerDeployment(), speakerDaemonSet({ status })])).toHaveLength(
      count,
    );
  });

  it('never throws on malformed pods and nodes', () => {
    const junk: KubeObject[] = [
      {
        kind: 'Pod',
        metadata: { name: 'speaker-x', namespace: NS, labels: { app: 'metallb', component: 'speaker' } },
        spec: 'x',
        status: { conditions: 'no' },
      },
      {
        kind: 'Pod',
        metadata: { name: 'speaker-y', namespace: NS, labels: { app: 'metallb', component: 'speaker' } },
        spec: { affinity: { nodeAffinity: [] } },
      },
      { kind: 'Node' },
      { kind: 'Node', metadata: { name: 'n', labels: 'bad' as unknown as Record<string, string> } },
    ];
    const [finding] = findingsOf(speakerNotReady, [
      speakerDaemonSet({ status: { desiredNumberScheduled: 1 } }),
      ...junk,
    ]);
    expect(finding?.details.nodes).toEqual([]);
  });
});

import { speakerPredatesConfig } from '../../../../../src/drift/rules/components/speaker-predates-config';
import type { KubeObject } from '../../../../../src/drift/model';
import { componentPod, controllerDeployment, ipAddressPool, object } from '../../../../support/builders';
import { findingsOf } from './helpers';

const NS = 'metallb-system';

function withChange(time: string): KubeObject[] {
  return [
    controllerDeployment(),
    ipAddressPool('default', ['10.0.10.0/24'], {}, { creationTimestamp: '2026-11-01T00:00:00Z' }),
    object(
      'metallb.io/v1beta1',
      'L2Advertisement',
      'l2',
      NS,
      { spec: {} },
      {
        creationTimestamp: '2026-11-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update', time }],
      },
    ),
  ];
}

describe('SPEAKER_PREDATES_CONFIG', () => {
  it('hints at a running speaker that started before a config change made more than 5 minutes ago', () => {
    const speaker = componentPod('speaker', 'speaker-a', {
      node: 'worker-1',
      startTime: '2026-11-25T09:00:00Z',
    });
    const [finding, ...rest] = findingsOf(speakerPredatesConfig, [
      ...withChange('2026-11-26T11:00:00Z'),
      speaker,
    ]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'SPEAKER_PREDATES_CONFIG',
      severity: 'info',
      fix: 'restart-speakers',
      resource: { kind: 'Pod', namespace: NS, name: 'speaker-a' },
      details: { startedAt: '2026-11-25T09:00:00.000Z', lastConfigChange: '2026-11-26T11:00:00.000Z' },
    });
    expect(finding?.message).toBe(
      `Speaker pod ${NS}/speaker-a started at 2026-11-25T09:00:00.000Z, before the last config change at ` +
        '2026-11-26T11:00:00.000Z; MetalLB reloads config without a restart, so this is only a hint unless the ' +
        'speaker misbehaves.',
    );
  });

  it.each([
    ['the change is under 5 minutes old', '2026-11-26T11:56:00Z', { startTime: '2026-11-25T09:00:00Z' }],
    ['the speaker started after the change', '2026-11-26T11:00:00Z', { startTime: '2026-11-26T11:10:00Z' }],
    [
      'the speaker is not running',
      '2026-11-26T11:00:00Z',
      { startTime: '2026-11-25T09:00:00Z', phase: 'Pending' },
    ],
  ])('says nothing when %s', (_title, change, options) => {
    const speaker = componentPod('speaker', 'speaker-a', options);
    expect(findingsOf(speakerPredatesConfig, [...withChange(change), speaker])).toEqual([]);
  });

  it('uses the container start, so a restarted container counts as reloaded', () => {
    const speaker = componentPod('speaker', 'speaker-a', { startTime: '2026-11-25T09:00:00Z' });
    (speaker.status as { containerStatuses: unknown[] }).containerStatuses = [
      { name: 'speaker', state: { running: { startedAt: '2026-11-26T11:30:00Z' } } },
    ];
    expect(findingsOf(speakerPredatesConfig, [...withChange('2026-11-26T11:00:00Z'), speaker])).toEqual([]);
  });

  it('leaves the pod to CONFIG_STALE when there is stronger evidence', () => {
    const speaker = componentPod('speaker', 'speaker-a', { startTime: '2026-11-25T09:00:00Z' });
    const findings = findingsOf(speakerPredatesConfig, [...withChange('2026-11-26T11:00:00Z'), speaker], {
      metrics: [{ namespace: NS, pod: 'speaker-a', text: 'metallb_k8s_client_config_stale_bool 1' }],
    });
    expect(findings).toEqual([]);
  });

  it('ignores the controller pod and pods with malformed status', () => {
    const controller = componentPod('controller', 'controller-a', { startTime: '2026-11-25T09:00:00Z' });
    const broken: KubeObject = {
      kind: 'Pod',
      metadata: { name: 'speaker-b', namespace: NS, labels: { app: 'metallb', component: 'speaker' } },
      status: { phase: 'Running', startTime: 'not a time', containerStatuses: 'nope' },
    };
    expect(
      findingsOf(speakerPredatesConfig, [...withChange('2026-11-26T11:00:00Z'), controller, broken]),
    ).toEqual([]);
  });
});

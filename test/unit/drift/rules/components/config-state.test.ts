import { configStateInvalid } from '../../../../../src/drift/rules/components/config-state-invalid';
import { configStateUnknown } from '../../../../../src/drift/rules/components/config-state-unknown';
import type { KubeObject } from '../../../../../src/drift/model';
import { controllerDeployment, object } from '../../../../support/builders';
import { findingsOf } from './helpers';

function configurationState(
  name: string,
  status: unknown,
  labels: Record<string, string> = { 'metallb.io/component-type': 'controller' },
  namespace = 'metallb-system',
): KubeObject {
  return object('metallb.io/v1beta1', 'ConfigurationState', name, namespace, { status }, { labels });
}

const SPEAKER_LABELS = { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': 'worker-1' };
const INVALID_SPEAKER = configurationState(
  'speaker-worker-1',
  {
    result: 'Invalid',
    errorSummary: 'peer peer1 referencing non existing bfd profile my-bfd-profile\nsecond problem',
    conditions: [{ type: 'configReconcilerValid', status: 'False', reason: 'ConfigurationError' }],
  },
  SPEAKER_LABELS,
);

describe('CONFIG_STATE_INVALID', () => {
  it('reports an Invalid ConfigurationState with its errorSummary', () => {
    const [finding, ...rest] = findingsOf(configStateInvalid, [controllerDeployment(), INVALID_SPEAKER]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'CONFIG_STATE_INVALID',
      severity: 'critical',
      fix: null,
      resource: { kind: 'ConfigurationState', namespace: 'metallb-system', name: 'speaker-worker-1' },
      details: {
        errorSummary: 'peer peer1 referencing non existing bfd profile my-bfd-profile\nsecond problem',
      },
    });
    expect(finding?.message).toBe(
      'ConfigurationState metallb-system/speaker-worker-1 reports the configuration of the speaker on node ' +
        'worker-1 as Invalid (peer peer1 referencing non existing bfd profile my-bfd-profile); MetalLB keeps ' +
        'running on the last configuration it accepted until the error is fixed.',
    );
  });

  it.each([
    ['Valid', { result: 'Valid', errorSummary: '' }],
    ['Unknown', { result: 'Unknown' }],
    ['no status', undefined],
    ['a status that is a string', 'Invalid'],
    ['a result of the wrong type', { result: ['Invalid'] }],
  ])('says nothing for %s', (_title, status) => {
    expect(findingsOf(configStateInvalid, [configurationState('controller', status)])).toEqual([]);
  });

  it('ignores a ConfigurationState outside the MetalLB namespace (MetalLB never writes one there)', () => {
    const elsewhere = configurationState('controller', { result: 'Invalid' }, undefined, 'default');
    expect(findingsOf(configStateInvalid, [controllerDeployment(), elsewhere])).toEqual([]);
  });

  it('reports a null errorSummary when MetalLB wrote none', () => {
    const [finding] = findingsOf(configStateInvalid, [
      configurationState('controller', { result: 'Invalid' }),
    ]);
    expect(finding?.details).toEqual({ errorSummary: null });
    expect(finding?.message).toContain('the controller as Invalid; MetalLB keeps');
  });
});

describe('CONFIG_STATE_UNKNOWN', () => {
  it.each([
    ['Unknown', 1],
    ['Invalid', 0],
    ['Valid', 0],
    ['unknown', 0],
  ])('for result %s raises %i finding(s)', (result, count) => {
    const findings = findingsOf(configStateUnknown, [configurationState('controller', { result })]);
    expect(findings).toHaveLength(count);
    for (const finding of findings) {
      expect(finding).toMatchObject({ code: 'CONFIG_STATE_UNKNOWN', severity: 'warning', fix: null });
      expect(finding.message).toContain('reports the configuration state of the controller as Unknown');
    }
  });
});

import { componentLogErrors } from '../../../../../src/drift/rules/components/component-log-errors';
import type { PodLog } from '../../../../../src/drift/model';
import { componentPod, controllerDeployment } from '../../../../support/builders';
import { findingsOf } from './helpers';

const NS = 'metallb-system';
const objects = [
  controllerDeployment(),
  componentPod('controller', 'controller-abc'),
  componentPod('speaker', 'speaker-one', { node: 'worker-1' }),
];
const log = (pod: string, ...lines: string[]): PodLog => ({ namespace: NS, pod, text: lines.join('\n') });
const errorAt = (time: string, msg: string): string =>
  JSON.stringify({ caller: 'service.go:180', level: 'error', msg, ts: time });

describe('COMPONENT_LOG_ERRORS', () => {
  it('counts error lines of the last hour and keeps up to 5 samples, newest first', () => {
    const lines = [
      errorAt('2026-11-26T10:30:00Z', 'too old'),
      ...['11:01', '11:05', '11:10', '11:20', '11:30', '11:40'].map((t) => errorAt(`2026-11-26T${t}:00Z`, t)),
      JSON.stringify({ level: 'warn', msg: 'not an error', ts: '2026-11-26T11:50:00Z' }),
      '2026-11-26T11:55:00Z E1126 11:55:00.000000       1 reflector.go:138] failed to watch *v1beta1.IPAddressPool',
    ];
    const [finding, ...rest] = findingsOf(componentLogErrors, objects, {
      logs: [log('speaker-one', ...lines)],
    });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'COMPONENT_LOG_ERRORS',
      severity: 'warning',
      fix: null,
      resource: { kind: 'Pod', namespace: NS, name: 'speaker-one' },
      details: { role: 'speaker', count: 7 },
    });
    expect(finding?.details.samples).toEqual([
      'E1126 11:55:00.000000       1 reflector.go:138] failed to watch *v1beta1.IPAddressPool',
      errorAt('2026-11-26T11:40:00Z', '11:40'),
      errorAt('2026-11-26T11:30:00Z', '11:30'),
      errorAt('2026-11-26T11:20:00Z', '11:20'),
      errorAt('2026-11-26T11:10:00Z', '11:10'),
    ]);
    expect(finding?.message).toBe(
      `Speaker pod ${NS}/speaker-one logged 7 error lines in the last hour, the newest "E1126 11:55:00.000000       1 ` +
        'reflector.go:138] failed to watch *v1beta1.IPAddressPool"; MetalLB keeps running and retries, so read them ' +
        'for a rejected config or a failing API call.',
    );
  });

  it('reports the controller separately, in the singular for one line', () => {
    const findings = findingsOf(componentLogErrors, objects, {
      logs: [
        log('controller-abc', errorAt('2026-11-26T11:59:59Z', 'failed to allocate')),
        log('speaker-one', errorAt('2026-11-26T11:30:00Z', 'x')),
      ],
    });
    expect(findings.map((f) => f.resource.name)).toEqual(['controller-abc', 'speaker-one']);
    expect(findings[0]?.message).toContain(
      'logged 1 error line in the last hour, the newest "failed to allocate"',
    );
  });

  it.each([
    ['only info and warn lines', [JSON.stringify({ level: 'info', msg: 'x', ts: '2026-11-26T11:50:00Z' })]],
    ['an error exactly one hour old', [errorAt('2026-11-26T11:00:00Z', 'edge')]],
    ['an error without a time', [JSON.stringify({ level: 'error', msg: 'undated' })]],
    ['plain text mentioning error', ['2026-11-26T11:50:00Z error is just a word here']],
    ['garbage', ['{{{', '\u0000', '[]', 'null', '{"level":{"x":1},"ts":[]}']],
  ])('says nothing for %s', (_title, lines) => {
    expect(findingsOf(componentLogErrors, objects, { logs: [log('controller-abc', ...lines)] })).toEqual([]);
  });

  it('counts a line written after now (a live read runs after now was taken)', () => {
    const findings = findingsOf(componentLogErrors, objects, {
      logs: [log('controller-abc', errorAt('2026-11-26T12:00:05Z', 'just now'))],
    });
    expect(findings).toHaveLength(1);
  });
});

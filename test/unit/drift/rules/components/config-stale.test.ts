import { configStale } from '../../../../../src/drift/rules/components/config-stale';
import type { KubeObject, PodLog, PodMetrics } from '../../../../../src/drift/model';
import {
  componentPod,
  controllerDeployment,
  HELM_SPEAKER_LABELS,
  ipAddressPool,
} from '../../../../support/builders';
import { findingsOf } from './helpers';

const NS = 'metallb-system';
const CONTROLLER = 'controller-7d4c8b9f6d-x2x9q';
const SPEAKER = 'speaker-4kq8z';
/** The last config change: the pool's newest managedFields time. */
const CHANGE = '2026-11-26T11:30:00Z';

function base(): KubeObject[] {
  return [
    controllerDeployment(),
    ipAddressPool(
      'default',
      ['10.0.10.0/24'],
      {},
      {
        creationTimestamp: '2026-11-01T00:00:00Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update', time: CHANGE }],
      },
    ),
    componentPod('controller', CONTROLLER, { node: 'worker-1' }),
    componentPod('speaker', SPEAKER, { node: 'worker-1' }),
  ];
}

const log = (pod: string, ...lines: string[]): PodLog => ({ namespace: NS, pod, text: lines.join('\n') });
const metrics = (pod: string, text: string): PodMetrics => ({ namespace: NS, pod, text });

const RELOAD_FAILED =
  '{"caller":"pool_controller.go:89","controller":"PoolReconciler","event":"reload failed, retry","level":"error","ts":"2026-11-26T11:40:00Z"}';
const REJECTED =
  '{"caller":"main.go:111","error":"service has no configuration under new config","level":"error","msg":"new configuration rejected","op":"setConfig","ts":"2026-11-26T11:45:00Z"}';
const BEFORE_CHANGE =
  '{"caller":"main.go:111","level":"error","msg":"applying new configuration failed","op":"setConfig","ts":"2026-11-26T11:20:00Z"}';

describe('CONFIG_STALE', () => {
  it('reports a controller pod whose stale metric is 1, with fix restart-controller', () => {
    const [finding, ...rest] = findingsOf(configStale, base(), {
      metrics: [
        metrics(
          CONTROLLER,
          '# TYPE metallb_k8s_client_config_stale_bool gauge\nmetallb_k8s_client_config_stale_bool 1\n',
        ),
      ],
    });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'CONFIG_STALE',
      severity: 'critical',
      fix: 'restart-controller',
      resource: { kind: 'Pod', namespace: NS, name: CONTROLLER },
      details: {
        role: 'controller',
        metric: { name: 'metallb_k8s_client_config_stale_bool', value: 1 },
        logLines: [],
        logLineCount: 0,
      },
    });
    expect(finding?.message).toBe(
      `Controller pod ${NS}/${CONTROLLER} runs on an older config than the one stored ` +
        '(metallb_k8s_client_config_stale_bool is 1); MetalLB keeps using the last config it accepted until a ' +
        'reload succeeds.',
    );
  });

  it('reports a speaker pod by its log lines newer than the last config change, newest first, with fix restart-speakers', () => {
    const [finding] = findingsOf(configStale, base(), {
      logs: [
        log(SPEAKER, BEFORE_CHANGE, RELOAD_FAILED, '{"level":"info","msg":"config reloaded"}', REJECTED),
      ],
    });
    expect(finding).toMatchObject({
      fix: 'restart-speakers',
      resource: { kind: 'Pod', namespace: NS, name: SPEAKER },
      details: { role: 'speaker', metric: null, logLines: [REJECTED, RELOAD_FAILED], logLineCount: 2 },
    });
    expect(finding?.message).toContain(
      '2 log lines since the last config change, the newest "new configuration rejected: service has no configuration under new config"',
    );
  });

  it.each([
    ['reload failed', RELOAD_FAILED],
    ['new configuration rejected', REJECTED],
    [
      'config marked stale',
      '{"event":"configStale","msg":"config (re)load failed, config marked stale","ts":"2026-11-26T11:50:00.474694772Z"}',
    ],
    [
      'applying new configuration failed',
      '2026-11-26T11:59:00.000000000Z {"caller":"main.go:111","level":"error","msg":"applying new configuration failed"}',
    ],
    ['a phrase in a plain line dated by kubectl', '2026-11-26T11:59:00Z E: Reload Failed for pool default'],
  ])('recognises the phrase %s', (_phrase, line) => {
    expect(findingsOf(configStale, base(), { logs: [log(CONTROLLER, line)] })).toHaveLength(1);
  });

  it.each([
    ['a line older than the last config change', BEFORE_CHANGE],
    ['a line without any time', '{"level":"error","msg":"applying new configuration failed"}'],
    ['a line with no stale phrase', '{"level":"error","msg":"failed to list","ts":"2026-11-26T11:50:00Z"}'],
    ['the stale metric at 0', undefined],
  ])('says nothing for %s', (_title, line) => {
    const evidence =
      line === undefined
        ? { metrics: [metrics(CONTROLLER, 'metallb_k8s_client_config_stale_bool 0\n')] }
        : { logs: [log(CONTROLLER, line)] };
    expect(findingsOf(configStale, base(), evidence)).toEqual([]);
  });

  it('matches evidence to a pod by namespace and name only', () => {
    const elsewhere: PodLog = { namespace: 'default', pod: CONTROLLER, text: RELOAD_FAILED };
    expect(
      findingsOf(configStale, base(), {
        logs: [elsewhere, log('speaker-other', RELOAD_FAILED)],
        metrics: [{ namespace: 'kube-system', pod: SPEAKER, text: 'metallb_k8s_client_config_stale_bool 1' }],
      }),
    ).toEqual([]);
  });

  it('reads lines of the last hour when no config object dates a change', () => {
    const objects = base().filter((o) => o.kind !== 'IPAddressPool');
    const old = RELOAD_FAILED.replace('2026-11-26T11:40:00Z', '2026-11-26T10:40:00Z');
    expect(findingsOf(configStale, objects, { logs: [log(CONTROLLER, old)] })).toEqual([]);
    expect(findingsOf(configStale, objects, { logs: [log(CONTROLLER, RELOAD_FAILED)] })).toHaveLength(1);
  });

  it('ignores lines older than 24 hours even when the last config change is older still', () => {
    const objects = [
      controllerDeployment(),
      ipAddressPool('default', ['10.0.10.0/24'], {}, { creationTimestamp: '2026-11-20T00:00:00Z' }),
      componentPod('controller', CONTROLLER),
    ];
    const dayOld = RELOAD_FAILED.replace('2026-11-26T11:40:00Z', '2026-11-25T11:00:00Z');
    expect(findingsOf(configStale, objects, { logs: [log(CONTROLLER, dayOld)] })).toEqual([]);
  });

  it('identifies a speaker by the Helm labels too', () => {
    const helmSpeaker = componentPod('speaker', 'metallb-speaker-x1', { labels: HELM_SPEAKER_LABELS });
    const [finding] = findingsOf(configStale, [...base(), helmSpeaker], {
      metrics: [metrics('metallb-speaker-x1', 'metallb_k8s_client_config_stale_bool{} 1')],
    });
    expect(finding).toMatchObject({ fix: 'restart-speakers', resource: { name: 'metallb-speaker-x1' } });
  });

  it('does not look at pods without MetalLB labels', () => {
    const other = componentPod('speaker', 'unrelated', { labels: { app: 'nginx' } });
    expect(findingsOf(configStale, [...base(), other], { logs: [log('unrelated', RELOAD_FAILED)] })).toEqual(
      [],
    );
  });

  it('keeps at most 5 log lines in details and counts them all', () => {
    const lines = Array.from({ length: 7 }, (_, i) => RELOAD_FAILED.replace('11:40:00Z', `11:4${i}:00Z`));
    const [finding] = findingsOf(configStale, base(), { logs: [log(CONTROLLER, ...lines)] });
    expect(finding?.details.logLineCount).toBe(7);
    expect(finding?.details.logLines).toEqual([...lines].reverse().slice(0, 5));
  });

  it('reads only the last 5,000 lines of a pod, as the live reader does', () => {
    const filler = Array.from(
      { length: 5000 },
      () => '{"level":"info","msg":"ok","ts":"2026-11-26T11:50:00Z"}',
    );
    expect(findingsOf(configStale, base(), { logs: [log(CONTROLLER, RELOAD_FAILED, ...filler)] })).toEqual(
      [],
    );
    expect(
      findingsOf(configStale, base(), { logs: [log(CONTROLLER, ...filler, RELOAD_FAILED)] }),
    ).toHaveLength(1);
  });

  it('reads two log texts of one pod as one log', () => {
    const [finding] = findingsOf(configStale, base(), {
      logs: [log(SPEAKER, RELOAD_FAILED), log(SPEAKER, REJECTED)],
    });
    expect(finding?.details.logLines).toEqual([REJECTED, RELOAD_FAILED]);
  });

  it.each([
    ['garbage log text', { logs: [log(CONTROLLER, '\u0000{{{', '', 'null')] }],
    [
      'garbage metrics',
      { metrics: [metrics(CONTROLLER, 'metallb_k8s_client_config_stale_bool{x="} 1\n{{')] },
    ],
  ])('never throws on %s', (_title, evidence) => {
    expect(findingsOf(configStale, base(), evidence)).toEqual([]);
  });
});

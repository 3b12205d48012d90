import { isErrorLine, parseLog, parseLogLine, summaryOf } from '../../../../src/drift/evidence/logs';

// Verbatim shapes of lines MetalLB components write, as quoted in MetalLB's issues.
const GOKIT_ERROR =
  '{"caller":"main.go:111","error":"new config not compatible with assigned IPs: service \\"default/hello-netbox2\\" cannot own [\\"21.31.41.52\\"] under new config","level":"error","msg":"applying new configuration failed","op":"setConfig","ts":"2022-12-22T18:10:12Z"}';
const GOKIT_EVENT =
  '{"caller":"pool_controller.go:89","controller":"PoolReconciler","event":"reload failed, retry","level":"error","ts":"2022-12-22T18:10:12Z"}';
const ZAP_EPOCH =
  '{"level":"error","ts":1671732612.9130695,"msg":"Reconciler error","controller":"ipaddresspool","error":"event handling failed, retrying"}';
const GOKIT_NO_TS =
  '{"caller":"config_controller.go:140","controller":"ConfigReconciler","error":"peer peer1 referencing non existing bfd profile my-bfd-profile","level":"error"}';
const CONFIGMAP_ERA =
  '{"caller":"k8s.go:387","configmap":"metallb-system/config","error":"could not parse config","event":"configStale","msg":"config (re)load failed, config marked stale","ts":"2020-05-29T07:05:42.474694772Z"}';

describe('parseLogLine', () => {
  it.each([
    ['a go-kit JSON line', GOKIT_ERROR, '2022-12-22T18:10:12.000Z', 'error'],
    ['a go-kit line with an event and no msg', GOKIT_EVENT, '2022-12-22T18:10:12.000Z', 'error'],
    ['a zap line with an epoch float ts', ZAP_EPOCH, '2022-12-22T18:10:12.913Z', 'error'],
    ['a go-kit line with nanosecond ts', CONFIGMAP_ERA, '2020-05-29T07:05:42.474Z', undefined],
    ['a JSON line without ts', GOKIT_NO_TS, undefined, 'error'],
    [
      'a zap console line',
      '2024-03-01T10:00:00.000Z\tERROR\tcontroller-runtime.webhook\tfailed to serve\t{"error":"x"}',
      '2024-03-01T10:00:00.000Z',
      'error',
    ],
    [
      'a klog line (no year, so no time)',
      'E1126 11:30:00.123456       1 reflector.go:138] failed to list *v1beta1.BGPPeer',
      undefined,
      'error',
    ],
    [
      'a zap line with a warning level alias',
      '{"level":"WARNING","ts":"2026-11-26T11:00:00Z","msg":"x"}',
      '2026-11-26T11:00:00.000Z',
      'warn',
    ],
    ['plain text', 'starting speaker, please wait', undefined, undefined],
  ])('reads time and level of %s', (_title, raw, time, level) => {
    const line = parseLogLine(raw);
    expect(line?.time?.toISOString()).toBe(time);
    expect(line?.level).toBe(level);
    expect(line?.text).toBe(raw);
  });

  it('uses the kubectl --timestamps prefix when the line has no time of its own', () => {
    const line = parseLogLine(`2026-11-26T11:59:58.123456789Z ${GOKIT_NO_TS}`);
    expect(line?.time?.toISOString()).toBe('2026-11-26T11:59:58.123Z');
    expect(line?.text).toBe(GOKIT_NO_TS);
    expect(line?.fields.controller).toBe('ConfigReconciler');
  });

  it('prefers the line time over the kubectl prefix and strips the prefix from the text', () => {
    const line = parseLogLine(`2026-11-26T11:59:58.000000001Z ${GOKIT_ERROR}`);
    expect(line?.time?.toISOString()).toBe('2022-12-22T18:10:12.000Z');
    expect(line?.fields.op).toBe('setConfig');
  });

  it('dates a plain-text line by its kubectl prefix', () => {
    const line = parseLogLine('2026-11-26T10:00:00+02:00 panic: runtime error');
    expect(line).toEqual({
      time: new Date('2026-11-26T08:00:00Z'),
      text: 'panic: runtime error',
      fields: {},
    });
  });

  it.each([
    ['an unterminated JSON object', '{"level":"error","msg":"cut'],
    ['a JSON array', '["error"]'],
    ['JSON null', 'null'],
    ['a level of the wrong type', '{"level":50,"ts":{"x":1},"msg":"pino"}'],
    ['an invalid ts string', '{"level":"error","ts":"yesterday"}'],
    ['binary noise', '\u0000\u0001\uFFFD{{{'],
  ])('never throws on %s', (_title, raw) => {
    expect(() => parseLogLine(raw)).not.toThrow();
    const line = parseLogLine(raw);
    expect(line?.text).toBe(raw);
    expect(Number.isNaN(line?.time?.getTime())).toBe(false);
  });

  it.each(['', '   ', '\r'])('skips a blank line %j', (raw) => {
    expect(parseLogLine(raw)).toBeUndefined();
  });
});

describe('parseLog', () => {
  it('reads every non-blank line of CRLF text in order', () => {
    const lines = parseLog(`${GOKIT_EVENT}\r\n\r\nnot json\r\n${ZAP_EPOCH}\r\n`);
    expect(lines.map((l) => l.level)).toEqual(['error', undefined, 'error']);
    expect(lines[1]?.text).toBe('not json');
  });
});

describe('isErrorLine', () => {
  it.each([
    ['error', true],
    ['fatal', true],
    ['dpanic', true],
    ['warn', false],
    ['info', false],
    [undefined, false],
  ])('treats level %s as error: %s', (level, expected) => {
    expect(isErrorLine({ level, text: '', fields: {} })).toBe(expected);
  });
});

describe('summaryOf', () => {
  it.each([
    [
      'msg and error',
      GOKIT_ERROR,
      'applying new configuration failed: new config not compatible with assigned IPs',
    ],
    ['the event when there is no msg', GOKIT_EVENT, 'reload failed, retry'],
    ['the error alone', GOKIT_NO_TS, 'peer peer1 referencing non existing bfd profile my-bfd-profile'],
    ['the trimmed text of a plain line', 'plain words  ', 'plain words'],
  ])('summarises a line by %s', (_title, raw, expected) => {
    const line = parseLogLine(raw);
    expect(line && summaryOf(line)).toContain(expected);
  });

  it('cuts a long summary with an ellipsis', () => {
    const line = parseLogLine('x'.repeat(1000));
    expect(line && summaryOf(line, 20)).toBe(`${'x'.repeat(19)}…`);
  });
});

describe('epoch times', () => {
  it.each([
    ['seconds as a float', 1795694400.5, '2026-11-26T12:00:00.500Z'],
    ['milliseconds', 1795694400500, '2026-11-26T12:00:00.500Z'],
    ['seconds as a string', '1795694400', '2026-11-26T12:00:00.000Z'],
  ])('reads a ts in %s', (_title, ts, expected) => {
    expect(parseLogLine(JSON.stringify({ level: 'info', ts }))?.time?.toISOString()).toBe(expected);
  });
});

import { parseMetrics, parseSampleLine } from '../../../../src/drift/evidence/metrics';

// Shaped like a MetalLB controller's /metrics (0.14.x) with a few hand-made edge cases.
const EXPOSITION = `# HELP metallb_k8s_client_config_stale_bool 1 if running on a stale configuration, because the latest config failed to load.
# TYPE metallb_k8s_client_config_stale_bool gauge
metallb_k8s_client_config_stale_bool 1
# HELP metallb_k8s_client_config_loaded_bool 1 if the MetalLB configuration was successfully loaded at least once.
# TYPE metallb_k8s_client_config_loaded_bool gauge
metallb_k8s_client_config_loaded_bool 1
# TYPE metallb_allocator_addresses_in_use_total gauge
metallb_allocator_addresses_in_use_total{pool="default"} 3
metallb_allocator_addresses_in_use_total{pool="edge"} 0
metallb_allocator_addresses_total{pool="default"} 256
weird_labels{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",} 2.5e3 1700000000000
not_a_number NaN
positive_inf{le="+Inf"} +Inf
negative_inf -Inf
spaced_labels { pool = "x" , other="y" }   7
{"metallb.utf8.name", pool="z"} 9
# a free comment
garbage line here
metric_without_value
metric{unterminated="x} 1
metric{pool="a"}1
`;

describe('parseMetrics', () => {
  const metrics = parseMetrics(EXPOSITION);

  it.each([
    ['metallb_k8s_client_config_stale_bool', undefined, 1],
    ['metallb_allocator_addresses_in_use_total', { pool: 'edge' }, 0],
    ['metallb_allocator_addresses_in_use_total', { pool: 'default' }, 3],
    ['metallb_allocator_addresses_total', { pool: 'edge' }, undefined],
    ['weird_labels', { quote: 'say "hi"' }, 2500],
    ['positive_inf', { le: '+Inf' }, Infinity],
    ['negative_inf', undefined, -Infinity],
    ['spaced_labels', { pool: 'x', other: 'y' }, 7],
    ['metallb.utf8.name', { pool: 'z' }, 9],
    ['metric', { pool: 'a' }, 1],
    ['absent_metric', undefined, undefined],
  ])('finds %s with labels %j: %s', (name, labels, expected) => {
    expect(metrics.value(name, labels)).toBe(expected);
  });

  it('unescapes backslashes, quotes and newlines in label values', () => {
    expect(metrics.find('weird_labels')[0]?.labels).toEqual({
      path: 'C:\\dir',
      quote: 'say "hi"',
      nl: 'a\nb',
    });
  });

  it('keeps the timestamp of a sample', () => {
    expect(metrics.find('weird_labels')[0]?.timestampMs).toBe(1700000000000);
  });

  it('reads NaN as NaN', () => {
    expect(metrics.value('not_a_number')).toBeNaN();
  });

  it('returns every sample of a metric when no labels are given', () => {
    expect(metrics.find('metallb_allocator_addresses_in_use_total').map((s) => s.labels.pool)).toEqual([
      'default',
      'edge',
    ]);
  });

  it('reads HELP and TYPE lines', () => {
    expect(metrics.types.get('metallb_k8s_client_config_stale_bool')).toBe('gauge');
    expect(metrics.help.get('metallb_k8s_client_config_loaded_bool')).toMatch(/^1 if the MetalLB/);
  });

  it('skips and counts the lines that do not parse', () => {
    expect(metrics.skipped).toBe(3);
    expect(metrics.samples).toHaveLength(12);
  });
});

describe('parseSampleLine', () => {
  it.each([
    ['a value that is not a number', 'm 1x'],
    ['too many fields', 'm 1 2 3'],
    ['a fractional timestamp', 'm 1 2.5'],
    ['a label without quotes', 'm{a=b} 1'],
    ['a dangling escape', 'm{a="\\'],
    ['a name starting with a digit', '1m 1'],
    ['two UTF-8 names', '{"a","b"} 1'],
  ])('rejects %s without throwing', (_title, line) => {
    expect(parseSampleLine(line)).toBeUndefined();
  });

  it('never throws on arbitrary text', () => {
    const text = Array.from({ length: 200 }, (_, i) => String.fromCharCode(32 + ((i * 37) % 90))).join('');
    expect(() => parseMetrics(text.replace(/(.{17})/g, '$1\n'))).not.toThrow();
  });
});

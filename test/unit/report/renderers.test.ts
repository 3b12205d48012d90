import { renderJson, renderMarkdown, renderReport, renderTable } from '../../../src/report';
import { sampleReport } from './sample-report';

const ESC = '\u001b[';

describe('renderTable', () => {
  it('aligns severity, code, resource and message in columns', () => {
    const lines = renderTable(sampleReport(), { color: false }).split('\n');
    const header = lines.findIndex((l) => l.startsWith('SEVERITY'));
    const rows = lines.slice(header, header + 4);
    expect(rows).toEqual([
      'SEVERITY  CODE                   RESOURCE                                          MESSAGE',
      'critical  IP_OUTSIDE_POOLS       Service shop/web                                  Service shop/web holds 10.0.9.7, which no IPAddressPool contains (pools: default 10.0.10.0/24)',
      'warning   LEGACY_CRD_PRESENT     CustomResourceDefinition addresspools.metallb.io  CustomResourceDefinition addresspools.metallb.io is still installed',
      'info      DEPRECATED_ANNOTATION  Service billing/api                               Service billing/api uses metallb.universe.tf/address-pool | old prefix',
    ]);
  });

  it('ends with a summary line per severity, the muted count and the notes', () => {
    const text = renderTable(sampleReport(), { color: false });
    expect(
      text.endsWith(
        [
          'critical  1',
          'warning   1',
          'info      1',
          'muted     2',
          '',
          'Notes:',
          '- pods/log in metallb-system: forbidden (403); log-based checks skipped',
          '',
        ].join('\n'),
      ),
    ).toBe(true);
  });

  it('names the source, time, version and what was checked', () => {
    const [first, second] = renderTable(sampleReport(), { color: false }).split('\n');
    expect(first).toBe('MetalLB drift report for file dump.yaml at 2026-11-26T12:00:00.000Z');
    expect(second).toBe(
      'MetalLB 0.14.9 in namespace metallb-system: 12 handled services, 3 pools, 2 advertisements',
    );
  });

  it('says so when nothing drifted', () => {
    const report = { ...sampleReport(), findings: [], notes: [] };
    expect(renderTable(report, { color: false })).toContain('\nNo drift found.\n');
  });

  it('colours severities only when asked, keeping columns aligned', () => {
    expect(renderTable(sampleReport(), { color: false })).not.toContain(ESC);
    const coloured = renderTable(sampleReport(), { color: true });
    expect(coloured).toContain(`${ESC}31mcritical${ESC}0m  IP_OUTSIDE_POOLS`);
    const plain = coloured.replace(/\u001b\[\d+m/g, '');
    expect(plain).toBe(renderTable(sampleReport(), { color: false }));
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());

  it('starts with a heading and a summary table', () => {
    expect(md.startsWith('# MetalLB drift report\n')).toBe(true);
    expect(md).toContain(
      '| severity | findings |\n|---|---|\n| critical | 1 |\n| warning | 1 |\n| info | 1 |\n| muted | 2 |\n',
    );
  });

  it('groups findings by severity with their id, fix and details', () => {
    const critical = md.indexOf('## Critical (1)');
    const warning = md.indexOf('## Warning (1)');
    const info = md.indexOf('## Info (1)');
    expect(critical).toBeGreaterThan(0);
    expect(warning).toBeGreaterThan(critical);
    expect(info).toBeGreaterThan(warning);
    expect(md).toContain(
      '### `IP_OUTSIDE_POOLS` Service shop/web\n\nService shop/web holds 10.0.9.7, which no IPAddressPool contains ' +
        '(pools: default 10.0.10.0/24)\n\n- id: `3f9c0a7d51e2b846`\n- fix: `release-ip`\n\n```json\n{\n  "ips": [\n    "10.0.9.7"\n  ]\n}\n```\n',
    );
    expect(md).toContain('- fix: none (edit the configuration)');
  });

  it('escapes markdown in messages so a pipe or underscore stays text', () => {
    expect(md).toContain('uses metallb.universe.tf/address-pool \\| old prefix');
  });

  it('lists the notes', () => {
    expect(
      md.endsWith('## Notes\n\n- pods/log in metallb-system: forbidden (403); log-based checks skipped\n'),
    ).toBe(true);
  });
});

describe('renderJson', () => {
  it('prints the report object exactly, with a 2-space indent', () => {
    const report = sampleReport();
    const text = renderJson(report);
    expect(JSON.parse(text)).toEqual(report);
    expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });
});

describe('renderReport', () => {
  it.each([
    ['json', /^\{\n {2}"schemaVersion": 1,/],
    ['markdown', /^# MetalLB drift report\n/],
    ['table', /^MetalLB drift report for /],
  ] as const)('renders --output %s', (format, start) => {
    expect(renderReport(sampleReport(), format, { color: false })).toMatch(start);
  });
});

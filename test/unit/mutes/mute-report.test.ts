import { findingId } from '../../../src/drift/finding';
import type { Finding, Report, ResourceRef, Severity } from '../../../src/drift/model';
import { muteReport } from '../../../src/drift/mutes';
import { parseMutes } from '../../../src/cli/ignore-file';
import { mutesToYaml } from '../../../src/mutes/export';
import type { StoredMute } from '../../../src/mutes/mute-store';

const NOW = new Date('2026-11-30T12:00:00Z');

function finding(code: string, severity: Severity, resource: ResourceRef): Finding {
  const id = findingId(code, resource);
  return { id, code, severity, resource, message: code, details: {}, fix: null };
}

const pool = finding('POOL_NOT_ADVERTISED', 'warning', {
  kind: 'IPAddressPool',
  namespace: 'metallb-system',
  name: 'lab',
});
const ip = finding('IP_OUTSIDE_POOLS', 'critical', { kind: 'Service', namespace: 'shop', name: 'web' });
const crd = finding('LEGACY_CRD_PRESENT', 'info', {
  kind: 'CustomResourceDefinition',
  namespace: null,
  name: 'x.metallb.io',
});

const report: Report = {
  schemaVersion: 1,
  source: 'test',
  generatedAt: NOW.toISOString(),
  metallb: { namespace: 'metallb-system', version: '0.14.8' },
  summary: { critical: 1, warning: 1, info: 1, muted: 2, services: 3, pools: 2, advertisements: 1 },
  notes: [],
  findings: [ip, pool, crd],
};

describe('muteReport', () => {
  it('drops muted findings, recounts severities and adds to summary.muted', () => {
    const muted = muteReport(report, [{ id: 'm-00000001', reason: 'r', findingId: ip.id }], NOW);
    expect(muted.findings).toEqual([pool, crd]);
    expect(muted.summary).toEqual({ ...report.summary, critical: 0, muted: 3 });
  });

  it('matches by code and pattern, with - for a missing namespace', () => {
    const muted = muteReport(
      report,
      [{ id: 'm-00000001', reason: 'r', code: 'LEGACY_CRD_PRESENT', kind: '*', namespace: '-', name: '*' }],
      NOW,
    );
    expect(muted.findings.map((f) => f.code)).toEqual(['IP_OUTSIDE_POOLS', 'POOL_NOT_ADVERTISED']);
    expect(muted.summary.info).toBe(0);
  });

  it('ignores an expired mute, and leaves the report as it was', () => {
    const muted = muteReport(
      report,
      [{ id: 'm-00000001', reason: 'r', findingId: ip.id, expires: '2026-11-30T11:59:59Z' }],
      NOW,
    );
    expect(muted).toEqual(report);
  });
});

describe('mutesToYaml', () => {
  const stored = (fields: Partial<StoredMute>): StoredMute => ({
    id: 'm-0a1b2c3d',
    reason: 'migration: "quoted" # not a comment',
    cluster: 'prod',
    createdBy: 'U0ALICE',
    createdAt: '2026-11-29T10:00:00.000Z',
    ...fields,
  });

  it('writes what check --ignore reads, field for field', () => {
    const mutes = [
      stored({ findingId: ip.id, expires: '2026-12-07T10:00:00.000Z' }),
      stored({
        id: 'm-0a1b2c3e',
        code: 'POOL_NOT_ADVERTISED',
        kind: 'IPAddressPool',
        namespace: 'metallb-system',
        name: '*',
      }),
    ];
    const yaml = mutesToYaml('prod', mutes, NOW);
    expect(yaml).toContain('# m-0a1b2c3d: muted by U0ALICE at 2026-11-29T10:00:00.000Z');
    expect(parseMutes(yaml, 'export.yaml')).toEqual([
      {
        id: 'm-0a1b2c3d',
        findingId: ip.id,
        reason: 'migration: "quoted" # not a comment',
        expires: '2026-12-07T10:00:00.000Z',
      },
      {
        id: 'm-0a1b2c3e',
        code: 'POOL_NOT_ADVERTISED',
        kind: 'IPAddressPool',
        namespace: 'metallb-system',
        name: '*',
        reason: 'migration: "quoted" # not a comment',
      },
    ]);
  });

  it('writes an empty list when there is nothing muted', () => {
    expect(parseMutes(mutesToYaml('prod', [], NOW), 'export.yaml')).toEqual([]);
  });
});

import { brief, compareDigest, type PreviousDigest } from '../../../src/digests/digest-diff';
import type { Finding, Severity } from '../../../src/drift/model';

function finding(id: string, severity: Severity = 'warning', code = 'IP_OUTSIDE_POOLS'): Finding {
  return {
    id,
    code,
    severity,
    resource: { kind: 'Service', namespace: 'shop', name: `svc-${id}` },
    message: `finding ${id}`,
    details: {},
    fix: null,
  };
}

const NOW = new Date('2026-11-30T09:00:00Z');

function previousOf(findings: Finding[], at = '2026-11-29T09:00:00Z'): PreviousDigest {
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { at, findings: findings.map(brief), counts };
}

describe('compareDigest', () => {
  it('lists everything as open on the first digest, oldest first, and counts it as a change', () => {
    const result = compareDigest({
      previous: undefined,
      findings: [finding('a'), finding('b')],
      firstSeen: new Map([
        ['a', '2026-11-29T00:00:00.000Z'],
        ['b', '2026-11-20T00:00:00.000Z'],
      ]),
      now: NOW,
    });
    expect(result.baseline).toBe(true);
    expect(result.changed).toBe(true);
    expect(result.added).toEqual([]);
    expect(result.stillOpen.map((o) => o.finding.id)).toEqual(['b', 'a']);
  });

  it('splits new, resolved and still open, with counts and their change', () => {
    const previous = previousOf([finding('a', 'critical'), finding('b'), finding('c')]);
    const result = compareDigest({
      previous,
      findings: [finding('b'), finding('c'), finding('d', 'info')],
      firstSeen: new Map([
        ['b', '2026-11-28T00:00:00.000Z'],
        ['c', '2026-11-01T00:00:00.000Z'],
      ]),
      now: NOW,
    });
    expect(result.baseline).toBe(false);
    expect(result.added.map((f) => f.id)).toEqual(['d']);
    expect(result.resolved.map((f) => f.id)).toEqual(['a']);
    expect(result.resolved[0]).toMatchObject({ code: 'IP_OUTSIDE_POOLS', kind: 'Service', name: 'svc-a' });
    expect(result.stillOpen.map((o) => [o.finding.id, o.firstSeen])).toEqual([
      ['c', '2026-11-01T00:00:00.000Z'],
      ['b', '2026-11-28T00:00:00.000Z'],
    ]);
    expect(result.counts).toEqual({ critical: 0, warning: 2, info: 1 });
    expect(result.delta).toEqual({ critical: -1, warning: 0, info: 1 });
    expect(result.changed).toBe(true);
  });

  it('is no change when the same findings are open', () => {
    const result = compareDigest({
      previous: previousOf([finding('a')]),
      findings: [finding('a')],
      firstSeen: new Map(),
      now: NOW,
    });
    expect(result.changed).toBe(false);
    expect(result.stillOpen[0]?.firstSeen).toBe(NOW.toISOString());
  });

  it('names the expired mute behind a finding that came back', () => {
    const result = compareDigest({
      previous: previousOf([]),
      findings: [finding('a'), finding('b', 'info', 'POOL_EMPTY')],
      firstSeen: new Map(),
      expiredMutes: [
        { id: 'm-0000000a', code: 'POOL_EMPTY', reason: 'lab pool', expires: '2026-11-30T08:00:00Z' },
        { id: 'm-0000000b', findingId: 'zzz', reason: 'other' },
      ],
      now: NOW,
    });
    expect(result.returned).toEqual([
      {
        finding: finding('b', 'info', 'POOL_EMPTY'),
        mute: { id: 'm-0000000a', reason: 'lab pool', expires: '2026-11-30T08:00:00Z' },
      },
    ]);
  });
});

import { brief, compareDigest, type PreviousDigest, type TrendPoint } from '../../../src/digests/digest-diff';
import type { Finding, Severity } from '../../../src/drift/model';
import type { Block } from '../../../src/slack/views/blocks';
import {
  digestFailedMessage,
  digestMessage,
  formatAge,
  slackDate,
  sparkline,
  type DigestViewInput,
} from '../../../src/slack/views/digest';
import {
  declaredScheduleMessage,
  notOperatorDigestMessage,
  scheduleLine,
  scheduleListMessage,
} from '../../../src/slack/views/digest-schedules';

const NOW = new Date('2026-11-30T09:00:00Z');

function finding(id: string, severity: Severity = 'warning', code = 'IP_OUTSIDE_POOLS'): Finding {
  return {
    id,
    code,
    severity,
    resource: { kind: 'Service', namespace: 'shop', name: `svc-${id}` },
    message: `finding ${id} <b>`,
    details: {},
    fix: null,
  };
}

function previousOf(findings: Finding[]): PreviousDigest {
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return { at: '2026-11-29T09:00:00Z', findings: findings.map(brief), counts };
}

/** Every mrkdwn text of the blocks, in order. */
function blockTexts(blocks: Block[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'section') return b.text ? [b.text.text] : [];
    if (b.type === 'context') return b.elements.map((e) => ('text' in e ? e.text : ''));
    return [];
  });
}

function view(overrides: Partial<DigestViewInput> & Pick<DigestViewInput, 'comparison'>): string {
  const message = digestMessage({
    cluster: 'prod',
    trend: [],
    muted: 0,
    now: NOW,
    reportAttached: false,
    ...overrides,
  });
  return blockTexts(message.blocks).join('\n');
}

describe('sparkline', () => {
  it.each([
    [[0, 0, 0], '▁▁▁'],
    [[0, 1, 2, 4, 8], '▁▂▃▅█'],
    [[1, 1], '██'],
    [[0, 1, 100], '▁▂█'],
    [[3, undefined, 3], '█·█'],
    [[], ''],
  ])('%j -> %s', (values, line) => expect(sparkline(values)).toBe(line));
});

describe('formatAge and slackDate', () => {
  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [3 * 3600_000, '3 h'],
    [47 * 3600_000, '47 h'],
    [50 * 3600_000, '2 d'],
  ])('%d ms -> %s', (ms, text) => expect(formatAge(ms)).toBe(text));

  it('lets Slack show the reader their own time, with UTC as the fallback', () => {
    expect(slackDate('2026-11-30T06:05:09.123Z')).toBe(
      '<!date^1796018709^{date_short_pretty} {time}|2026-11-30 06:05 UTC>',
    );
  });
});

describe('digestMessage', () => {
  const previous = previousOf([finding('gone', 'critical'), finding('old'), finding('older', 'info')]);
  const comparison = compareDigest({
    previous,
    findings: [finding('new1', 'critical'), finding('old'), finding('older', 'info')],
    firstSeen: new Map([
      ['old', '2026-11-29T06:00:00.000Z'],
      ['older', '2026-11-25T09:00:00.000Z'],
    ]),
    now: NOW,
  });

  it('leads with counts and their change, then the trend, new, resolved and oldest open in that order', () => {
    const trend: TrendPoint[] = [
      { at: '1', counts: { critical: 1, warning: 1, info: 1 } },
      { at: '2' },
      { at: '3', counts: { critical: 1, warning: 1, info: 1 } },
    ];
    const text = view({ comparison, trend, muted: 2, reportAttached: true });
    const order = [
      ':red_circle: *MetalLB digest for `prod`*: 1 critical, 1 warning, 1 info',
      '1 new, 1 resolved, counts unchanged since the last digest',
      '*Trend* (open findings, last 3 digests)',
      '`█·█` critical 1',
      '*New since the last digest* (1)',
      ':red_circle: `IP_OUTSIDE_POOLS` Service shop/svc-new1: finding new1 &lt;b&gt;',
      '*Resolved since the last digest* (1)',
      ':red_circle: `IP_OUTSIDE_POOLS` Service shop/svc-gone',
      '*Still open, oldest first* (2)',
      '`IP_OUTSIDE_POOLS` Service shop/svc-older · open 5 d (since <!date^1795597200^',
      '`IP_OUTSIDE_POOLS` Service shop/svc-old · open 27 h',
      '2 muted finding(s) left out · the full report is in the thread',
    ];
    let from = 0;
    for (const part of order) {
      const at = text.indexOf(part, from);
      expect({ part, found: at >= 0 }).toEqual({ part, found: true });
      from = at + part.length;
    }
  });

  it('says the change by severity when counts moved', () => {
    const moved = compareDigest({
      previous,
      findings: [finding('old'), finding('w2')],
      firstSeen: new Map(),
      now: NOW,
    });
    expect(view({ comparison: moved })).toContain(
      '1 new, 2 resolved (−1 critical, +1 warning, −1 info) since the last digest',
    );
  });

  it('keeps the fallback text short and informative', () => {
    const message = digestMessage({
      cluster: 'prod',
      comparison,
      trend: [],
      muted: 0,
      now: NOW,
      reportAttached: true,
    });
    expect(message.text).toBe('MetalLB digest for prod: 1 critical, 1 warning, 1 info; 1 new, 1 resolved');
  });

  it('gives a healthy cluster one all-clear line, and names what was resolved', () => {
    const clear = compareDigest({ previous, findings: [], firstSeen: new Map(), now: NOW });
    const message = digestMessage({
      cluster: 'prod',
      comparison: clear,
      trend: [],
      muted: 0,
      now: NOW,
      reportAttached: false,
    });
    expect(message.text).toBe('MetalLB digest for prod: all clear');
    const text = blockTexts(message.blocks).join('\n');
    expect(text.split('\n')[0]).toBe(':white_check_mark: *MetalLB digest for `prod`*: all clear, no drift.');
    expect(text).toContain('*Resolved since the last digest* (3)');
    expect(text).not.toContain('Trend');
    const quiet = compareDigest({ previous: previousOf([]), findings: [], firstSeen: new Map(), now: NOW });
    expect(
      digestMessage({
        cluster: 'prod',
        comparison: quiet,
        trend: [],
        muted: 0,
        now: NOW,
        reportAttached: false,
      }).blocks,
    ).toHaveLength(1);
  });

  it('calls the first digest a baseline and lists every finding as open', () => {
    const first = compareDigest({
      previous: undefined,
      findings: [finding('a')],
      firstSeen: new Map(),
      now: NOW,
    });
    const text = view({ comparison: first });
    expect(text).toContain('first digest of this cluster in this channel');
    expect(text).toContain('*Open, oldest first* (1)');
    expect(text).not.toContain('New since');
  });

  it('caps each list and says how many more there are', () => {
    const many = Array.from({ length: 13 }, (_, i) => finding(`n${i}`));
    const grown = compareDigest({ previous: previousOf([]), findings: many, firstSeen: new Map(), now: NOW });
    const text = view({ comparison: grown });
    expect(text).toContain('*New since the last digest* (13)');
    expect(text).toContain('…and 3 more in the report.');
    expect(text).not.toContain('svc-n10');
  });

  it('says a finding came back because its mute expired', () => {
    const back = compareDigest({
      previous: previousOf([]),
      findings: [finding('a')],
      firstSeen: new Map(),
      expiredMutes: [{ id: 'm-1234abcd', findingId: 'a', reason: 'accepted until the migration' }],
      now: NOW,
    });
    expect(view({ comparison: back })).toContain(
      'Service shop/svc-a: finding a &lt;b&gt; · back: mute `m-1234abcd` expired (accepted until the migration)',
    );
  });

  it('says how long the bot was away and that skipped runs were not replayed', () => {
    const text = view({
      comparison,
      lateness: { missedRuns: 3, sinceLastMs: 4 * 86_400_000 },
      recovered: true,
    });
    expect(text.split('\n')[0]).toBe(
      ':zzz: The bot was down: The last one was 4 d ago; 3 scheduled digest(s) were skipped, not replayed.',
    );
    expect(text).toContain('The cluster answers again after a failed check.');
  });
});

describe('digestFailedMessage', () => {
  it('says the check failed, why, and what the next digest compares with', () => {
    const message = digestFailedMessage({
      cluster: 'prod',
      code: 'E_CLUSTER_UNREACHABLE',
      problem: 'connect ECONNREFUSED 127.0.0.1:1',
      lastSuccessAt: '2026-11-29T09:00:00Z',
      now: NOW,
    });
    expect(message.text).toBe('MetalLB digest for prod: the check failed (E_CLUSTER_UNREACHABLE)');
    const text = blockTexts(message.blocks).join('\n');
    expect(text).toContain('*MetalLB digest for `prod`: the check failed*');
    expect(text).toContain('*E_CLUSTER_UNREACHABLE*: connect ECONNREFUSED 127.0.0.1:1');
    expect(text).toContain('compares with the last successful one, from <!date^1795942800^');
    const none = digestFailedMessage({ cluster: 'prod', code: 'E_FORBIDDEN', problem: 'no', now: NOW });
    expect(blockTexts(none.blocks).join('\n')).toContain('No successful digest yet');
  });
});

describe('schedule views', () => {
  const schedule = {
    cluster: 'prod',
    channel: 'C01ABC',
    cron: '0 9 * * 1-5',
    timezone: 'Europe/Berlin',
    onlyChanges: true,
    origin: 'slack' as const,
    requestedBy: 'U0ALICE',
    next: new Date('2026-12-01T08:00:00Z'),
  };

  it('puts a schedule on one line with its next run', () => {
    expect(scheduleLine(schedule, { withChannel: true })).toBe(
      '`prod` · <#C01ABC> · `0 9 * * 1-5` Europe/Berlin · only changes · next <!date^1796112000^{date_short_pretty} {time}|2026-12-01 08:00 UTC> · set by <@U0ALICE>',
    );
    expect(scheduleLine({ ...schedule, origin: 'declared', every: 2000, next: undefined })).toBe(
      '`prod` · every 2 s · only changes · no next run · declared in DIGESTS',
    );
  });

  it('lists none with an example', () => {
    expect(scheduleListMessage([]).text).toContain('/metallb digest "0 9 * * 1-5" Europe/Berlin');
    expect(scheduleListMessage([schedule]).text).toBe('1 digest schedule(s) in this channel');
  });

  it('says where a declared schedule lives, and why a refusal happens', () => {
    expect(declaredScheduleMessage({ ...schedule, origin: 'declared' }, 'remove').text).toContain(
      "declared in the bot's DIGESTS setting, so it cannot be removed from Slack",
    );
    expect(notOperatorDigestMessage(false).text).toContain('the OPERATORS setting of the bot is not set');
    expect(notOperatorDigestMessage(true).text).toContain('only people on the OPERATORS list');
  });
});

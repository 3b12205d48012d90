import { CATALOGUE } from '../../../src/drift/catalogue';
import type { Finding, Report } from '../../../src/drift/model';
import { MAX_BLOCKS, MAX_TEXT, splitText, type Block } from '../../../src/slack/views/blocks';
import { checkSummaryMessage, checkThread, MAX_THREAD_FINDINGS } from '../../../src/slack/views/check';
import { ERROR_CATALOGUE } from '../../../src/errors';
import { errorMessage } from '../../../src/slack/views/help';

function finding(i: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: i.toString(16).padStart(16, '0'),
    code: 'IP_OUTSIDE_POOLS',
    severity: 'critical',
    resource: { kind: 'Service', namespace: 'shop', name: `web-${i}` },
    message: `Service shop/web-${i} holds 10.0.9.${i}, which no IPAddressPool contains`,
    details: { ips: [`10.0.9.${i}`] },
    fix: 'release-ip',
    ...overrides,
  };
}

function report(findings: Finding[], extra: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    source: 'context prod',
    generatedAt: '2026-11-26T12:00:00.000Z',
    metallb: { namespace: 'metallb-system', version: '0.14.9' },
    summary: {
      critical: findings.filter((f) => f.severity === 'critical').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      info: findings.filter((f) => f.severity === 'info').length,
      muted: 0,
      services: 12,
      pools: 2,
      advertisements: 1,
    },
    notes: [],
    findings,
    ...extra,
  };
}

function allText(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

function assertWithinLimits(blocks: Block[]): void {
  expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
  for (const block of blocks) {
    if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(MAX_TEXT);
  }
}

describe('check views', () => {
  it('summarises counts, cluster, version and time in the parent message', () => {
    const message = checkSummaryMessage({
      cluster: 'prod',
      report: report([finding(1), finding(2, { severity: 'warning', code: 'POOL_NOT_ADVERTISED' })]),
      durationMs: 1234,
    });
    expect(message.text).toBe('MetalLB check on prod: 1 critical, 1 warning, 0 info');
    const text = allText(message.blocks);
    expect(text).toContain('MetalLB 0.14.9');
    expect(text).toContain('checked in 1.2 s');
    expect(text).toContain('IP_OUTSIDE_POOLS');
    expect(text).toContain('POOL_NOT_ADVERTISED');
  });

  it('says so when nothing drifted and opens no thread', () => {
    const r = report([]);
    expect(checkSummaryMessage({ cluster: 'lab', report: r, durationMs: 50 }).text).toBe(
      'MetalLB check on lab: no drift found',
    );
    expect(checkThread(r)).toEqual({ messages: [], attachReport: false });
  });

  it('names at most five findings in the parent and points to the thread for the rest', () => {
    const message = checkSummaryMessage({
      cluster: 'prod',
      report: report([1, 2, 3, 4, 5, 6, 7].map((i) => finding(i))),
      durationMs: 10,
    });
    const text = allText(message.blocks);
    expect(text).toContain('web-5');
    expect(text).not.toContain('web-6');
    expect(text).toContain('and 2 more in the thread');
  });

  it('shows the notes of what could not be checked', () => {
    const message = checkSummaryMessage({
      cluster: 'prod',
      report: report([], { notes: ['pods/log forbidden (403)'] }),
      durationMs: 10,
    });
    expect(allText(message.blocks)).toContain('pods/log forbidden (403)');
  });

  it('puts up to 20 findings in the thread as messages, grouped by code', () => {
    const findings = [finding(1), finding(2, { code: 'DUPLICATE_IP' }), finding(3)];
    const thread = checkThread(report(findings));
    expect(thread.attachReport).toBe(false);
    expect(thread.messages.map((m) => m.text.split(' ')[0])).toEqual([
      'IP_OUTSIDE_POOLS',
      'IP_OUTSIDE_POOLS',
      'DUPLICATE_IP',
    ]);
    expect(allText(thread.messages[0]!.blocks)).toContain('fix: `release-ip`');
  });

  it('beyond 20 findings posts a summary by code and attaches the report', () => {
    const findings = Array.from({ length: MAX_THREAD_FINDINGS + 1 }, (_, i) => finding(i));
    const thread = checkThread(report(findings));
    expect(thread.attachReport).toBe(true);
    expect(thread.messages).toHaveLength(1);
    expect(allText(thread.messages[0]!.blocks)).toContain(
      `IP_OUTSIDE_POOLS* ×21: ${CATALOGUE.IP_OUTSIDE_POOLS.title}: `,
    );
  });

  it('splits a very long finding instead of truncating it', () => {
    const long = finding(1, {
      details: { ips: Array.from({ length: 900 }, (_, i) => `fd00::${i.toString(16)}`) },
    });
    const messages = checkThread(report([long])).messages;
    const joined = messages.map((m) => allText(m.blocks)).join('');
    expect(joined).toContain('fd00::383'); // the last of the 900 addresses is still there
    for (const m of messages) assertWithinLimits(m.blocks);
  });

  it('escapes mrkdwn control characters from cluster data', () => {
    const message = checkSummaryMessage({
      cluster: 'prod',
      report: report([finding(1, { message: 'a <!channel> & b' })]),
      durationMs: 1,
    });
    expect(allText(message.blocks)).toContain('a &lt;!channel&gt; &amp; b');
  });
});

describe('blocks', () => {
  it('splits text at line ends within the limit', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(10)}`).join('\n');
    const pieces = splitText(text, 1000);
    expect(pieces.every((p) => p.length <= 1000)).toBe(true);
    expect(pieces.join('\n')).toBe(text);
  });

  it('renders errors with their code, advice and usage', () => {
    const message = errorMessage('E_USAGE', 'unknown subcommand "chek"', true);
    const text = allText(message.blocks);
    expect(text).toContain('E_USAGE');
    expect(text).toContain('unknown subcommand');
    // The advice is the line right under the error (allText is the blocks' JSON, hence the stringify).
    expect(text).toContain(
      JSON.stringify(`unknown subcommand "chek"\n${ERROR_CATALOGUE.E_USAGE}`).slice(1, -1),
    );
    expect(text).toContain('/metallb check [--cluster NAME]');
  });
});

import type { ApprovalRecord } from '../../../src/approvals/state-machine';
import type { Finding, Report } from '../../../src/drift/model';
import { ACTION_IDS } from '../../../src/slack/actions';
import { checkSummaryMessage, checkThread } from '../../../src/slack/views/check';
import {
  approvalMessage,
  decisionMessage,
  parseApprovalValue,
  parseProposeValue,
  parseRestoreValue,
  progressText,
  proposeValue,
  resultMessage,
  retryMessage,
  sweepMessage,
} from '../../../src/slack/views/fix';
import type { Block } from '../../../src/slack/views/blocks';

const T0 = Date.parse('2026-11-30T06:00:00Z');

function record(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id: 'f-0123456789abcdef',
    fix: 'reapply-config',
    cluster: 'prod',
    channel: 'C0OPS',
    threadTs: '1764482400.000100',
    requestedBy: 'U0ALICE',
    planHash: 'a'.repeat(64),
    requestedAt: T0,
    expiresAt: T0 + 30 * 60_000,
    approvalRequired: true,
    state: 'requested',
    version: 1,
    ...overrides,
  };
}

interface Element {
  action_id: string;
  value: string;
  confirm?: unknown;
  text: { text: string };
}

function elements(blocks: Block[]): Element[] {
  return blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as unknown as Element[]) : []));
}

function text(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

function finding(i: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: i.toString(16).padStart(16, '0'),
    code: 'IP_OUTSIDE_POOLS',
    severity: 'critical',
    resource: { kind: 'Service', namespace: 'shop', name: `web-${i}` },
    message: `Service shop/web-${i} holds an IP no pool contains`,
    details: {},
    fix: 'release-ip',
    ...overrides,
  };
}

function report(findings: Finding[]): Report {
  return {
    schemaVersion: 1,
    source: 'context prod',
    generatedAt: '2026-11-26T12:00:00.000Z',
    metallb: { namespace: 'metallb-system', version: '0.14.9' },
    summary: {
      critical: findings.length,
      warning: 0,
      info: 0,
      muted: 0,
      services: 1,
      pools: 1,
      advertisements: 1,
    },
    notes: [],
    findings,
  };
}

describe('the approval message', () => {
  it('carries Approve with a confirm dialog on a destructive fix, Reject, the expiry and the approvers', () => {
    const message = approvalMessage(record(), ['U0BOB', 'S0ONCALL']);
    const [approve, reject] = elements(message.blocks);
    expect(approve?.action_id).toBe(ACTION_IDS.approve);
    expect(approve?.confirm).toBeDefined();
    expect(reject?.action_id).toBe(ACTION_IDS.reject);
    expect(reject?.confirm).toBeUndefined();
    expect(parseApprovalValue(approve?.value ?? '')).toEqual({
      approvalId: 'f-0123456789abcdef',
      cluster: 'prod',
      planHash: 'a'.repeat(64),
    });
    expect(text(message.blocks)).toContain('<@U0BOB> <!subteam^S0ONCALL>');
    expect(text(message.blocks)).toContain(`<!date^${(T0 + 30 * 60_000) / 1000}^`);
  });

  it('has no confirm dialog for a fix that is not destructive, and says when nobody may approve', () => {
    const message = approvalMessage(record({ fix: 'restart-speakers' }), undefined);
    expect(elements(message.blocks)[0]?.confirm).toBeUndefined();
    expect(text(message.blocks)).toContain('Nobody may approve until APPROVERS is set');
  });

  it('says Apply and Dismiss for a config change, on the same actions and value as a fix', () => {
    const change = record({ fix: 'apply-config' });
    const message = approvalMessage(change, ['U0BOB']);
    const [apply, dismiss] = elements(message.blocks);
    expect(apply).toMatchObject({ action_id: ACTION_IDS.approve, text: { text: 'Apply' } });
    expect(dismiss).toMatchObject({ action_id: ACTION_IDS.reject, text: { text: 'Dismiss' } });
    expect(apply?.value).toBe(elements(approvalMessage(record(), ['U0BOB']).blocks)[0]?.value);
    expect(apply?.confirm).toMatchObject({ title: { text: 'Apply this config change?' } });
    const dismissed = decisionMessage({ ...change, state: 'rejected', decidedBy: 'U0BOB', decidedAt: T0 });
    expect(text(dismissed.blocks)).toMatch(/Dismissed\* by <@U0BOB>/);
    const applied = decisionMessage({ ...change, state: 'approved', decidedBy: 'U0BOB', decidedAt: T0 });
    expect(text(applied.blocks)).toMatch(/Apply approved\* by <@U0BOB>/);
  });

  it.each([
    [record({ state: 'approved', decidedBy: 'U0BOB', decidedAt: T0 + 60_000 }), /Approved\* by <@U0BOB>/],
    [record({ state: 'rejected', decidedBy: 'U0BOB', decidedAt: T0 + 60_000 }), /Rejected\* by <@U0BOB>/],
    [record({ state: 'expired', decidedAt: T0 + 30 * 60_000 }), /Expired/],
  ])('is replaced by the decision, without buttons (%#)', (decided, pattern) => {
    const message = decisionMessage(decided);
    expect(text(message.blocks)).toMatch(pattern);
    expect(elements(message.blocks)).toEqual([]);
  });
});

describe('button values', () => {
  it.each(['', 'not json', '[1,2]', 'null', '{"a":1}'])(
    'parse %p into empty strings the workflow refuses',
    (v) => {
      expect(parseApprovalValue(v).approvalId).toBe('');
      expect(parseRestoreValue(v).backupId).toBe('');
      expect(parseProposeValue(v).fix).toBe('');
    },
  );

  it('reads a value with a field we never write, or longer than Slack allows, as nothing', () => {
    const good = { a: 'f-0123456789abcdef', c: 'prod', h: 'a'.repeat(64) };
    expect(parseApprovalValue(JSON.stringify(good)).approvalId).toBe(good.a);
    expect(parseApprovalValue(JSON.stringify({ ...good, x: 1 }))).toEqual({
      approvalId: '',
      cluster: '',
      planHash: '',
    });
    expect(parseApprovalValue(JSON.stringify({ ...good, pad: 'x'.repeat(2000) })).approvalId).toBe('');
    expect(parseApprovalValue(`${JSON.stringify(good)}${' '.repeat(2000)}`).approvalId).toBe('');
    expect(
      parseRestoreValue(JSON.stringify({ b: 'b-20261130-060000-abcd', c: 'prod', a: 'x' })).backupId,
    ).toBe('');
    expect(parseProposeValue(JSON.stringify({ f: 'release-ip', c: 'prod', t: ['a/b', 7] })).fix).toBe('');
    expect(parseProposeValue(JSON.stringify({ f: 'release-ip', c: 'prod', t: 'a/b' })).fix).toBe('');
  });

  it('drops targets that would not fit in a button, meaning "every Service with the finding"', () => {
    const many = Array.from({ length: 200 }, (_, i) => `namespace-${i}/service-${i}`);
    expect(parseProposeValue(proposeValue('release-ip', 'prod', many))).toEqual({
      fix: 'release-ip',
      cluster: 'prod',
      targets: [],
    });
    expect(parseProposeValue(proposeValue('release-ip', 'prod', ['a/b'])).targets).toEqual(['a/b']);
  });
});

describe('progress and result', () => {
  it('reads like "step 3 of 9: …; waiting for …"', () => {
    expect(
      progressText({
        fixId: 'f-0123456789abcdef',
        step: 3,
        of: 9,
        title: 're-creating IPAddressPool prod',
        waitingFor: '12 services to hold their IPs again',
      }),
    ).toBe('step 3 of 9: re-creating IPAddressPool prod; waiting for 12 services to hold their IPs again');
  });

  it('compares before and after and carries Restore this backup', () => {
    const message = resultMessage(record({ state: 'succeeded' }), {
      kind: 'succeeded',
      fixId: 'f-0123456789abcdef',
      backupId: 'b-20261130-060000-0a1b',
      comparison: {
        resolved: [{ id: '1', code: 'IP_OUTSIDE_POOLS', resource: 'Service shop/web' }],
        appeared: [],
        services: [
          { service: 'shop/web', before: ['10.0.0.5'], after: ['10.0.0.5'] },
          { service: 'shop/api', before: ['192.0.2.9'], after: ['10.0.0.6'] },
        ],
      },
    });
    const body = text(message.blocks);
    expect(body).toContain('Findings resolved');
    expect(body).toContain('shop/web: 10.0.0.5 → 10.0.0.5');
    expect(body).toContain('shop/api: 192.0.2.9 → 10.0.0.6 :warning: changed');
    const restore = elements(message.blocks)[0];
    expect(restore?.action_id).toBe(ACTION_IDS.restoreBackup);
    expect(parseRestoreValue(restore?.value ?? '')).toEqual({
      backupId: 'b-20261130-060000-0a1b',
      cluster: 'prod',
    });
  });
});

describe('Propose fix in a check thread', () => {
  it('puts one button per fix under the last finding that names it, with those findings as targets', () => {
    const findings = [
      finding(1),
      finding(2),
      finding(3, { code: 'ALLOCATED_POOL_MISSING', fix: 'clear-stale-annotation' }),
      finding(4, {
        code: 'CONTROLLER_NOT_READY',
        fix: 'restart-controller',
        resource: { kind: 'Deployment', namespace: 'metallb-system', name: 'controller' },
      }),
      finding(5, {
        code: 'POOL_NOT_ADVERTISED',
        fix: null,
        resource: { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'x' },
      }),
    ];
    const { messages } = checkThread(report(findings), { proposeCluster: 'prod' });
    const withButtons = messages.filter((m) => elements(m.blocks).length > 0);
    expect(withButtons).toHaveLength(3);
    const proposals = withButtons.flatMap((m) => elements(m.blocks)).map((e) => parseProposeValue(e.value));
    expect(proposals).toEqual(
      expect.arrayContaining([
        { fix: 'release-ip', cluster: 'prod', targets: ['shop/web-1', 'shop/web-2'] },
        { fix: 'clear-stale-annotation', cluster: 'prod', targets: ['shop/web-3'] },
        { fix: 'restart-controller', cluster: 'prod', targets: [] },
      ]),
    );
    const releaseMessage = withButtons.find((m) =>
      elements(m.blocks).some((e) => e.value.includes('release-ip')),
    );
    expect(releaseMessage?.text).toContain('shop/web-2');
  });

  it('puts the buttons under the summary by code when the thread would hold more than 20 findings', () => {
    const findings = Array.from({ length: 25 }, (_, i) => finding(i + 1));
    const { messages, attachReport } = checkThread(report(findings), { proposeCluster: 'prod' });
    expect(attachReport).toBe(true);
    const last = messages.at(-1);
    expect(elements(last?.blocks ?? []).map((e) => parseProposeValue(e.value).fix)).toEqual(['release-ip']);
  });

  it('says in the summary that a fix is running', () => {
    const message = checkSummaryMessage({
      cluster: 'prod',
      report: report([finding(1)]),
      durationMs: 1000,
      runningFix: 'fix f-0123456789abcdef (reapply-config) running, step 3 of 9',
    });
    expect(text(message.blocks)).toContain('fix f-0123456789abcdef (reapply-config) running, step 3 of 9');
  });
});

describe('a rollback that could not finish, and the sweep', () => {
  const incomplete = {
    kind: 'rollback-incomplete' as const,
    fixId: 'f-0123456789abcdef',
    backupId: 'b-20261130-060000-abcd',
    cause: 'step 2 (re-create IPAddressPool dev): socket hang up',
    left: [{ object: 'MetalLB config', problem: 'not restored yet' }],
  };
  const running = record({ state: 'running' });

  it('says the job retries, when, and that it rolls back to the backup', () => {
    const message = retryMessage(running, incomplete, {
      attempt: 1,
      attempts: 3,
      retryInMs: 5000,
      sweepIntervalMs: 60_000,
    });
    expect(message.text).toContain('rollback incomplete, will retry');
    const body = text(message.blocks ?? []);
    expect(body).toContain('attempt 1 of 3');
    expect(body).toContain('retries in about 5 s');
    expect(body).toContain('rolls back to backup `b-20261130-060000-abcd`');
    expect(body).toContain('MetalLB config: not restored yet');
  });

  it('says the sweep restores once the retries ran out', () => {
    const message = retryMessage(running, incomplete, { attempt: 3, attempts: 3, sweepIntervalMs: 60_000 });
    expect(message.text).toContain('retries ran out; the sweep restores');
    expect(text(message.blocks ?? [])).toContain('tries every 1.0 min');
  });

  const info = { round: 1, rounds: 10, intervalMs: 60_000, backupId: 'b-20261130-060000-abcd' };
  const leftOver = { object: 'Lease metallb-system/metallb-chatops-fix', problem: 'socket hang up' };

  it('a sweep that restored says so, from which backup', () => {
    const message = sweepMessage(
      running,
      {
        fixId: running.id,
        restored: ['create IPAddressPool dev'],
        unpinned: ['default/web'],
        leaseReleased: true,
        left: [],
      },
      info,
    );
    expect(message.text).toContain('restored by the sweep');
    const body = text(message.blocks ?? []);
    expect(body).toContain('from backup `b-20261130-060000-abcd`');
    expect(body).toContain('pin removed from default/web');
    expect(body).toContain('Lease released');
  });

  it('a sweep that could not finish says it tries again, without a Restore button', () => {
    const message = sweepMessage(
      running,
      { fixId: running.id, restored: [], unpinned: [], leaseReleased: false, left: [leftOver] },
      info,
    );
    expect(message.text).toContain('sweep not finished, will retry');
    expect(text(message.blocks ?? [])).toContain('round 1 of 10');
    expect(elements(message.blocks ?? [])).toEqual([]);
  });

  it('a sweep that gave up names what is left for a person, with a Restore button', () => {
    const message = sweepMessage(
      running,
      { fixId: running.id, restored: [], unpinned: [], leaseReleased: false, left: [leftOver] },
      { ...info, round: 10 },
    );
    expect(message.text).toContain('sweep gave up');
    const body = text(message.blocks ?? []);
    expect(body).toContain('Left for a person');
    expect(body).toContain('socket hang up');
    expect(elements(message.blocks ?? []).map((e) => e.action_id)).toEqual([ACTION_IDS.restoreBackup]);
  });
});

import {
  isFinal,
  needsReapproval,
  requestApproval,
  transition,
  type ApprovalEvent,
  type ApprovalState,
} from '../../../src/approvals/state-machine';
import { aRequest, HASH, T0, TTL } from './builders';

const at = T0 + 1000;

describe('approval state machine', () => {
  it('a fix that waits starts as requested and expires after the TTL', () => {
    const record = aRequest();
    expect(record).toMatchObject({ state: 'requested', version: 1, requestedAt: T0, expiresAt: T0 + TTL });
    expect(record.decidedAt).toBeUndefined();
  });

  it('a fix that needs no approval is approved by policy when requested', () => {
    const record = requestApproval(
      {
        id: 'f-0000000000000001',
        fix: 'backup',
        cluster: 'prod',
        channel: 'C0OPS',
        threadTs: '1736931600.000100',
        requestedBy: 'U0ALICE',
        planHash: HASH,
        approvalRequired: false,
      },
      T0,
      TTL,
    );
    expect(record).toMatchObject({ state: 'approved', decidedAt: T0 });
    expect(record.decidedBy).toBeUndefined();
  });

  it.each<[ApprovalState, ApprovalEvent, ApprovalState]>([
    ['requested', { type: 'approve', by: 'U0BOB', at }, 'approved'],
    ['requested', { type: 'reject', by: 'U0BOB', at }, 'rejected'],
    ['requested', { type: 'expire', at: T0 + TTL }, 'expired'],
    ['approved', { type: 'start', at }, 'running'],
    ['approved', { type: 'stop', at, reason: 'plan-changed' }, 'stopped'],
    ['running', { type: 'succeed', at }, 'succeeded'],
    ['running', { type: 'fail', at, outcome: 'rollout did not complete' }, 'failed'],
    ['running', { type: 'roll-back', at, outcome: 'webhook denied pool prod' }, 'rolled-back'],
    ['running', { type: 'stop', at, reason: 'conflict' }, 'stopped'],
  ])('%s --%j--> %s', (from, event, to) => {
    const before = aRequest({ state: from });
    const result = transition(before, event);
    expect(result).toMatchObject({ ok: true, record: { state: to, version: 2 } });
    expect(before.state).toBe(from);
    expect(before.version).toBe(1);
  });

  it.each<[ApprovalState, ApprovalEvent, string]>([
    ['approved', { type: 'approve', by: 'U0CAROL', at }, 'already-decided'],
    ['rejected', { type: 'approve', by: 'U0CAROL', at }, 'already-decided'],
    ['approved', { type: 'reject', by: 'U0CAROL', at }, 'already-decided'],
    ['expired', { type: 'approve', by: 'U0BOB', at }, 'expired'],
    ['expired', { type: 'start', at }, 'expired'],
    ['requested', { type: 'start', at }, 'not-allowed-now'],
    ['rejected', { type: 'start', at }, 'not-allowed-now'],
    ['running', { type: 'start', at }, 'not-allowed-now'],
    ['succeeded', { type: 'fail', at, outcome: 'x' }, 'not-allowed-now'],
    ['stopped', { type: 'start', at }, 'not-allowed-now'],
    ['approved', { type: 'expire', at: T0 + TTL }, 'not-allowed-now'],
    ['requested', { type: 'expire', at: T0 + TTL - 1 }, 'not-allowed-now'],
  ])('%s refuses %j with %s', (from, event, code) => {
    expect(transition(aRequest({ state: from }), event)).toMatchObject({ ok: false, code });
  });

  it('refuses an approval at or after the expiry even before the record was marked expired', () => {
    const record = aRequest();
    expect(transition(record, { type: 'approve', by: 'U0BOB', at: T0 + TTL })).toMatchObject({
      ok: false,
      code: 'expired',
    });
    expect(transition(record, { type: 'approve', by: 'U0BOB', at: T0 + TTL - 1 }).ok).toBe(true);
  });

  it('records who decided and when, and marks a retried click by the same person as a repeat', () => {
    const approved = transition(aRequest(), { type: 'approve', by: 'U0BOB', at });
    if (!approved.ok) throw new Error('expected approval');
    expect(approved.record).toMatchObject({ decidedBy: 'U0BOB', decidedAt: at });
    const again = transition(approved.record, { type: 'approve', by: 'U0BOB', at: at + 5 });
    expect(again).toMatchObject({ ok: false, code: 'already-decided', repeat: true });
    const other = transition(approved.record, { type: 'approve', by: 'U0CAROL', at: at + 5 });
    expect(other).toMatchObject({ ok: false, code: 'already-decided', repeat: false });
    expect(!other.ok && other.message).toContain('<@U0BOB>');
  });

  it('a job stopped because the plan changed asks for a new approval; a stopped backup does not', () => {
    const stopped = transition(aRequest({ state: 'running' }), { type: 'stop', at, reason: 'plan-changed' });
    if (!stopped.ok) throw new Error('expected stop');
    expect(stopped.record).toMatchObject({ stopReason: 'plan-changed', finishedAt: at });
    expect(needsReapproval(stopped.record)).toBe(true);
    expect(needsReapproval({ ...stopped.record, approvalRequired: false })).toBe(false);
    expect(needsReapproval(aRequest({ state: 'failed' }))).toBe(false);
  });

  it.each<[ApprovalState, boolean]>([
    ['requested', false],
    ['approved', false],
    ['running', false],
    ['rejected', true],
    ['expired', true],
    ['succeeded', true],
    ['failed', true],
    ['rolled-back', true],
    ['stopped', true],
  ])('%s is final: %s', (state, final) => {
    expect(isFinal(state)).toBe(final);
  });
});

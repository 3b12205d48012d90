import type { Redis } from 'ioredis';
import { ApprovalWorkflow, type WorkflowSettings } from '../../../src/approvals/approvals';
import type { Interaction } from '../../../src/approvals/interaction';
import { RedisApprovalStore } from '../../../src/approvals/redis-approval-store';
import { AuditLog } from '../../../src/audit/audit-log';
import { createLogger } from '../../../src/logger';
import { createPrincipalMatcher } from '../../../src/slack/principals';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('approvals');
const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
const TTL = 30 * 60_000;
const HASH = 'c'.repeat(64);
const APPROVERS = Array.from({ length: 40 }, (_, i) => `U0APP${String(i).padStart(2, '0')}`);

let redis: Redis;
const extra: Redis[] = [];
const logLines: string[] = [];

function settings(overrides: Partial<WorkflowSettings> = {}): WorkflowSettings {
  return {
    operators: ['U0ALICE', 'U0BOB'],
    approvers: ['U0ALICE', 'U0BOB', 'S0LEADS', ...APPROVERS],
    allowSelfApproval: false,
    fixesRequiringApproval: ['restart-speakers'],
    approvalTtlMs: TTL,
    ...overrides,
  };
}

/** A workflow on its own Redis connection, as in another worker process. */
function workflow(connection: Redis = redis, overrides: Partial<WorkflowSettings> = {}): ApprovalWorkflow {
  return new ApprovalWorkflow({
    store: new RedisApprovalStore({ redis: connection, prefix }),
    settings: settings(overrides),
    membership: createPrincipalMatcher({
      lookupGroup: (group) => Promise.resolve(group === 'S0LEADS' ? ['U0DAVE'] : []),
    }),
    audit: new AuditLog({
      redis: connection,
      prefix,
      logger: createLogger('info', (line) => logLines.push(line)),
    }),
  });
}

const audit = (): AuditLog => new AuditLog({ redis, prefix, logger: createLogger('error', () => undefined) });

async function requested(fix = 'reapply-config', w = workflow()): Promise<Interaction> {
  const result = await w.request(
    {
      fix,
      cluster: 'prod',
      channel: 'C0OPS',
      threadTs: '1736931600.000100',
      requestedBy: 'U0ALICE',
      planHash: HASH,
    },
    T0,
  );
  if (!result.ok) throw new Error(`request refused: ${result.message}`);
  return {
    approvalId: result.record.id,
    userId: 'U0BOB',
    channel: 'C0OPS',
    threadTs: '1736931600.000100',
    cluster: 'prod',
  };
}

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await Promise.all([redis, ...extra].map((c) => c.quit()));
});

describe('approval workflow on Redis', () => {
  it('many approvers clicking at once, from separate connections, start the job exactly once', async () => {
    const click = await requested();
    const connections = Array.from({ length: 8 }, () => connect());
    extra.push(...connections);
    const results = await Promise.all(
      APPROVERS.map((userId, i) =>
        workflow(connections[i % connections.length]).decide({ ...click, userId }, 'approve', T0 + 1000),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.record?.decidedBy;
    expect(APPROVERS).toContain(winner);
    const losers = results.filter((r) => !r.ok);
    expect(losers.every((r) => !r.ok && r.reason === 'already-decided')).toBe(true);

    const stored = await new RedisApprovalStore({ redis, prefix }).get(click.approvalId);
    expect(stored).toMatchObject({ state: 'approved', decidedBy: winner, version: 2 });

    // The job itself may be delivered twice: only one start wins.
    const starts = await Promise.all(
      connections.map((c) => workflow(c).advance(click.approvalId, { type: 'start', at: T0 + 2000 })),
    );
    expect(starts.filter((r) => r.ok)).toHaveLength(1);
  });

  it('a double click by the same approver is a quiet repeat', async () => {
    const click = await requested();
    const w = workflow();
    const [first, second] = await Promise.all([
      w.decide(click, 'approve', T0 + 10),
      w.decide(click, 'approve', T0 + 11),
    ]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    const loser = first.ok ? second : first;
    expect(loser).toMatchObject({ ok: false, reason: 'already-decided', repeat: true });
  });

  it('refuses self-approval and non-approvers, accepts a member of an approvers group', async () => {
    const click = await requested();
    const w = workflow();
    expect(await w.decide({ ...click, userId: 'U0ALICE' }, 'approve', T0 + 1)).toMatchObject({
      ok: false,
      reason: 'self-approval',
    });
    expect(await w.decide({ ...click, userId: 'U0MALLORY' }, 'approve', T0 + 2)).toMatchObject({
      ok: false,
      reason: 'not-approver',
    });
    expect((await new RedisApprovalStore({ redis, prefix }).get(click.approvalId))?.state).toBe('requested');
    expect(await w.decide({ ...click, userId: 'U0DAVE' }, 'approve', T0 + 3)).toMatchObject({
      ok: true,
      record: { state: 'approved', decidedBy: 'U0DAVE' },
    });
  });

  it('a self-approval is accepted with ALLOW_SELF_APPROVAL', async () => {
    const click = await requested();
    const w = workflow(redis, { allowSelfApproval: true, approvers: ['U0ALICE'] });
    expect((await w.decide({ ...click, userId: 'U0ALICE' }, 'approve', T0 + 1)).ok).toBe(true);
  });

  it('refuses after the TTL, expires the request once, and a later click changes nothing', async () => {
    const click = await requested();
    const w = workflow();
    expect(await w.decide(click, 'approve', T0 + TTL)).toMatchObject({ ok: false, reason: 'expired' });
    const expired = await w.expireDue(T0 + TTL);
    expect(expired.map((r) => r.id)).toContain(click.approvalId);
    expect((await w.expireDue(T0 + TTL + 1)).map((r) => r.id)).not.toContain(click.approvalId);
    expect(await w.decide(click, 'approve', T0 + TTL + 5)).toMatchObject({ ok: false, reason: 'expired' });
    expect(await w.decide(click, 'approve', T0 + 1)).toMatchObject({ ok: false, reason: 'expired' });
    expect((await new RedisApprovalStore({ redis, prefix }).get(click.approvalId))?.state).toBe('expired');
  });

  it.each<[string, Partial<Interaction>, string]>([
    ['another channel', { channel: 'C0ELSE' }, 'mismatch'],
    ['another thread', { threadTs: '1736931600.000999' }, 'mismatch'],
    ['another cluster', { cluster: 'staging' }, 'mismatch'],
    ['another plan', { planHash: 'd'.repeat(64) }, 'mismatch'],
    ['an unknown approval', { approvalId: 'f-ffffffffffffffff' }, 'unknown'],
    ['a key-injecting id', { approvalId: 'f-0000000000000000:*' }, 'malformed'],
    ['a forged user', { userId: 'U0BOB*' }, 'malformed'],
  ])('a click from %s is refused and changes nothing', async (_title, overrides, reason) => {
    const click = await requested();
    const keysBefore = (await redis.keys(`${prefix}*`)).sort();
    const result = await workflow().decide({ ...click, ...overrides }, 'approve', T0 + 1);
    expect(result).toMatchObject({ ok: false, reason });
    expect((await new RedisApprovalStore({ redis, prefix }).get(click.approvalId))?.state).toBe('requested');
    const keysAfter = (await redis.keys(`${prefix}*`)).sort();
    expect(keysAfter).toEqual(keysBefore);
  });

  it('reject leaves the request final; a later approve is refused', async () => {
    const click = await requested();
    const w = workflow();
    expect((await w.decide(click, 'reject', T0 + 1)).ok).toBe(true);
    expect(await w.decide({ ...click, userId: 'U0DAVE' }, 'approve', T0 + 2)).toMatchObject({
      ok: false,
      reason: 'already-decided',
    });
    expect(await w.advance(click.approvalId, { type: 'start', at: T0 + 3 })).toMatchObject({ ok: false });
  });

  it('only operators request, and with OPERATORS unset nobody does', async () => {
    const input = {
      fix: 'restart-speakers',
      cluster: 'prod',
      channel: 'C0OPS',
      threadTs: '1736931600.000100',
      requestedBy: 'U0MALLORY',
      planHash: HASH,
    };
    expect(await workflow().request(input, T0)).toMatchObject({ ok: false, reason: 'not-operator' });
    const unset = await workflow(redis, { operators: undefined }).request(
      { ...input, requestedBy: 'U0ALICE' },
      T0,
    );
    expect(unset).toMatchObject({ ok: false, reason: 'operators-unset' });
    expect(!unset.ok && unset.message).toContain('OPERATORS');
    expect(
      await workflow().request({ ...input, requestedBy: 'U0ALICE', fix: 'reconcile-config' }, T0),
    ).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('a backup is approved by policy at once; a fix that waits is requested', async () => {
    const w = workflow();
    const base = {
      cluster: 'prod',
      channel: 'C0OPS',
      threadTs: '1736931600.000100',
      requestedBy: 'U0ALICE',
      planHash: HASH,
    };
    expect(await w.request({ ...base, fix: 'backup' }, T0)).toMatchObject({
      ok: true,
      record: { state: 'approved' },
    });
    expect(await w.request({ ...base, fix: 'restart-controller' }, T0)).toMatchObject({
      ok: true,
      record: { state: 'approved' },
    });
    expect(await w.request({ ...base, fix: 'restart-speakers' }, T0)).toMatchObject({
      ok: true,
      record: { state: 'requested' },
    });
  });

  it('a changed plan stops the job; the new request refers to it; old buttons cannot approve it', async () => {
    const click = await requested();
    const w = workflow();
    await w.decide(click, 'approve', T0 + 1);
    await w.advance(click.approvalId, { type: 'start', at: T0 + 2 });
    const stopped = await w.advance(click.approvalId, { type: 'stop', at: T0 + 3, reason: 'plan-changed' });
    expect(stopped).toMatchObject({ ok: true, record: { state: 'stopped', stopReason: 'plan-changed' } });
    const again = await w.request(
      {
        fix: 'reapply-config',
        cluster: 'prod',
        channel: 'C0OPS',
        threadTs: '1736931600.000100',
        requestedBy: 'U0ALICE',
        planHash: 'e'.repeat(64),
        previousId: click.approvalId,
      },
      T0 + 4,
    );
    expect(again).toMatchObject({ ok: true, record: { state: 'requested', previousId: click.approvalId } });
    expect(again.ok && again.record.id).not.toBe(click.approvalId);
    expect(await w.decide(click, 'approve', T0 + 5)).toMatchObject({ ok: false, reason: 'already-decided' });
  });

  it('lists open and recent records for /metallb jobs', async () => {
    const click = await requested();
    const w = workflow();
    await w.decide(click, 'approve', T0 + 1);
    await w.advance(click.approvalId, { type: 'start', at: T0 + 2 });
    const store = new RedisApprovalStore({ redis, prefix });
    expect((await store.open(1000)).map((r) => r.id)).toContain(click.approvalId);
    await w.advance(click.approvalId, {
      type: 'succeed',
      at: T0 + 60_000,
      outcome: 'config equals the backup',
    });
    expect((await store.open(1000)).map((r) => r.id)).not.toContain(click.approvalId);
    const recent = await store.recent(1000);
    expect(recent.find((r) => r.id === click.approvalId)).toMatchObject({
      state: 'succeeded',
      requestedBy: 'U0ALICE',
      decidedBy: 'U0BOB',
      startedAt: T0 + 2,
      finishedAt: T0 + 60_000,
    });
    expect(await redis.pttl(`${prefix}:approval:${click.approvalId}`)).toBeGreaterThan(0);
  });

  it('audits every request, decision and refusal, in the stream and as log lines', async () => {
    const click = await requested();
    const w = workflow();
    await w.decide({ ...click, userId: 'U0ALICE' }, 'approve', T0 + 1);
    await w.decide(click, 'approve', T0 + 2);
    const entries = (await audit().latest(100)).filter((e) => e.approvalId === click.approvalId);
    expect(entries.map((e) => [e.action, e.outcome, e.actor])).toEqual([
      ['fix.approve', 'ok', 'U0BOB'],
      ['fix.approve', 'refused', 'U0ALICE'],
      ['fix.request', 'ok', 'U0ALICE'],
    ]);
    expect(
      entries.every((e) => e.planHash === HASH && e.cluster === 'prod' && e.fix === 'reapply-config'),
    ).toBe(true);
    expect(entries[1]?.detail).toContain('self-approval');
    const lines = logLines.filter((l) => l.includes(click.approvalId)).map((l) => JSON.parse(l) as object);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ msg: 'audit', action: 'fix.request', actor: 'U0ALICE', planHash: HASH });
  });
});

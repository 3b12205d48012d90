/**
 * Who may request a fix, at the level of the request itself (slack/fix-requests.ts) on real Redis: with
 * OPERATORS unset nobody may, and the refusal says to set it; nothing is read from the cluster, posted or queued.
 */
import type { Redis } from 'ioredis';
import { ApprovalWorkflow } from '../../../src/approvals/approvals';
import type { ApprovalSettings } from '../../../src/approvals/policy';
import { RedisApprovalStore } from '../../../src/approvals/redis-approval-store';
import { AuditLog } from '../../../src/audit/audit-log';
import { buildPlan } from '../../../src/fixes/build-plan';
import type { FixPlanRequest } from '../../../src/jobs/fix-planner';
import { FixPlanStore } from '../../../src/jobs/fix-plan-store';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import type { FixPlanner } from '../../../src/jobs/fix-planner';
import { createLogger } from '../../../src/logger';
import { outboxFixNotifier } from '../../../src/slack/fix-notifier';
import { FixRequests } from '../../../src/slack/fix-requests';
import { Outbox } from '../../../src/slack/outbox';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('fix-requests');
let redis: Redis;

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

function requests(operators: string[] | undefined, refusal?: string, plannerOverride?: FixPlanner) {
  const planned: string[] = [];
  const queued: string[] = [];
  const posted: string[] = [];
  const settings: ApprovalSettings & { approvalTtlMs: number } = {
    operators,
    approvers: ['U0BOB'],
    allowSelfApproval: false,
    fixesRequiringApproval: ['restart-speakers'],
    approvalTtlMs: 60_000,
  };
  const membership = {
    includes: (list: readonly string[], user: string) => Promise.resolve(list.includes(user)),
  };
  const audit = new AuditLog({ redis, prefix, logger: createLogger('error', () => undefined) });
  const planner: FixPlanner = (request) => {
    planned.push(request.fix);
    return Promise.resolve({
      outcome: {
        kind: 'nothing-to-fix',
        fix: request.fix,
        cluster: request.cluster,
        message: 'clean',
        dropped: [],
      },
    });
  };
  const fixRequests = new FixRequests({
    workflow: new ApprovalWorkflow({
      store: new RedisApprovalStore({ redis, prefix }),
      settings,
      membership,
      audit,
    }),
    planner: plannerOverride ?? planner,
    plans: new FixPlanStore(redis, prefix),
    notifier: outboxFixNotifier(new Outbox(redis, prefix), { approvers: ['U0BOB'] }),
    enqueueFix: (data) => {
      queued.push(data.fixId);
      return Promise.resolve();
    },
    postParent: (channel) => {
      posted.push(channel);
      return Promise.resolve('1764482400.000100');
    },
    ...(refusal !== undefined ? { capabilityRefusal: () => Promise.resolve(refusal) } : {}),
    settings,
    membership,
    audit,
  });
  return { fixRequests, planned, queued, posted, audit };
}

const input = { fix: 'backup', cluster: 'prod', targets: [], channel: 'C0OPS', user: 'U0ALICE' } as const;

describe('requesting a fix', () => {
  it('with OPERATORS unset nobody may, and the answer says to set OPERATORS', async () => {
    const r = requests(undefined);
    const answer = await r.fixRequests.request(input);
    expect(answer.text).toMatch(/Nobody may request fixes or backups until OPERATORS is set/);
    expect(r.planned).toEqual([]);
    expect(r.posted).toEqual([]);
    expect(r.queued).toEqual([]);
    const [entry] = await r.audit.latest(1);
    expect(entry).toMatchObject({ actor: 'U0ALICE', action: 'fix.request', outcome: 'refused' });
    expect(entry?.detail).toMatch(/^operators-unset/);
  });

  it('with OPERATORS set, only they may; an operator gets a plan read from the cluster', async () => {
    const r = requests(['U0ALICE']);
    expect((await r.fixRequests.request({ ...input, user: 'U0MALLORY' })).text).toMatch(/Only OPERATORS/);
    expect(r.planned).toEqual([]);
    expect((await r.fixRequests.request(input)).text).toMatch(/Nothing to fix/);
    expect(r.planned).toEqual(['backup']);
  });
});

describe('a fix the bot may not run in that cluster', () => {
  it('is refused before any plan, naming what is missing, and audited', async () => {
    const r = requests(
      ['U0ALICE'],
      'release-ip is turned off in this cluster: the bot lacks the services capability',
    );
    const answer = await r.fixRequests.request({ ...input, fix: 'release-ip' });
    expect(answer.text).toMatch(/E_FORBIDDEN: release-ip is turned off in this cluster/);
    expect(r.planned).toEqual([]);
    expect(r.posted).toEqual([]);
    const [entry] = await r.audit.latest(1);
    expect(entry).toMatchObject({ action: 'fix.request', outcome: 'refused', fix: 'release-ip' });
  });
});

describe('an apply-config request', () => {
  const snapshot = metallbCluster('0.14.9', [
    pool('prod', ['10.0.0.0/28']),
    service('c', 'shop', { ip: '10.0.0.9' }),
  ]);
  const proposal = {
    text: 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: prod}\nspec: {addresses: [10.0.0.0/29]}\n',
    source: 'Slack modal',
    prune: false,
  };

  it('carries its proposal to the planner, into the stored plan and into the re-approval', async () => {
    const seen: FixPlanRequest[] = [];
    const planner: FixPlanner = (request) => {
      seen.push(request);
      const now = new Date('2026-11-30T09:00:00Z');
      return Promise.resolve({
        outcome: buildPlan({ ...request, snapshot, now, targets: [...request.targets] }),
      });
    };
    const r = requests(['U0ALICE'], undefined, planner);
    const answer = await r.fixRequests.request({ ...input, fix: 'apply-config', proposal });
    expect(answer.text).not.toMatch(/refused|error/i);
    expect(seen[0]?.proposal).toEqual(proposal);
    // Always approved: it waits, and the stored plan keeps the proposal for the job's rebuild.
    expect(r.queued).toEqual([]);
    const [entry] = await r.audit.latest(1);
    const id = entry?.approvalId as string;
    const stored = await new FixPlanStore(redis, prefix).get(id);
    expect(stored?.proposal).toEqual(proposal);
    expect(stored?.plan.preview?.source).toBe('Slack modal');
    expect(stored?.plan.steps.map((s) => s.title)).toEqual(['replace IPAddressPool prod']);
    const record = await new RedisApprovalStore({ redis, prefix }).get(id);
    await r.fixRequests.reapprove(record as NonNullable<typeof record>);
    expect(seen[1]?.proposal).toEqual(proposal);
  });
});

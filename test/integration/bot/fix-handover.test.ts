/**
 * A fix job outlives the worker that started it: on SIGTERM (bot.stop) a waiting step checkpoints and the job
 * goes back to the queue, and a worker of another process resumes it from that checkpoint. And a worker that
 * starts sweeps a fix whose job is gone. The runner is the test double (test/support/fix-runner-double.ts); the
 * real runner's crash tests run it on the MetalLB simulation.
 */
import type { Redis } from 'ioredis';
import { ApprovalWorkflow } from '../../../src/approvals/approvals';
import { RedisApprovalStore } from '../../../src/approvals/redis-approval-store';
import { AuditLog } from '../../../src/audit/audit-log';
import { createLogger } from '../../../src/logger';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  botEnv,
  eventually,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { runnerDouble } from '../../support/fix-runner-double';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { approvalOf, replyMatching, slash, type Driver } from '../../support/slack-fix';

const prefix = testPrefix('fix-handover');
let slack: SlackStandIn;
let cluster: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
const bots: StartedBot[] = [];
let first: StartedBot;

const release = new Map<string, () => void>();
const runner = runnerDouble({
  gate: (fixId, step) =>
    step === 1 && !release.has(`${fixId}:released`)
      ? new Promise<void>((resolve) => release.set(fixId, resolve))
      : Promise.resolve(),
});

const env = () => ({
  KUBECONFIG: kubeconfig.path,
  CLUSTERS: 'drifted=drifted',
  OPERATORS: 'U0ALICE',
  APPROVERS: 'U0BOB',
  WORKERS: '1',
});

beforeAll(async () => {
  slack = await startSlackStandIn();
  cluster = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: cluster });
  redis = connect();
  first = await startTestBot(botEnv(slack, prefix, env()), { runner });
  bots.push(first);
});

afterAll(async () => {
  for (const resolve of release.values()) resolve();
  for (const bot of bots) await bot.bot.stop().catch(() => undefined);
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([cluster?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('a fix job across workers', () => {
  it('checkpoints on SIGTERM and is resumed by another worker from that checkpoint', async () => {
    const d: Driver = { slack, eventsUrl: () => first.eventsUrl };
    const channel = 'C0HANDOVER';
    // restart-controller waits for nobody (FIXES_REQUIRING_APPROVAL defaults to restart-speakers).
    const answer = await slash(d, 'fix restart-controller', { channel });
    expect((await answer.later()).join()).toMatch(/starts now/);
    const { parent, fixId } = await approvalOf(slack, channel);
    await eventually(() => release.has(fixId), 10_000, 'step 1 to wait');

    const stopping = first.bot.stop();
    const second = await startTestBot(botEnv(slack, prefix, env()), { runner, role: 'worker' });
    bots.push(second);
    await stopping;
    release.set(`${fixId}:released`, () => undefined);

    await replyMatching(slack, channel, parent.ts, /\*done\*/, 30_000);
    expect(runner.runs.filter((id) => id === fixId)).toHaveLength(2);
    const resumed = runner.resumedFrom.at(-1);
    expect(resumed).toMatchObject({ fixId, stepsDone: 0 });
    expect(resumed?.backupId).toMatch(/^b-/);
    // One backup: the resumed run did not take another.
    const backups = slack.allMessages().filter((m) => /Backup b-.* taken/.test(textOf(m)));
    expect(backups).toHaveLength(1);
  });

  it('a worker that starts sweeps a running fix whose job is gone, and tells the thread', async () => {
    const store = new RedisApprovalStore({ redis, prefix });
    const audit = new AuditLog({ redis, prefix, logger: createLogger('error', () => undefined) });
    const workflow = new ApprovalWorkflow({
      store,
      settings: {
        operators: ['U0ALICE'],
        approvers: ['U0BOB'],
        allowSelfApproval: false,
        fixesRequiringApproval: [],
        approvalTtlMs: 60_000,
      },
      membership: { includes: (list, user) => Promise.resolve(list.includes(user)) },
      audit,
    });
    const parent = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-bot-e2e' },
      body: JSON.stringify({ channel: 'C0SWEEP', text: 'a fix whose worker died' }),
    });
    const { ts } = (await parent.json()) as { ts: string };
    const requested = await workflow.request(
      {
        fix: 'restart-controller',
        cluster: 'drifted',
        channel: 'C0SWEEP',
        threadTs: ts,
        requestedBy: 'U0ALICE',
        planHash: 'c'.repeat(64),
      },
      Date.now(),
    );
    expect(requested.ok).toBe(true);
    const id = requested.ok ? requested.record.id : '';
    expect((await workflow.advance(id, { type: 'start', at: Date.now() })).ok).toBe(true);

    const third = await startTestBot(botEnv(slack, prefix, env()), { runner, role: 'worker' });
    bots.push(third);
    await eventually(() => runner.sweeps.includes(id), 10_000, 'the sweep');
    await replyMatching(slack, 'C0SWEEP', ts, new RegExp(`${id}.* died or ran out of retries`));
    await eventually(async () => (await store.get(id))?.state === 'failed', 5000, 'the record to be final');
  });
});

/**
 * Fixes through Slack, end to end on real parts: signed slash commands and signed `block_actions` clicks to the
 * real Bolt receiver (HTTP mode), real Redis and BullMQ, the Kubernetes API stand-in and the Slack stand-in. The
 * fix runner is a double injected through startBot (test/support/fix-runner-double.ts): these tests are about who
 * may ask and decide, and what the thread says; the runner's own end-to-end tests run it against the simulation.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisApprovalStore } from '../../../src/approvals/redis-approval-store';
import { BackupStore } from '../../../src/backups/backup-store';
import { FIX_QUEUE } from '../../../src/jobs/job-kinds';
import type { KubeObject } from '../../../src/drift/model';
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
import { runnerDouble, type RunnerDouble } from '../../support/fix-runner-double';
import { cleanup, connect, testPrefix } from '../../support/redis';
import {
  approvalOf,
  button,
  click,
  current,
  parentMatching,
  replyMatching,
  slash,
  type Driver,
} from '../../support/slack-fix';

const PASSWORD = 'bgp-s3cret-do-not-leak';
const peer: KubeObject = {
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name: 'tor-1', namespace: 'metallb-system' },
  spec: { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1', password: PASSWORD },
};

const prefix = testPrefix('fix-approvals');
const expiryPrefix = testPrefix('fix-expiry');
let slack: SlackStandIn;
let cluster: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let fixQueue: Queue;
let bot: StartedBot;
let expiryBot: StartedBot;
let runner: RunnerDouble;
let channelSeq = 0;
/** Fix ids whose step 1 waits until released. */
const held = new Map<string, () => void>();
let holdNext = false;

const d: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => bot.eventsUrl };
const e: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => expiryBot.eventsUrl };

function newChannel(): string {
  channelSeq += 1;
  return `C0FIX${channelSeq}`;
}

function mutations(): number {
  return cluster.standIn.requests.filter((r) => r.method !== 'GET').length;
}

async function fixJobs(): Promise<number> {
  const counts = await fixQueue.getJobCounts(
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
  );
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

async function requestFix(text: string, channel: string, user = 'U0ALICE') {
  const answer = await slash(d, text, { channel, user });
  expect(answer.response.status).toBe(200);
  const later = await answer.later();
  const found = await approvalOf(slack, channel);
  return { ...found, later };
}

beforeAll(async () => {
  slack = await startSlackStandIn({ usergroups: { S0APPROVERS: ['U0CAROL'] } });
  d.slack = slack;
  e.slack = slack;
  cluster = await startDriftedCluster({ extra: [peer] });
  kubeconfig = tempKubeconfig({ drifted: cluster });
  redis = connect();
  fixQueue = new Queue(FIX_QUEUE, { connection: redis, prefix });
  runner = runnerDouble({
    gate: async (fixId) => {
      if (!holdNext) return;
      holdNext = false;
      await new Promise<void>((resolve) => held.set(fixId, resolve));
    },
  });
  const env = {
    KUBECONFIG: kubeconfig.path,
    CLUSTERS: 'drifted=drifted',
    OPERATORS: 'U0ALICE,U0BOB',
    APPROVERS: 'U0BOB,S0APPROVERS',
  };
  bot = await startTestBot(botEnv(slack, prefix, env), { runner, logLevel: 'info' });
  expiryBot = await startTestBot(botEnv(slack, expiryPrefix, { ...env, APPROVAL_TTL: '1s', WORKERS: '0' }), {
    runner,
    expiryIntervalMs: 100,
  });
});

afterAll(async () => {
  for (const release of held.values()) release();
  await bot?.bot.stop();
  await expiryBot?.bot.stop();
  await fixQueue?.close();
  await cleanup(redis, prefix);
  await cleanup(redis, expiryPrefix);
  await redis?.quit();
  await Promise.all([cluster?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('requesting a fix', () => {
  it('refuses a user who is not an operator, and audits it', async () => {
    const channel = newChannel();
    const answer = await slash(d, 'fix restart-speakers', { channel, user: 'U0MALLORY' });
    expect((await answer.later()).join('\n')).toMatch(/Only OPERATORS may request fixes and backups/);
    expect(slack.messages(channel)).toEqual([]);
    const audit = await slash(d, 'audit 5', { channel });
    expect((await audit.later()).join('\n')).toContain('audit entr');
    const entries = slack
      .responses(audit.responseUrl)
      .map((r) => JSON.stringify(r.body))
      .join('\n');
    expect(entries).toMatch(/<@U0MALLORY> · `fix.request` · refused/);
  });

  it('posts the plan and Approve/Reject with the expiry, mentioning approvers and their group', async () => {
    const channel = newChannel();
    const { approval, later, parent } = await requestFix('fix restart-speakers', channel);
    expect(later.join('\n')).toMatch(/waits for approval/);
    const text = textOf(approval);
    expect(text).toContain('<@U0BOB>');
    expect(text).toContain('<!subteam^S0APPROVERS>');
    expect(text).toMatch(/Expires <!date\^\d+\^/);
    expect(button(approval, 'metallb_approve')).toBeDefined();
    expect(button(approval, 'metallb_reject')).toBeDefined();
    // restart-speakers is not destructive: no confirm dialog.
    expect(button(approval, 'metallb_approve')?.confirm).toBeUndefined();
    const plan = await replyMatching(slack, channel, parent.ts, /Plan for `restart-speakers`/);
    expect(textOf(plan)).toContain('rollout');
  });

  it('opens a confirm dialog before approving a destructive fix', async () => {
    const channel = newChannel();
    const { approval } = await requestFix('fix release-ip shop/storefront', channel);
    expect(button(approval, 'metallb_approve')?.confirm).toMatchObject({
      title: { text: 'Run a destructive fix?' },
    });
  });

  it('answers "nothing to fix" and drops a target that has no finding, posting nothing', async () => {
    const channel = newChannel();
    const answer = await slash(d, 'fix clear-stale-annotation shop/storefront', { channel });
    expect((await answer.later()).join('\n')).toMatch(/Nothing to fix/);
    const body = JSON.stringify(slack.responses(answer.responseUrl).map((r) => r.body));
    expect(body).toMatch(/Dropped:.*shop\/storefront/);
    expect(slack.messages(channel)).toEqual([]);
  });
});

describe('approving', () => {
  it('refuses self-approval and a non-approver, changing nothing, then accepts a member of the approvers group', async () => {
    const channel = newChannel();
    // Bob is an operator and an approver: he may not approve his own request.
    const { approval, fixId, parent } = await requestFix('fix restart-speakers', channel, 'U0BOB');
    const self = await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
    expect((await self.answers()).join('\n')).toMatch(/another approver must approve/);
    const stranger = await click(d, approval, 'metallb_approve', { user: 'U0MALLORY' });
    expect((await stranger.answers()).join('\n')).toMatch(/Only APPROVERS may approve/);
    expect(runner.runs).not.toContain(fixId);
    expect(current(slack, approval).edits).toBe(0);

    const member = await click(d, approval, 'metallb_approve', { user: 'U0CAROL' });
    expect(member.response.status).toBe(200);
    await eventually(
      () => /Approved\* by <@U0CAROL>/.test(textOf(current(slack, approval))),
      10_000,
      'approved',
    );
    expect(button(current(slack, approval), 'metallb_approve')).toBeUndefined();
    const result = await replyMatching(slack, channel, parent.ts, /\*done\*/);
    expect(button(result, 'metallb_restore_backup')).toBeDefined();
    expect(runner.runs.filter((id) => id === fixId)).toHaveLength(1);
    const restarts = cluster.standIn.requests.filter(
      (r) => r.method === 'PATCH' && r.path.includes('/daemonsets/'),
    );
    expect(restarts.length).toBeGreaterThan(0);
  });

  it('starts one job for a double click, a retried delivery and two approvers at once', async () => {
    const channel = newChannel();
    const { approval, fixId } = await requestFix('fix restart-speakers', channel);
    const jobsBefore = await fixJobs();
    await Promise.all([
      click(d, approval, 'metallb_approve', { user: 'U0BOB' }),
      click(d, approval, 'metallb_approve', { user: 'U0BOB' }),
      click(d, approval, 'metallb_approve', { user: 'U0CAROL' }),
      click(d, approval, 'metallb_approve', { user: 'U0CAROL' }),
    ]);
    await eventually(() => runner.runs.includes(fixId), 10_000, 'the run');
    await new Promise((r) => setTimeout(r, 500));
    expect(runner.runs.filter((id) => id === fixId)).toHaveLength(1);
    expect(await fixJobs()).toBe(jobsBefore + 1);
  });

  it('reject leaves the cluster untouched and says who rejected', async () => {
    const channel = newChannel();
    const { approval, fixId } = await requestFix('fix restart-speakers', channel);
    const value = button(approval, 'metallb_approve')?.value;
    const before = mutations();
    await click(d, approval, 'metallb_reject', { user: 'U0BOB' });
    await eventually(
      () => /Rejected\* by <@U0BOB>/.test(textOf(current(slack, approval))),
      10_000,
      'rejected',
    );
    // A client that still shows the buttons (or a retried delivery) clicks Approve.
    const late = await click(d, approval, 'metallb_approve', { user: 'U0CAROL', value });
    expect((await late.answers()).join('\n')).toMatch(/already rejected by <@U0BOB>/);
    await new Promise((r) => setTimeout(r, 300));
    expect(runner.runs).not.toContain(fixId);
    expect(mutations()).toBe(before);
  });

  it('refuses forged and mismatched clicks, changing nothing', async () => {
    const channel = newChannel();
    const { approval, fixId } = await requestFix('fix restart-speakers', channel);
    const value = button(approval, 'metallb_approve')?.value ?? '';
    const parsed = JSON.parse(value) as { a: string; c: string; h: string };
    const forged = [
      { value: JSON.stringify({ ...parsed, c: 'other' }) },
      { value: JSON.stringify({ ...parsed, h: 'f'.repeat(64) }) },
      { value: JSON.stringify({ ...parsed, a: 'f-0000000000000000' }) },
      { value: '{"a":"f-1:*"}' },
      { value: 'not json' },
      { channel: 'C0ELSEWHERE' },
      { threadTs: '1700000000.000001' },
    ];
    for (const options of forged) {
      const answer = await click(d, approval, 'metallb_approve', { user: 'U0BOB', ...options });
      expect((await answer.answers()).join('\n')).toMatch(/does not belong|not valid|No approval/);
    }
    expect(current(slack, approval).edits).toBe(0);
    expect(runner.runs).not.toContain(fixId);
    const store = new RedisApprovalStore({ redis, prefix });
    expect((await store.get(fixId))?.state).toBe('requested');
  });

  it('replaces the buttons with "expired" after APPROVAL_TTL, and a click then does nothing', async () => {
    const channel = newChannel();
    const answer = await slash(e, 'fix restart-speakers', { channel });
    await answer.later();
    const { approval, fixId } = await approvalOf(slack, channel);
    const value = button(approval, 'metallb_approve')?.value;
    await eventually(() => /Expired/.test(textOf(current(slack, approval))), 10_000, 'expired');
    expect(button(current(slack, approval), 'metallb_approve')).toBeUndefined();
    const late = await click(e, approval, 'metallb_approve', { user: 'U0BOB', value });
    expect((await late.answers()).join('\n')).toMatch(/expired/);
    expect(runner.runs).not.toContain(fixId);
  });
});

describe('running', () => {
  it('stops when the cluster changed between approval and run, and asks for a new approval', async () => {
    const channel = newChannel();
    const { approval, fixId, parent } = await requestFix('fix release-ip shop/storefront', channel);
    // The plan names storefront's IP: change it, as MetalLB or a person might, before the approval.
    const response = await fetch(`${cluster.standIn.url}/api/v1/namespaces/shop/services/storefront/status`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: '198.51.100.77' }] } } }),
    });
    expect(response.status).toBe(200);
    await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
    await replyMatching(slack, channel, parent.ts, /stopped before any change: the cluster changed/);
    const again = await replyMatching(slack, channel, parent.ts, /Approval needed/);
    const newId = /\bf-[0-9a-f]{16}\b/.exec(textOf(again))?.[0];
    expect(newId).toBeDefined();
    expect(newId).not.toBe(fixId);
    const store = new RedisApprovalStore({ redis, prefix });
    expect(await store.get(fixId)).toMatchObject({ state: 'stopped', stopReason: 'plan-changed' });
    expect(await store.get(newId as string)).toMatchObject({ state: 'requested', previousId: fixId });
  });

  it('a check during a fix still answers and says the fix is running', async () => {
    const channel = newChannel();
    const { approval, fixId, parent } = await requestFix('fix restart-speakers', channel);
    holdNext = true;
    await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
    await eventually(() => held.has(fixId), 10_000, 'the fix to reach its first step');
    await replyMatching(slack, channel, parent.ts, /step 1 of \d+/);
    const checkChannel = newChannel();
    await slash(d, 'check --cluster drifted', { channel: checkChannel });
    const summary = await slack.waitFor(
      () => parentMatching(slack, checkChannel, /MetalLB check on drifted/),
      20_000,
    );
    expect(textOf(summary)).toMatch(
      new RegExp(`fix ${fixId} \\(restart-speakers\\) running, step 1 of \\d+`),
    );
    held.get(fixId)?.();
    await replyMatching(slack, channel, parent.ts, /\*done\*/);
  });

  it('lists jobs with their state, requester, approver and duration', async () => {
    const channel = newChannel();
    const refused = await slash(d, 'jobs', { channel, user: 'U0MALLORY' });
    expect(refused.ack).toMatch(/not on the list of people who may list jobs/);
    const answer = await slash(d, 'jobs', { channel });
    expect((await answer.later()).join()).toContain('fix job');
    const all = JSON.stringify(slack.responses(answer.responseUrl).map((r) => r.body));
    expect(all).toMatch(/\*succeeded\* · asked by <@U0ALICE> · approved by <@U0(BOB|CAROL)> · \d+ s/);
    expect(all).toMatch(/\*rejected\*/);
  });
});

describe('buttons that request a fix', () => {
  it('"Propose fix" under a check\'s finding posts the plan in the check\'s thread', async () => {
    const channel = newChannel();
    await slash(d, 'check --cluster drifted', { channel });
    const summary = await slack.waitFor(
      () => parentMatching(slack, channel, /MetalLB check on drifted/),
      20_000,
    );
    const proposal = await slack.waitFor(() =>
      slack
        .thread(channel, summary.ts)
        .find((m) => (button(m, 'metallb_propose_fix')?.value ?? '').includes('release-ip')),
    );
    expect(JSON.parse(button(proposal, 'metallb_propose_fix')?.value ?? '{}')).toMatchObject({
      f: 'release-ip',
      c: 'drifted',
      t: expect.arrayContaining(['shop/storefront']) as unknown,
    });
    const stranger = await click(d, proposal, 'metallb_propose_fix', { user: 'U0MALLORY' });
    expect((await stranger.answers()).join('\n')).toMatch(/Only OPERATORS/);
    const answer = await click(d, proposal, 'metallb_propose_fix', { user: 'U0ALICE' });
    expect((await answer.answers()).join('\n')).toMatch(/waits for approval/);
    const approval = await replyMatching(slack, channel, summary.ts, /Approval needed/);
    expect(textOf(approval)).toContain('`release-ip` on `drifted`');
    await replyMatching(slack, channel, summary.ts, /Plan for `release-ip`/);
    // The plan went into the check's thread: no new parent message.
    expect(slack.messages(channel)).toHaveLength(1);
  });

  it('"Restore this backup" requests a restore of that backup, approval as usual', async () => {
    const channel = newChannel();
    const answer = await slash(d, 'backup', { channel });
    await answer.later();
    const { parent } = await approvalOf(slack, channel);
    const message = await replyMatching(
      slack,
      channel,
      parent.ts,
      /Backup b-\d{8}-\d{6}-[0-9a-f]{4} of drifted taken/,
    );
    const backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(textOf(message))?.[0] as string;
    // Someone deletes a pool: now the backup differs from the cluster.
    const deleted = await fetch(
      `${cluster.standIn.url}/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/staging`,
      { method: 'DELETE' },
    );
    expect(deleted.status).toBe(200);
    const restore = await click(d, message, 'metallb_restore_backup', { user: 'U0ALICE' });
    expect((await restore.answers()).join('\n')).toMatch(/restore on drifted .*waits for approval/);
    const approval = await replyMatching(slack, channel, parent.ts, /Approval needed.*`restore`/);
    expect(button(approval, 'metallb_approve')?.confirm).toBeDefined();
    const plan = await replyMatching(slack, channel, parent.ts, /Plan for `restore`/);
    expect(textOf(plan)).toContain(backupId);
    const forged = await click(d, message, 'metallb_restore_backup', {
      user: 'U0ALICE',
      value: JSON.stringify({ b: 'b-../../x', c: 'drifted' }),
    });
    expect((await forged.answers()).join('\n')).toMatch(/is not a backup id/);
  });
});

describe('secrets', () => {
  it('a backup keeps the BGPPeer password in Redis and never shows it in Slack or the logs', async () => {
    const channel = newChannel();
    const answer = await slash(d, 'backup', { channel });
    expect((await answer.later()).join('\n')).toMatch(/starts now/);
    const { parent } = await approvalOf(slack, channel);
    const message = await replyMatching(
      slack,
      channel,
      parent.ts,
      /Backup b-\d{8}-\d{6}-[0-9a-f]{4} of drifted taken/,
    );
    expect(textOf(message)).toMatch(/omits the password of 1 BGPPeer/);
    expect(button(message, 'metallb_restore_backup')).toBeDefined();
    const backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(textOf(message))?.[0] as string;
    const file = await slack.waitFor(() =>
      slack.files().find((f) => f.filename === `${backupId}.yaml` && f.content),
    );
    expect(file.content?.toString('utf8')).toContain('tor-1');
    await replyMatching(slack, channel, parent.ts, /\*done\*/);

    const stored = await new BackupStore({ redis, prefix, retention: 50 }).get(backupId);
    expect(stored?.text).toContain(PASSWORD);

    const listed = await slash(d, 'backups', { channel });
    expect((await listed.later()).join('\n')).toContain('backup');
    expect(JSON.stringify(slack.responses(listed.responseUrl))).toContain(backupId);

    const everything = [
      JSON.stringify(slack.allMessages()),
      JSON.stringify(slack.ephemerals()),
      JSON.stringify(slack.calls()),
      slack
        .files()
        .map((f) => f.content?.toString('utf8') ?? '')
        .join('\n'),
      JSON.stringify(slack.responses()),
      bot.logs.join('\n'),
      expiryBot.logs.join('\n'),
    ].join('\n');
    expect(everything).toContain(backupId);
    expect(everything).not.toContain(PASSWORD);
  });
});

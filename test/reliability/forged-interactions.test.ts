/**
 * Correctly signed Approve/Reject clicks on a fix's approval message whose payload is not theirs: an approval id
 * that does not exist, one of another channel, a plan hash or a cluster that is not the request's, a value that
 * is not JSON, too long or with a field we never write, and an old approval's click replayed after it ran. Each
 * is refused with an answer to the clicker, nothing changes (compared: every approval record and index in Redis,
 * the fix queue, the Kubernetes API stand-in's write requests, the runner's runs), and each refusal is one more
 * entry of the audit stream. A Mute button or mute dialog naming a cluster that is not in CLUSTERS is refused
 * the same way. The fix runner is the injected double of the approval tests (it restarts through
 * the cluster's port, so a run that should not happen shows as a write on the stand-in).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FIX_QUEUE } from '../../src/jobs/job-kinds';
import {
  botEnv,
  eventually,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../tools/bot-harness';
import { MUTE_MODAL_BLOCKS, MUTE_MODAL_INPUT } from '../../src/slack/views/mutes';
import { SIGNING_SECRET } from '../../tools/bot-harness';
import { postSigned, viewSubmissionRequest } from '../../tools/slack-requests';
import type { StoredMessage } from '../../tools/slack-stand-in';
import { startSlackStandIn, type SlackStandIn } from '../../tools/slack-stand-in';
import { runnerDouble, type RunnerDouble } from '../support/fix-runner-double';
import { cleanup, connect, testPrefix } from '../support/redis';
import { approvalOf, button, click, replyMatching, slash, type Driver } from '../support/slack-fix';

const prefix = testPrefix('forged-interactions');
let slack: SlackStandIn;
let kube: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let fixQueue: Queue;
let bot: StartedBot;
let runner: RunnerDouble;
const d: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => bot.eventsUrl };

/** Two pending requests, each in a channel of its own. */
let a: { approval: StoredMessage; fixId: string; value: { a: string; c: string; h: string } };
let b: { approval: StoredMessage; fixId: string; value: string };

async function requestFix(channel: string) {
  const answer = await slash(d, 'fix restart-speakers --cluster drifted', { channel });
  expect((await answer.later()).join('\n')).toMatch(/waits for approval/);
  const { approval, fixId } = await approvalOf(slack, channel);
  return { approval, fixId, value: button(approval, 'metallb_approve')?.value ?? '' };
}

/** Everything a click could change, read back for comparison. */
async function state() {
  const records: Record<string, Record<string, string>> = {};
  for (const key of await redis.keys(`${prefix}:approval:*`)) records[key] = await redis.hgetall(key);
  const indexes: Record<string, string[]> = {};
  for (const name of ['open', 'expiry', 'recent'])
    indexes[name] = await redis.zrange(`${prefix}:approvals:${name}`, '0', '-1', 'WITHSCORES');
  const counts = await fixQueue.getJobCounts(
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
  );
  return {
    records,
    indexes,
    jobs: Object.values(counts).reduce((sum, n) => sum + n, 0),
    writes: kube.standIn.requests.filter((r) => r.method !== 'GET').length,
    runs: runner.runs.length,
  };
}

/** Refusals of approval decisions in the audit stream. */
async function refusals(): Promise<Record<string, string>[]> {
  const rows = await redis.xrange(`${prefix}:audit`, '-', '+');
  return rows
    .map(([, flat]) => {
      const entry: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) entry[flat[i] as string] = flat[i + 1] as string;
      return entry;
    })
    .filter((e) => /^fix\.(approve|reject)$/.test(e.action ?? '') && e.outcome === 'refused');
}

/** The refusal entry that follows `count` entries. */
function nextRefusal(count: number): Promise<Record<string, string>> {
  return eventually(
    async () => {
      const all = await refusals();
      return all.length > count ? all[count] : undefined;
    },
    5000,
    'the audit entry of the refusal',
  );
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  d.slack = slack;
  kube = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: kube, spare: kube });
  redis = connect();
  fixQueue = new Queue(FIX_QUEUE, { connection: redis, prefix });
  runner = runnerDouble();
  bot = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'drifted=drifted;spare=spare',
      OPERATORS: 'U0ALICE',
      APPROVERS: 'U0BOB,U0CAROL',
    }),
    { runner },
  );
  const first = await requestFix('C0FORGEA');
  a = { ...first, value: JSON.parse(first.value) as { a: string; c: string; h: string } };
  b = await requestFix('C0FORGEB');
}, 60_000);

afterAll(async () => {
  await bot?.bot.stop();
  await fixQueue?.close();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([kube?.close(), slack?.close()]);
  kubeconfig?.remove();
});

const json = (value: object): string => JSON.stringify(value);

describe('a click on a pending approval whose payload is not its own', () => {
  const cases: [string, () => { value?: string; channel?: string; action?: string }, RegExp, RegExp][] = [
    [
      'an approval id that does not exist',
      () => ({ value: json({ ...a.value, a: 'f-0000000000000000' }) }),
      /No approval f-0000000000000000 is known/,
      /^unknown: /,
    ],
    [
      "another channel's approval, clicked here",
      () => ({ value: b.value }),
      /does not belong to approval .*\(channel, threadTs differ\)/,
      /^mismatch: /,
    ],
    [
      'this approval, clicked from another channel',
      () => ({ channel: 'C0FORGEB' }),
      /does not belong to approval .*\(channel differ\)/,
      /^mismatch: /,
    ],
    [
      'a plan hash that is not the plan approved',
      () => ({ value: json({ ...a.value, h: 'f'.repeat(64) }) }),
      /\(planHash differ\)/,
      /^mismatch: /,
    ],
    [
      'another configured cluster swapped in',
      () => ({ value: json({ ...a.value, c: 'spare' }) }),
      /\(cluster differ\)/,
      /^mismatch: /,
    ],
    [
      'the same swap on Reject',
      () => ({ value: json({ ...a.value, c: 'spare' }), action: 'metallb_reject' }),
      /\(cluster differ\)/,
      /^mismatch: /,
    ],
    ['a value that is not JSON', () => ({ value: 'approve please' }), /not valid/, /^malformed: /],
    [
      'a value longer than Slack allows (its fields right)',
      () => ({ value: `${json(a.value)}${' '.repeat(2000)}` }),
      /not valid/,
      /^malformed: /,
    ],
    // Before: the extra field was ignored and the job started.
    [
      'a value with a field we never write (its fields right)',
      () => ({ value: json({ ...a.value, x: 'run it twice' }) }),
      /not valid/,
      /^malformed: /,
    ],
    // Before: without `h` the plan hash was not compared at all.
    [
      'a value without the plan hash',
      () => ({ value: json({ a: a.value.a, c: a.value.c }) }),
      /not valid \(planHash\)/,
      /^malformed: /,
    ],
    [
      'an approval id shaped as a key pattern',
      () => ({ value: json({ ...a.value, a: 'f-1:*' }) }),
      /not valid \(approvalId\)/,
      /^malformed: /,
    ],
  ];

  it.each(cases)('refuses %s: answered, nothing changed, audited', async (_what, forge, answer, detail) => {
    const before = await state();
    const audited = (await refusals()).length;
    const forged = forge();
    const clicked = await click(d, a.approval, forged.action ?? 'metallb_approve', {
      user: 'U0BOB',
      ...(forged.value !== undefined ? { value: forged.value } : {}),
      ...(forged.channel !== undefined ? { channel: forged.channel } : {}),
    });
    expect(clicked.response.status).toBe(200);
    expect((await clicked.answers()).join('\n')).toMatch(answer);
    const entry = await nextRefusal(audited);
    expect(entry).toMatchObject({ actor: 'U0BOB', outcome: 'refused' });
    expect(entry.detail).toMatch(detail);
    // Let anything started by mistake show itself before comparing.
    await new Promise((r) => setTimeout(r, 300));
    expect(await state()).toEqual(before);
    expect(await redis.hget(`${prefix}:approval:${a.fixId}`, 'record')).toContain('"state":"requested"');
  });
});

describe('an old approval replayed', () => {
  it('after it ran: refused, audited, no second job and no second write', async () => {
    const channel = 'C0FORGEC';
    const { approval, fixId, value } = await requestFix(channel);
    await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
    const parent = slack.messages(channel)[0] as StoredMessage;
    await replyMatching(slack, channel, parent.ts, /\*done\*/);
    expect(runner.runs.filter((id) => id === fixId)).toHaveLength(1);
    const before = await state();

    // The same click delivered again (Slack's retry, or a captured request resent), by the approver and another.
    const replays: [string, string, RegExp | undefined][] = [
      ['U0BOB', 'metallb_approve', undefined],
      ['U0CAROL', 'metallb_approve', /already (approved|succeeded|running)/],
      ['U0CAROL', 'metallb_reject', /already/],
    ];
    for (const [user, action, answer] of replays) {
      const audited = (await refusals()).length;
      const clicked = await click(d, approval, action, { user, value });
      expect(clicked.response.status).toBe(200);
      if (answer) expect((await clicked.answers()).join('\n')).toMatch(answer);
      const entry = await nextRefusal(audited);
      expect(entry).toMatchObject({ actor: user, outcome: 'refused', approvalId: fixId });
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await state()).toEqual(before);
    expect(runner.runs.filter((id) => id === fixId)).toHaveLength(1);
    expect(textOf(approval)).toContain(fixId);
  });
});

describe('a Mute button or mute dialog naming a cluster that is not ours', () => {
  async function muteRefusals(): Promise<number> {
    const rows = await redis.xrange(`${prefix}:audit`, '-', '+');
    return rows.filter(([, flat]) => flat.includes('mute.refuse')).length;
  }
  const muteKeys = async (): Promise<string[]> => redis.keys(`${prefix}:mute*`);

  it('refuses the button, audited, and opens no dialog', async () => {
    const before = { refusals: await muteRefusals(), views: slack.views().length };
    const clicked = await click(d, a.approval, 'metallb_mute', {
      user: 'U0ALICE',
      value: 'elsewhere|0123456789abcdef|IP_OUTSIDE_POOLS',
    });
    expect((await clicked.answers()).join('\n')).toMatch(/^E_USAGE: /);
    await eventually(async () => (await muteRefusals()) > before.refusals, 5000, 'the audit entry');
    expect(slack.views()).toHaveLength(before.views);
  });

  // Before: the dialog's metadata (ours, echoed back by Slack) was trusted for any well-formed cluster name.
  it('refuses the dialog, audited, and stores no mute', async () => {
    const before = { refusals: await muteRefusals(), keys: await muteKeys() };
    const response = await postSigned(
      bot.eventsUrl,
      viewSubmissionRequest(
        {
          view: {
            id: 'V0FORGED',
            view: {
              callback_id: 'metallb_mute_modal',
              private_metadata: JSON.stringify({
                cluster: 'elsewhere',
                findingId: '0123456789abcdef',
                channel: 'C0FORGEA',
              }),
            },
          },
          userId: 'U0ALICE',
          values: {
            [MUTE_MODAL_BLOCKS.reason]: { [MUTE_MODAL_INPUT]: 'forged' },
            [MUTE_MODAL_BLOCKS.duration]: { [MUTE_MODAL_INPUT]: '' },
          },
        },
        { signingSecret: SIGNING_SECRET },
      ),
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ response_action: 'errors' });
    await eventually(async () => (await muteRefusals()) > before.refusals, 5000, 'the audit entry');
    expect(await muteKeys()).toEqual(before.keys);
  });
});

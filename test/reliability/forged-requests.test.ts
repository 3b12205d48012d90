/**
 * Forged and replayed Slack requests: a bad signature, a timestamp older than 5 minutes, and a correctly signed
 * request naming another workspace (a slash command and a button click). Each is refused, nothing is queued or
 * posted, and each refusal is an entry of the audit stream.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CHECK_QUEUE } from '../../src/jobs/job-kinds';
import {
  botEnv,
  eventually,
  SIGNING_SECRET,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  type KubeCluster,
  type StartedBot,
} from '../../tools/bot-harness';
import { startSlackStandIn, type SlackStandIn } from '../../tools/slack-stand-in';
import {
  blockActionsRequest,
  postSigned,
  slashCommandRequest,
  type SigningOptions,
} from '../../tools/slack-requests';
import { cleanup, connect, testPrefix } from '../support/redis';

const prefix = testPrefix('forged');
let slack: SlackStandIn;
let kube: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let started: StartedBot;
let redis: Redis;
let queue: Queue;
let seq = 0;

async function jobs(): Promise<number> {
  const counts = await queue.getJobCounts(
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
  );
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

async function refusals(): Promise<Record<string, string>[]> {
  const rows = await redis.xrange(`${prefix}:audit`, '-', '+');
  return rows
    .map(([, flat]) => {
      const entry: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) entry[flat[i] as string] = flat[i + 1] as string;
      return entry;
    })
    .filter((entry) => entry.action === 'slack.refuse');
}

function command(channel: string, signing: Partial<SigningOptions>, teamId?: string) {
  seq += 1;
  return postSigned(
    started.eventsUrl,
    slashCommandRequest(
      {
        text: 'check',
        channelId: channel,
        userId: 'U0ALICE',
        triggerId: `${Date.now()}.${seq}`,
        responseUrl: slack.responseUrl(),
        ...(teamId ? { teamId } : {}),
      },
      { signingSecret: SIGNING_SECRET, ...signing },
    ),
  );
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: kube });
  redis = connect();
  queue = new Queue(CHECK_QUEUE, { connection: redis, prefix });
  started = await startTestBot(
    botEnv(slack, prefix, { KUBECONFIG: kubeconfig.path, CLUSTERS: 'drifted=drifted', OPERATORS: 'U0ALICE' }),
  );
});

afterAll(async () => {
  await started?.bot.stop();
  await queue?.close();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([kube?.close(), slack?.close()]);
  kubeconfig?.remove();
});

it.each([
  ['a bad signature', { signature: 'v0=0123456789abcdef' }, 'signature mismatch'],
  ['a replayed (6 minutes old) request', { timestampSeconds: Math.floor(Date.now() / 1000) - 360 }, 'stale'],
])('refuses %s with 401, changes nothing, and audits it', async (_what, signing, reason) => {
  const before = { jobs: await jobs(), refusals: (await refusals()).length };
  const response = await command('C0FORGED', signing);
  expect(response.status).toBe(401);
  const audited = await eventually(async () => {
    const all = await refusals();
    return all.length > before.refusals ? all : undefined;
  }, 5000);
  expect(audited.at(-1)).toMatchObject({ outcome: 'refused', actor: 'unknown' });
  expect(audited.at(-1)?.detail).toContain(reason);
  expect(await jobs()).toBe(before.jobs);
  expect(slack.messages('C0FORGED')).toEqual([]);
});

it('refuses a signed command from another workspace, and audits who sent it', async () => {
  const before = { jobs: await jobs(), refusals: (await refusals()).length };
  const response = await command('C0OTHER', {}, 'T0ELSEWHERE');
  expect(response.status).toBe(200);
  expect((response.json as { text: string }).text).toMatch(/^E_WRONG_WORKSPACE: .*T0ELSEWHERE/);
  const audited = await eventually(async () => {
    const all = await refusals();
    return all.length > before.refusals ? all : undefined;
  }, 5000);
  expect(audited.at(-1)).toMatchObject({ actor: 'U0ALICE', outcome: 'refused' });
  expect(audited.at(-1)?.detail).toBe('request from workspace T0ELSEWHERE, not T0METALLB');
  await new Promise((r) => setTimeout(r, 300));
  expect(await jobs()).toBe(before.jobs);
});

it('refuses a click from another workspace, and audits it', async () => {
  const before = (await refusals()).length;
  const response = await postSigned(
    started.eventsUrl,
    blockActionsRequest(
      {
        message: { channel: 'C0OTHER', ts: '1.000001' },
        actionId: 'fix_approve',
        value: 'a-1',
        teamId: 'T0ELSEWHERE',
        userId: 'U0MALLORY',
        responseUrl: slack.responseUrl(),
      },
      { signingSecret: SIGNING_SECRET },
    ),
  );
  expect(response.status).toBe(200);
  const audited = await eventually(async () => {
    const all = await refusals();
    return all.length > before ? all : undefined;
  }, 5000);
  expect(audited.at(-1)).toMatchObject({ actor: 'U0MALLORY', outcome: 'refused' });
});

it('still takes a signed command from its own workspace', async () => {
  const before = await jobs();
  const response = await command('C0OWN', {});
  expect((response.json as { text: string }).text).toMatch(/^Checking MetalLB on drifted…/);
  expect(await jobs()).toBe(before + 1);
});
